package org.orchestrator.identity;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import org.orchestrator.contracts.Caller;
import org.orchestrator.contracts.Page;
import org.orchestrator.contracts.PageRequest;
import org.orchestrator.contracts.Role;
import org.orchestrator.contracts.bus.RequestContext;
import org.orchestrator.contracts.identity.IdentityMessages.AuditEntry;
import org.orchestrator.platform.database.Timestamps;

/**
 * The audit of users and robots ({@code identity_audit}): one row per change, written in the
 * change's own transaction, so a change is never without its row nor a row without its change.
 */
final class AuditRepository {

  static final String USER = "User";
  static final String ROBOT = "Robot";
  private static final String COLUMNS = "id, at, tenant_id, action, target_kind, target_id, target_name, "
      + "actor_id, actor_name, actor_role, detail, actor_address";

  private final Pool pool;

  AuditRepository(Pool pool) {
    this.pool = pool;
  }

  /** Records {@code action} by {@code actor} on a target; answers the row's id. */
  Future<Long> record(SqlClient tx, Caller actor, String action, String kind, long targetId, String targetName,
      Long tenantId) {
    return tx.preparedQuery("INSERT INTO identity_audit (tenant_id, action, target_kind, target_id, target_name, "
            + "actor_id, actor_name, actor_role, actor_address) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
            + "RETURNING id")
        .execute(Tuple.tuple().addLong(tenantId).addString(action).addString(kind).addLong(targetId)
            .addString(targetName).addLong(actor.principalId()).addString(actor.name())
            .addString(actor.role().claim()).addString(RequestContext.client()))
        .map(rows -> rows.iterator().next().getLong(0));
  }

  /** Adds what became of a change once it is known (a deleted robot's jobs). */
  Future<Void> detail(long id, String detail) {
    return pool.preparedQuery("UPDATE identity_audit SET detail = $2 WHERE id = $1").execute(Tuple.of(id, detail))
        .mapEmpty();
  }

  /** A page of one tenant's rows, or every row ({@code tenantId} null), newest first. */
  Future<Page<AuditEntry>> page(Long tenantId, PageRequest page) {
    return pool.preparedQuery("SELECT " + COLUMNS + " FROM identity_audit "
            + "WHERE ($1::bigint IS NULL OR tenant_id = $1) AND ($2::bigint IS NULL OR id < $2) "
            + "ORDER BY id DESC LIMIT $3 OFFSET $4")
        .execute(Tuple.of(tenantId, page.afterId(), page.limit(), page.offset()))
        .map(rows -> {
          List<AuditEntry> entries = new ArrayList<>(rows.size());
          rows.forEach(row -> entries.add(toEntry(row)));
          return Page.of(entries, page, entry -> Long.toString(entry.id()));
        });
  }

  private static AuditEntry toEntry(Row row) {
    return new AuditEntry(row.getLong("id"), Timestamps.instant(row, "at"), row.getString("action"),
        row.getLong("tenant_id"), row.getString("target_kind"), row.getLong("target_id"),
        row.getString("target_name"), row.getLong("actor_id"), row.getString("actor_name"),
        Role.ofClaim(row.getString("actor_role")), row.getString("detail"), row.getString("actor_address"));
  }
}
