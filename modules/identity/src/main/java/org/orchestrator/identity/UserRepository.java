package org.orchestrator.identity;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.Role;
import org.orchestrator.contracts.identity.IdentityMessages.User;
import org.orchestrator.platform.database.SqlStates;

/** Users and their password hashes in PostgreSQL. */
final class UserRepository {

  private static final String COLUMNS = "id, tenant_id, username, role, created_at";

  /** A user with the stored hash, for sign-in only. */
  record Credentials(User user, String passwordHash) {
  }

  private final Pool pool;

  UserRepository(Pool pool) {
    this.pool = pool;
  }

  Future<User> insert(Long tenantId, String username, String passwordHash, Role role) {
    return pool.preparedQuery("INSERT INTO users (tenant_id, username, password_hash, role) "
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
    return pool.preparedQuery("SELECT " + COLUMNS + ", password_hash FROM users "
            + "WHERE coalesce(tenant_id, 0) = coalesce($1, 0) AND lower(username) = lower($2)")
        .execute(Tuple.of(tenantId, username))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(
            new Credentials(toUser(rows.iterator().next()), rows.iterator().next().getString("password_hash"))));
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

  private static User toUser(Row row) {
    return new User(row.getLong("id"), row.getString("username"), Role.ofClaim(row.getString("role")),
        row.getLong("tenant_id"), row.getOffsetDateTime("created_at").toInstant());
  }
}
