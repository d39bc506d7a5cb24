package org.orchestrator.identity;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.Role;
import org.orchestrator.contracts.identity.IdentityMessages.User;
import org.orchestrator.platform.database.SqlStates;
import org.orchestrator.platform.database.Timestamps;

/** Users and their password hashes in PostgreSQL. */
final class UserRepository {

  private static final String COLUMNS = "id, tenant_id, username, role, created_at, disabled_at, disabled_by";

  /** A user with the stored hash and token generation, for sign-in only. */
  record Credentials(User user, String passwordHash, int generation) {
  }

  private final Pool pool;

  UserRepository(Pool pool) {
    this.pool = pool;
  }

  Future<User> insert(SqlClient tx, Long tenantId, String username, String passwordHash, Role role) {
    return tx.preparedQuery("INSERT INTO users (tenant_id, username, password_hash, role) "
            + "VALUES ($1, $2, $3, $4) RETURNING " + COLUMNS)
        .execute(Tuple.of(tenantId, username, passwordHash, role.claim()))
        .map(rows -> toUser(rows.iterator().next()))
        .recover(failure -> Future.failedFuture(SqlStates.isUniqueViolation(failure)
            ? Failure.conflict("a user named '" + username + "' exists already in this organization")
            : failure));
  }

  /**
   * Inserts the host administrator unless one exists; empty when another process (or an earlier
   * start) created it first.
   */
  Future<Optional<User>> insertHostAdminIfAbsent(String username, String passwordHash) {
    return pool.preparedQuery("""
            INSERT INTO users (tenant_id, username, password_hash, role)
            SELECT NULL, $1, $2, 'HostAdministrator'
            WHERE NOT EXISTS (SELECT 1 FROM users WHERE role = 'HostAdministrator')
            ON CONFLICT DO NOTHING
            RETURNING """ + " " + COLUMNS)
        .execute(Tuple.of(username, passwordHash))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(toUser(rows.iterator().next())));
  }

  Future<Boolean> hostAdminExists() {
    return pool.query("SELECT EXISTS (SELECT 1 FROM users WHERE role = 'HostAdministrator')").execute()
        .map(rows -> rows.iterator().next().getBoolean(0));
  }

  Future<Optional<Credentials>> findCredentials(Long tenantId, String username) {
    return pool.preparedQuery("SELECT " + COLUMNS + ", password_hash, token_generation FROM users "
            + "WHERE coalesce(tenant_id, 0) = coalesce($1, 0) AND lower(username) = lower($2)")
        .execute(Tuple.of(tenantId, username))
        .map(rows -> {
          if (rows.size() == 0) {
            return Optional.empty();
          }
          Row row = rows.iterator().next();
          return Optional.of(new Credentials(toUser(row), row.getString("password_hash"),
              row.getInteger("token_generation")));
        });
  }

  /** Users of one tenant, or of every organization when {@code tenantId} is null. */
  Future<List<User>> list(Long tenantId) {
    Future<RowSet<Row>> rows = tenantId == null
        ? pool.query("SELECT " + COLUMNS + " FROM users ORDER BY id").execute()
        : pool.preparedQuery("SELECT " + COLUMNS + " FROM users WHERE tenant_id = $1 ORDER BY id")
            .execute(Tuple.of(tenantId));
    return rows.map(set -> {
      List<User> users = new ArrayList<>(set.size());
      set.forEach(row -> users.add(toUser(row)));
      return users;
    });
  }

  /** One user, whatever its organization. */
  Future<Optional<User>> find(long userId) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM users WHERE id = $1").execute(Tuple.of(userId))
        .map(UserRepository::first);
  }

  /** One user of {@code tenantId}, locked until the transaction ends. */
  Future<Optional<User>> lock(SqlClient tx, long tenantId, long userId) {
    return tx.preparedQuery("SELECT " + COLUMNS + " FROM users WHERE id = $1 AND tenant_id = $2 FOR UPDATE")
        .execute(Tuple.of(userId, tenantId))
        .map(UserRepository::first);
  }

  /** The tenant's enabled administrators other than {@code userId}. */
  Future<Long> otherEnabledAdministrators(SqlClient tx, long tenantId, long userId) {
    return tx.preparedQuery("SELECT count(*) FROM users WHERE tenant_id = $1 AND role = 'Administrator' "
            + "AND disabled_at IS NULL AND id <> $2")
        .execute(Tuple.of(tenantId, userId))
        .map(rows -> rows.iterator().next().getLong(0));
  }

  /** Disables a user and raises its token generation; answers the user and its new generation. */
  Future<Disabled> disable(SqlClient tx, long userId, String by) {
    return tx.preparedQuery("UPDATE users SET disabled_at = now(), disabled_by = $2, "
            + "token_generation = token_generation + 1 WHERE id = $1 RETURNING " + COLUMNS + ", token_generation")
        .execute(Tuple.of(userId, by))
        .map(rows -> {
          Row row = rows.iterator().next();
          return new Disabled(toUser(row), row.getInteger("token_generation"));
        });
  }

  /** A user just disabled, with the generation its new tokens would carry (none are signed while disabled). */
  record Disabled(User user, int generation) {
  }

  Future<User> enable(SqlClient tx, long userId) {
    return tx.preparedQuery("UPDATE users SET disabled_at = NULL, disabled_by = NULL WHERE id = $1 RETURNING "
            + COLUMNS)
        .execute(Tuple.of(userId))
        .map(rows -> toUser(rows.iterator().next()));
  }

  Future<Void> delete(SqlClient tx, long userId) {
    return tx.preparedQuery("DELETE FROM users WHERE id = $1").execute(Tuple.of(userId)).mapEmpty();
  }

  private static Optional<User> first(RowSet<Row> rows) {
    return rows.size() == 0 ? Optional.empty() : Optional.of(toUser(rows.iterator().next()));
  }

  private static User toUser(Row row) {
    return new User(row.getLong("id"), row.getString("username"), Role.ofClaim(row.getString("role")),
        row.getLong("tenant_id"), row.getOffsetDateTime("created_at").toInstant(),
        Timestamps.instant(row, "disabled_at"), row.getString("disabled_by"));
  }
}
