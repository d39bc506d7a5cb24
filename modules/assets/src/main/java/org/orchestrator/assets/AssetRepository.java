package org.orchestrator.assets;

import org.orchestrator.contracts.Page;
import org.orchestrator.contracts.PageRequest;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.orchestrator.contracts.Failure;
import org.orchestrator.platform.database.SqlStates;
import org.orchestrator.platform.database.Timestamps;

/** The assets table; values are stored as text and typed by the service. */
final class AssetRepository {

  /** A stored asset, its value as text. */
  record Stored(long id, long tenantId, String name, String type, String value, java.time.Instant createdAt,
      java.time.Instant updatedAt) {
  }

  private static final String COLUMNS = "id, tenant_id, name, type, value, created_at, updated_at";

  private final Pool pool;

  AssetRepository(Pool pool) {
    this.pool = pool;
  }

  Future<Stored> insert(long tenantId, String name, String type, String value) {
    return pool.preparedQuery("INSERT INTO assets (tenant_id, name, type, value) VALUES ($1, $2, $3, $4) RETURNING "
            + COLUMNS)
        .execute(Tuple.of(tenantId, name, type, value))
        .map(rows -> toStored(rows.iterator().next()))
        .recover(failure -> Future.failedFuture(SqlStates.isUniqueViolation(failure)
            ? Failure.conflict("the tenant has an asset named '" + name + "' already (names ignore case)")
            : failure));
  }

  Future<Optional<Stored>> update(long tenantId, long id, String value) {
    return pool.preparedQuery("UPDATE assets SET value = $3, updated_at = now() WHERE id = $1 AND tenant_id = $2 "
            + "RETURNING " + COLUMNS)
        .execute(Tuple.of(id, tenantId, value))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(toStored(rows.iterator().next())));
  }

  Future<Optional<Stored>> find(long tenantId, long id) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM assets WHERE id = $1 AND tenant_id = $2")
        .execute(Tuple.of(id, tenantId))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(toStored(rows.iterator().next())));
  }

  Future<Optional<Stored>> byName(long tenantId, String name) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM assets WHERE tenant_id = $1 AND lower(name) = lower($2)")
        .execute(Tuple.of(tenantId, name))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(toStored(rows.iterator().next())));
  }

  Future<Boolean> delete(long tenantId, long id) {
    return pool.preparedQuery("DELETE FROM assets WHERE id = $1 AND tenant_id = $2")
        .execute(Tuple.of(id, tenantId))
        .map(rows -> rows.rowCount() > 0);
  }

  /** A page of a tenant's assets by name, case-insensitive (keyset on lower(name): assets_tenant_name). */
  Future<Page<Stored>> page(long tenantId, PageRequest page) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM assets WHERE tenant_id = $1 "
            + "AND ($2::text IS NULL OR lower(name) > lower($2)) ORDER BY lower(name) LIMIT $3 OFFSET $4")
        .execute(Tuple.of(tenantId, page.afterMatching(AssetService.NAME), page.limit(), page.offset()))
        .map(rows -> {
          List<Stored> list = new ArrayList<>(rows.size());
          rows.forEach(row -> list.add(toStored(row)));
          return Page.of(list, page, Stored::name);
        });
  }

  private static Stored toStored(Row row) {
    return new Stored(row.getLong("id"), row.getLong("tenant_id"), row.getString("name"), row.getString("type"),
        row.getString("value"), Timestamps.instant(row, "created_at"), Timestamps.instant(row, "updated_at"));
  }
}
