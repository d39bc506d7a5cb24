package org.orchestrator.identity;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.identity.IdentityMessages.Tenant;
import org.orchestrator.platform.database.SqlStates;

/** Tenants in PostgreSQL. */
final class TenantRepository {

  private final Pool pool;

  TenantRepository(Pool pool) {
    this.pool = pool;
  }

  Future<Tenant> insert(String name) {
    return pool.preparedQuery("INSERT INTO tenants (name) VALUES ($1) RETURNING id, name, created_at")
        .execute(Tuple.of(name))
        .map(rows -> toTenant(rows.iterator().next()))
        .recover(failure -> Future.failedFuture(SqlStates.isUniqueViolation(failure)
            ? Failure.conflict("a tenant named '" + name + "' exists already") : failure));
  }

  Future<List<Tenant>> list() {
    return pool.query("SELECT id, name, created_at FROM tenants ORDER BY id").execute()
        .map(rows -> {
          List<Tenant> tenants = new ArrayList<>(rows.size());
          rows.forEach(row -> tenants.add(toTenant(row)));
          return tenants;
        });
  }

  Future<Optional<Tenant>> findByName(String name) {
    return pool.preparedQuery("SELECT id, name, created_at FROM tenants WHERE lower(name) = lower($1)")
        .execute(Tuple.of(name))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(toTenant(rows.iterator().next())));
  }

  Future<Optional<Tenant>> findById(long id) {
    return pool.preparedQuery("SELECT id, name, created_at FROM tenants WHERE id = $1")
        .execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(toTenant(rows.iterator().next())));
  }

  /**
   * A tenant, locked until the transaction ends: the changes that count a tenant's administrators
   * take it first, so two of them never both count the other one.
   */
  Future<Optional<Tenant>> lock(SqlClient tx, long id) {
    return tx.preparedQuery("SELECT id, name, created_at FROM tenants WHERE id = $1 FOR UPDATE")
        .execute(Tuple.of(id))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(toTenant(rows.iterator().next())));
  }

  private static Tenant toTenant(Row row) {
    OffsetDateTime created = row.getOffsetDateTime("created_at");
    return new Tenant(row.getLong("id"), row.getString("name"), created.toInstant());
  }
}
