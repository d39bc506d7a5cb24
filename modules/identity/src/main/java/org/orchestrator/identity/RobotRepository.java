package org.orchestrator.identity;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.identity.IdentityMessages.Robot;
import org.orchestrator.platform.database.SqlStates;

/** Robots and the digests of their secrets in PostgreSQL. */
final class RobotRepository {

  private static final String COLUMNS = "id, tenant_id, name, created_at";

  /** A robot with its secret digest, for client-credential sign-in only. */
  record Credentials(Robot robot, byte[] secretSha256) {
  }

  private final Pool pool;

  RobotRepository(Pool pool) {
    this.pool = pool;
  }

  Future<Robot> insert(long tenantId, String name, byte[] secretSha256) {
    return pool.preparedQuery("INSERT INTO robots (tenant_id, name, secret_sha256) VALUES ($1, $2, $3) "
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
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(toRobot(rows.iterator().next())));
  }

  Future<Optional<Credentials>> findCredentials(long robotId) {
    return pool.preparedQuery("SELECT " + COLUMNS + ", secret_sha256 FROM robots WHERE id = $1")
        .execute(Tuple.of(robotId))
        .map(rows -> {
          if (rows.size() == 0) {
            return Optional.empty();
          }
          Row row = rows.iterator().next();
          return Optional.of(new Credentials(toRobot(row), row.getBuffer("secret_sha256").getBytes()));
        });
  }

  private static Robot toRobot(Row row) {
    return new Robot(row.getLong("id"), row.getString("name"), row.getLong("tenant_id"),
        row.getOffsetDateTime("created_at").toInstant());
  }
}
