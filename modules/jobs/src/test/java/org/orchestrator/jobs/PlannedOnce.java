package org.orchestrator.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.concurrent.TimeUnit;

/**
 * Asserts that a statement ran on one plan kept for the session (decisions 124 and 127): read on the
 * connection itself ({@code pool} has one), from its {@code pg_prepared_statements}.
 */
final class PlannedOnce {

  private PlannedOnce() {
  }

  /** Every one of {@code executions} of the statements starting with {@code start} ran the generic plan. */
  static void assertPlannedOnce(Pool connection, String start, long executions) throws Exception {
    Row plans = connection.preparedQuery("SELECT current_setting('plan_cache_mode'), sum(generic_plans), "
            + "sum(custom_plans) FROM pg_prepared_statements WHERE starts_with(statement, $1)")
        .execute(Tuple.of(start)).await(10, TimeUnit.SECONDS).iterator().next();
    assertEquals("force_generic_plan", plans.getString(0));
    assertEquals(executions, plans.getLong(1), "every execution ran the one plan");
    assertEquals(0L, plans.getLong(2), "none was planned for its values");
  }
}
