package org.orchestrator.identity;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.identity.IdentityMessages.Robot;
import org.orchestrator.platform.database.SqlStates;
import org.orchestrator.platform.database.Timestamps;

/** Robots and the digests of their secrets in PostgreSQL. */
final class RobotRepository {

  private static final String COLUMNS = "id, tenant_id, name, created_at, disabled_at, disabled_by";

  /** A robot with its secret digest and token generation, for client-credential sign-in only. */
  record Credentials(Robot robot, byte[] secretSha256, int generation) {
  }

  /** A robot just disabled, with its new token generation. */
  record Disabled(Robot robot, int generation) {
  }

  private final Pool pool;

  RobotRepository(Pool pool) {
    this.pool = pool;
  }

  Future<Robot> insert(SqlClient tx, long tenantId, String name, byte[] secretSha256) {
    return tx.preparedQuery("INSERT INTO robots (tenant_id, name, secret_sha256) VALUES ($1, $2, $3) "
            + "RETURNING " + COLUMNS)
        .execute(Tuple.of(tenantId, name, Buffer.buffer(secretSha256)))
        .map(rows -> toRobot(rows.iterator().next()))
        .recover(failure -> Future.failedFuture(SqlStates.isUniqueViolation(failure)
            ? Failure.conflict("a robot named '" + name + "' exists already in this tenant") : failure));
  }

  Future<List<Robot>> list(long tenantId) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM robots WHERE tenant_id = $1 ORDER BY id")
        .execute(Tuple.of(tenantId))
        .map(rows -> {
          List<Robot> robots = new ArrayList<>(rows.size());
          rows.forEach(row -> robots.add(toRobot(row)));
          return robots;
        });
  }

  Future<Optional<Robot>> find(long tenantId, long robotId) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM robots WHERE tenant_id = $1 AND id = $2")
        .execute(Tuple.of(tenantId, robotId))
        .map(RobotRepository::first);
  }

  /** One robot of {@code tenantId}, locked until the transaction ends. */
  Future<Optional<Robot>> lock(SqlClient tx, long tenantId, long robotId) {
    return tx.preparedQuery("SELECT " + COLUMNS + " FROM robots WHERE tenant_id = $1 AND id = $2 FOR UPDATE")
        .execute(Tuple.of(tenantId, robotId))
        .map(RobotRepository::first);
  }

  Future<Optional<Credentials>> findCredentials(long robotId) {
    return pool.preparedQuery("SELECT " + COLUMNS + ", secret_sha256, token_generation FROM robots WHERE id = $1")
        .execute(Tuple.of(robotId))
        .map(rows -> {
          if (rows.size() == 0) {
            return Optional.empty();
          }
          Row row = rows.iterator().next();
          return Optional.of(new Credentials(toRobot(row), row.getBuffer("secret_sha256").getBytes(),
              row.getInteger("token_generation")));
        });
  }

  /** Disables a robot and raises its token generation. */
  Future<Disabled> disable(SqlClient tx, long robotId, String by) {
    return tx.preparedQuery("UPDATE robots SET disabled_at = now(), disabled_by = $2, "
            + "token_generation = token_generation + 1 WHERE id = $1 RETURNING " + COLUMNS + ", token_generation")
        .execute(Tuple.of(robotId, by))
        .map(rows -> {
          Row row = rows.iterator().next();
          return new Disabled(toRobot(row), row.getInteger("token_generation"));
        });
  }

  Future<Robot> enable(SqlClient tx, long robotId) {
    return tx.preparedQuery("UPDATE robots SET disabled_at = NULL, disabled_by = NULL WHERE id = $1 RETURNING "
            + COLUMNS)
        .execute(Tuple.of(robotId))
        .map(rows -> toRobot(rows.iterator().next()));
  }

  Future<Void> delete(SqlClient tx, long robotId) {
    return tx.preparedQuery("DELETE FROM robots WHERE id = $1").execute(Tuple.of(robotId)).mapEmpty();
  }

  private static Optional<Robot> first(RowSet<Row> rows) {
    return rows.size() == 0 ? Optional.empty() : Optional.of(toRobot(rows.iterator().next()));
  }

  private static Robot toRobot(Row row) {
    return new Robot(row.getLong("id"), row.getString("name"), row.getLong("tenant_id"),
        row.getOffsetDateTime("created_at").toInstant(), Timestamps.instant(row, "disabled_at"),
        row.getString("disabled_by"));
  }
}
