package org.orchestrator.phase;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.phase.MaintenancePhase;
import org.orchestrator.contracts.phase.PhaseMessages.DrainProgress;
import org.orchestrator.contracts.phase.PhaseMessages.EventWindow;
import org.orchestrator.contracts.phase.PhaseMessages.MaintenanceEvent;
import org.orchestrator.contracts.phase.PhaseMessages.MaintenancePlan;
import org.orchestrator.contracts.phase.PhaseMessages.PlanState;
import org.orchestrator.contracts.phase.PhaseMessages.Exemption;
import org.orchestrator.contracts.phase.PhaseMessages.PhaseSnapshot;
import org.orchestrator.contracts.phase.PhaseMessages.Transition;
import org.orchestrator.contracts.phase.PhaseMessages.TenantWindow;
import org.orchestrator.platform.database.Timestamps;

/**
 * The stored phase. Every change runs in one transaction: the audit row, the window, and the state
 * row, the last as a compare-and-set on {@code version}, so two writers (threads or nodes) can
 * never both win; the loser gets CONFLICT and nothing of its change is kept.
 */
final class PhaseRepository {

  private final Pool pool;
  private final String channel;

  /** @param channel the PostgreSQL NOTIFY channel every stored change is announced on */
  PhaseRepository(Pool pool, String channel) {
    this.pool = pool;
    this.channel = channel;
  }

  /** The payload of a NOTIFY that announces a new progress (any other payload is a state version). */
  static final String PROGRESS = "progress";

  /** The NOTIFY channel of a schema: nodes sharing a database and schema share the channel. */
  static String channel(String schema) {
    return ("orchestrator_phase_" + schema).toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
  }

  Future<PhaseSnapshot> load() {
    return load(pool);
  }

  /**
   * Opens a window in {@code phase} (Draining). {@code planId}: the plan that opens it, which leaves
   * Planned in the same transaction (CONFLICT, and nothing kept, when it already left).
   */
  Future<PhaseSnapshot> open(long expectedVersion, MaintenancePhase phase, Instant at, String by, String reason,
      Duration killAfter, boolean autoSuspend, Long planId, Instant expectedEnd) {
    Instant deadline = killAfter == null ? null : at.plus(killAfter);
    return pool.withTransaction(tx -> tx.preparedQuery("""
            INSERT INTO maintenance_windows (started_at, started_by, reason, kill_after_seconds, kill_deadline_at,
              auto_suspend, plan_id, expected_end) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id""")
        .execute(Tuple.of(Timestamps.utc(at), by, reason, killAfter == null ? null : killAfter.toSeconds(), Timestamps.utc(deadline),
            autoSuspend, planId, Timestamps.utc(expectedEnd)))
        .compose(rows -> {
          long windowId = rows.iterator().next().getLong(0);
          Future<Void> planned = planId == null ? Future.succeededFuture()
              : tx.preparedQuery("UPDATE maintenance_plans SET state = 'Started', settled_at = $2, settled_by = 'system', "
                      + "window_id = $3 WHERE id = $1 AND state = 'Planned'")
                  .execute(Tuple.of(planId, Timestamps.utc(at), windowId))
                  .compose(updated -> updated.rowCount() == 1 ? Future.<Void>succeededFuture()
                      : Future.failedFuture(Failure.conflict("plan " + planId + " is no longer planned")));
          return planned.compose(ok -> copyExemptions(tx, windowId, null))
              .compose(ok -> record(tx, windowId, phase, true, at, by, reason))
              .compose(ok -> setState(tx, expectedVersion, phase, windowId, at));
        })
        .compose(ok -> load(tx)));
  }

  /**
   * Records an action on the open window; {@code changed} when it moves the phase to {@code phase}
   * ({@code null} phase: the current one).
   */
  Future<PhaseSnapshot> act(long expectedVersion, long windowId, MaintenancePhase phase, boolean changed, Instant at,
      String by, String note) {
    return pool.withTransaction(tx -> record(tx, windowId, phase, changed, at, by, note)
        .compose(ok -> changed ? setState(tx, expectedVersion, phase, windowId, at) : bump(tx, expectedVersion))
        .compose(ok -> load(tx)));
  }

  /** Changes the open window's options (a Start Draining that names new ones). */
  Future<PhaseSnapshot> updateOptions(long expectedVersion, long windowId, Instant at, String by, String reason,
      Duration killAfter, Boolean autoSuspend) {
    Instant deadline = killAfter == null ? null : at.plus(killAfter);
    return pool.withTransaction(tx -> tx.preparedQuery("""
            UPDATE maintenance_windows SET
              reason = coalesce($2, reason),
              kill_after_seconds = coalesce($3, kill_after_seconds),
              kill_deadline_at = coalesce($4, kill_deadline_at),
              auto_suspend = coalesce($5, auto_suspend)
            WHERE id = $1""")
        .execute(Tuple.of(windowId, reason, killAfter == null ? null : killAfter.toSeconds(), Timestamps.utc(deadline),
            autoSuspend))
        .compose(ok -> record(tx, windowId, null, false, at, by, "options changed"))
        .compose(ok -> bump(tx, expectedVersion))
        .compose(ok -> load(tx)));
  }

  /** Closes the window and returns to None. */
  Future<PhaseSnapshot> close(long expectedVersion, long windowId, Instant at, String by) {
    return pool.withTransaction(tx -> tx.preparedQuery(
            "UPDATE maintenance_windows SET ended_at = $2, ended_by = $3 WHERE id = $1 AND ended_at IS NULL")
        .execute(Tuple.of(windowId, Timestamps.utc(at), by))
        .compose(ok -> record(tx, windowId, MaintenancePhase.None, true, at, by, null))
        .compose(ok -> setState(tx, expectedVersion, MaintenancePhase.None, windowId, at))
        .compose(ok -> load(tx)));
  }

  /** A window's end as stored: when, by whom. */
  record EndedWindow(long windowId, Instant endedAt, String endedBy) {
  }

  /** Those of {@code windowIds} that have ended, in order, with their end. */
  Future<List<EndedWindow>> ended(List<Long> windowIds) {
    return pool.preparedQuery("SELECT id, ended_at, ended_by FROM maintenance_windows WHERE id = ANY($1) "
            + "AND ended_at IS NOT NULL ORDER BY id")
        .execute(Tuple.tuple().addArrayOfLong(windowIds.toArray(Long[]::new)))
        .map(rows -> {
          List<EndedWindow> ended = new ArrayList<>(rows.size());
          rows.forEach(row -> ended.add(new EndedWindow(row.getLong("id"), Timestamps.instant(row, "ended_at"),
              row.getString("ended_by"))));
          return ended;
        });
  }

  /** A claim of the drain deadline's Kill: run it now, done already, or held by another node. */
  enum DeadlineClaim { CLAIMED, DONE, HELD }

  /**
   * Claims the Kill at the drain deadline of an open window for this node, unless it is done, the
   * window ended, or another node claimed it less than {@code lease} ago.
   */
  Future<DeadlineClaim> claimDeadlineKill(long windowId, Duration lease) {
    return pool.preparedQuery("""
            UPDATE maintenance_windows SET deadline_kill_claimed_at = now()
            WHERE id = $1 AND ended_at IS NULL AND deadline_kill_done_at IS NULL
              AND (deadline_kill_claimed_at IS NULL OR deadline_kill_claimed_at < now() - make_interval(secs => $2))
            RETURNING id""")
        .execute(Tuple.of(windowId, lease.toSeconds()))
        .compose(claimed -> claimed.size() > 0 ? Future.succeededFuture(DeadlineClaim.CLAIMED)
            : pool.preparedQuery("SELECT deadline_kill_done_at IS NOT NULL OR ended_at IS NOT NULL "
                    + "FROM maintenance_windows WHERE id = $1").execute(Tuple.of(windowId))
                .map(rows -> rows.size() == 0 || rows.iterator().next().getBoolean(0)
                    ? DeadlineClaim.DONE : DeadlineClaim.HELD));
  }

  /** Records the deadline's Kill as sent ({@code done}), or gives the claim up so it is tried again. */
  Future<Void> settleDeadlineKill(long windowId, boolean done) {
    return pool.preparedQuery(done
            ? "UPDATE maintenance_windows SET deadline_kill_done_at = now() WHERE id = $1"
            : "UPDATE maintenance_windows SET deadline_kill_claimed_at = NULL WHERE id = $1 "
                + "AND deadline_kill_done_at IS NULL")
        .execute(Tuple.of(windowId))
        .mapEmpty();
  }

  private static Future<Void> record(SqlClient tx, long windowId, MaintenancePhase phase, boolean changed,
      Instant at, String by, String note) {
    return tx.preparedQuery("""
            INSERT INTO maintenance_transitions (window_id, phase, changed, at, by, note)
            VALUES ($1, coalesce($2, (SELECT phase FROM maintenance_state WHERE id = 1)), $3, $4, $5, $6)""")
        .execute(Tuple.of(windowId, phase == null ? null : phase.name(), changed, Timestamps.utc(at), by, note))
        .mapEmpty();
  }

  private Future<Void> setState(SqlClient tx, long expectedVersion, MaintenancePhase phase, long windowId,
      Instant at) {
    return tx.preparedQuery("""
            UPDATE maintenance_state SET version = version + 1, phase = $2, window_id = $3, phase_since = $4,
              updated_at = now()
            WHERE id = 1 AND version = $1""")
        .execute(Tuple.of(expectedVersion, phase.name(), windowId, Timestamps.utc(at)))
        .compose(rows -> announced(tx, rows.rowCount(), expectedVersion))
        .compose(ok -> event(tx, EVENT_OF_PHASE.get(phase), at, windowId, null));
  }

  /** The webhook event of entering each phase. */
  private static final java.util.Map<MaintenancePhase, String> EVENT_OF_PHASE = java.util.Map.of(
      MaintenancePhase.Draining, "maintenance.draining", MaintenancePhase.Suspended, "maintenance.suspended",
      MaintenancePhase.None, "maintenance.ended");

  /**
   * Stores an event; called after the compare-and-set on the state row, whose lock orders writers, so
   * that event ids grow in commit order. A window's event names the plan that opened it.
   */
  private static Future<Void> event(SqlClient tx, String type, Instant at, Long windowId, Long planId) {
    return event(tx, type, at, windowId, planId, null);
  }

  private static Future<Void> event(SqlClient tx, String type, Instant at, Long windowId, Long planId, Long tenantId) {
    return tx.preparedQuery("""
            INSERT INTO maintenance_events (type, at, window_id, plan_id, tenant_id)
            VALUES ($1, $2, $3, coalesce($4, (SELECT plan_id FROM maintenance_windows WHERE id = $3)), $5)""")
        .execute(Tuple.of(type, Timestamps.utc(at), windowId, planId, tenantId))
        .mapEmpty();
  }

  // A tenant's own window. Each change records the transition, changes the tenant's row and moves
  // the one state version (the compare-and-set every writer passes), in one transaction.

  /** Opens a tenant's own window in {@code phase}. */
  Future<PhaseSnapshot> openTenant(long expectedVersion, long tenantId, MaintenancePhase phase, Instant at, String by,
      String reason) {
    return pool.withTransaction(tx -> bump(tx, expectedVersion)
        .compose(ok -> tx.preparedQuery("INSERT INTO maintenance_windows (started_at, started_by, reason, "
                + "kill_after_seconds, kill_deadline_at, auto_suspend, tenant_id) VALUES ($1, $2, $3, NULL, NULL, false, $4) "
                + "RETURNING id")
            .execute(Tuple.of(Timestamps.utc(at), by, reason, tenantId)))
        .compose(rows -> {
          long windowId = rows.iterator().next().getLong(0);
          return copyExemptions(tx, windowId, tenantId)
              .compose(ok -> recordTenant(tx, windowId, phase, true, at, by, reason))
              .compose(ok -> tx.preparedQuery("INSERT INTO tenant_maintenance_state (tenant_id, phase, window_id, "
                      + "phase_since) VALUES ($1, $2, $3, $4)")
                  .execute(Tuple.of(tenantId, phase.name(), windowId, Timestamps.utc(at))))
              .compose(ok -> event(tx, EVENT_OF_PHASE.get(phase), at, windowId, null, tenantId));
        })
        .compose(ok -> load(tx)));
  }

  /** Records an action on a tenant's open window; {@code changed}: it moves the tenant to {@code phase}. */
  Future<PhaseSnapshot> actTenant(long expectedVersion, long tenantId, long windowId, MaintenancePhase phase,
      boolean changed, Instant at, String by, String note) {
    return pool.withTransaction(tx -> bump(tx, expectedVersion)
        .compose(ok -> recordTenant(tx, windowId, phase, changed, at, by, note))
        .compose(ok -> !changed ? Future.<Void>succeededFuture()
            : tx.preparedQuery("UPDATE tenant_maintenance_state SET phase = $2, phase_since = $3 WHERE tenant_id = $1")
                .execute(Tuple.of(tenantId, phase.name(), Timestamps.utc(at)))
                .compose(updated -> event(tx, EVENT_OF_PHASE.get(phase), at, windowId, null, tenantId)))
        .compose(ok -> load(tx)));
  }

  /** Closes a tenant's own window: the tenant is out of maintenance. */
  Future<PhaseSnapshot> closeTenant(long expectedVersion, long tenantId, long windowId, Instant at, String by) {
    return pool.withTransaction(tx -> bump(tx, expectedVersion)
        .compose(ok -> tx.preparedQuery(
                "UPDATE maintenance_windows SET ended_at = $2, ended_by = $3 WHERE id = $1 AND ended_at IS NULL")
            .execute(Tuple.of(windowId, Timestamps.utc(at), by)))
        .compose(ok -> recordTenant(tx, windowId, MaintenancePhase.None, true, at, by, null))
        .compose(ok -> tx.preparedQuery("DELETE FROM tenant_maintenance_state WHERE tenant_id = $1")
            .execute(Tuple.of(tenantId)))
        .compose(ok -> event(tx, EVENT_OF_PHASE.get(MaintenancePhase.None), at, windowId, null, tenantId))
        .compose(ok -> load(tx)));
  }

  // Exemptions (decision 116): the list in force, and each window's copy of it.

  /** A window takes the list in force as it opens: every item (the platform's), or one tenant's. */
  private static Future<Void> copyExemptions(SqlClient tx, long windowId, Long tenantId) {
    return tx.preparedQuery("""
            INSERT INTO window_exemptions (window_id, tenant_id, process_name, reason)
            SELECT $1, tenant_id, process_name, reason FROM maintenance_exemptions
            WHERE $2::bigint IS NULL OR tenant_id = $2""")
        .execute(Tuple.of(windowId, tenantId))
        .mapEmpty();
  }

  /** Every exemption a window had, also those the host ended while it was open (kept after End). */
  Future<List<Exemption>> windowExemptions(long windowId) {
    return pool.preparedQuery("SELECT tenant_id, process_name, reason FROM window_exemptions WHERE window_id = $1 "
            + "ORDER BY tenant_id, process_name").execute(Tuple.of(windowId))
        .map(rows -> {
          List<Exemption> items = new ArrayList<>(rows.size());
          rows.forEach(row -> items.add(new Exemption(row.getLong(0), row.getString(1), row.getString(2))));
          return List.copyOf(items);
        });
  }

  /** The list in force, by tenant and process. */
  Future<List<ExemptionEntry>> exemptions() {
    return pool.query("SELECT tenant_id, process_name, reason, set_at, set_by FROM maintenance_exemptions "
            + "ORDER BY tenant_id, process_name").execute()
        .map(rows -> {
          List<ExemptionEntry> items = new ArrayList<>(rows.size());
          rows.forEach(row -> items.add(new ExemptionEntry(new Exemption(row.getLong("tenant_id"),
              row.getString("process_name"), row.getString("reason")), Timestamps.instant(row, "set_at"),
              row.getString("set_by"))));
          return items;
        });
  }

  /** An item of the list in force, with when and by whom the list holding it was set. */
  record ExemptionEntry(Exemption item, Instant setAt, String setBy) {
  }

  /**
   * Replaces the list in force, and the list of every open window (the platform's: every item; a
   * tenant's own: its items; a dropped item ends there, kept for the records), recording the change
   * in each open window; moves the state version
   * (and takes the start fence), so that every node reloads and no start is decided on the old list.
   */
  Future<PhaseSnapshot> replaceExemptions(long expectedVersion, List<Exemption> items, Instant at, String by,
      String note) {
    Long[] tenants = items.stream().map(Exemption::tenantId).toArray(Long[]::new);
    String[] processes = items.stream().map(Exemption::processName).toArray(String[]::new);
    String[] reasons = items.stream().map(Exemption::reason).toArray(String[]::new);
    return pool.withTransaction(tx -> bump(tx, expectedVersion)
        .compose(ok -> tx.query("DELETE FROM maintenance_exemptions").execute())
        .compose(ok -> tx.preparedQuery("""
                INSERT INTO maintenance_exemptions (tenant_id, process_name, reason, set_at, set_by)
                SELECT t, p, r, $4, $5 FROM unnest($1::bigint[], $2::text[], $3::text[]) AS x(t, p, r)""")
            .execute(Tuple.tuple().addArrayOfLong(tenants).addArrayOfString(processes).addArrayOfString(reasons)
                .addOffsetDateTime(Timestamps.utc(at)).addString(by)))
        .compose(ok -> tx.query("""
                SELECT s.window_id, NULL::bigint AS tenant_id FROM maintenance_state s WHERE s.id = 1 AND s.phase <> 'None'
                UNION ALL SELECT window_id, tenant_id FROM tenant_maintenance_state ORDER BY 1""").execute())
        .compose(open -> {
          Future<Void> all = Future.succeededFuture();
          for (Row window : open) {
            long windowId = window.getLong("window_id");
            Long tenantId = window.getLong("tenant_id");
            // an item the new list drops ends (kept for the window's records); a new or changed one is in effect
            all = all.compose(ok -> tx.preparedQuery("""
                    UPDATE window_exemptions e SET ended_at = $2 WHERE e.window_id = $1 AND e.ended_at IS NULL
                      AND NOT EXISTS (SELECT 1 FROM maintenance_exemptions m WHERE m.tenant_id = e.tenant_id
                                      AND m.process_name = e.process_name)""")
                    .execute(Tuple.of(windowId, Timestamps.utc(at))))
                .compose(ok -> tx.preparedQuery("""
                    INSERT INTO window_exemptions (window_id, tenant_id, process_name, reason)
                    SELECT $1, tenant_id, process_name, reason FROM maintenance_exemptions
                    WHERE $2::bigint IS NULL OR tenant_id = $2
                    ON CONFLICT (window_id, tenant_id, process_name)
                    DO UPDATE SET reason = excluded.reason, ended_at = NULL""")
                    .execute(Tuple.of(windowId, tenantId)))
                .compose(ok -> tx.preparedQuery("""
                        INSERT INTO maintenance_transitions (window_id, phase, changed, at, by, note)
                        VALUES ($1, coalesce((SELECT phase FROM tenant_maintenance_state WHERE window_id = $1),
                                             (SELECT phase FROM maintenance_state WHERE id = 1)), false, $2, $3, $4)""")
                    .execute(Tuple.of(windowId, Timestamps.utc(at), by, note)))
                .mapEmpty();
          }
          return all;
        })
        .compose(ok -> load(tx)));
  }

  private static Future<Void> recordTenant(SqlClient tx, long windowId, MaintenancePhase phase, boolean changed,
      Instant at, String by, String note) {
    return tx.preparedQuery("INSERT INTO maintenance_transitions (window_id, phase, changed, at, by, note) "
            + "VALUES ($1, $2, $3, $4, $5, $6)")
        .execute(Tuple.of(windowId, phase.name(), changed, Timestamps.utc(at), by, note))
        .mapEmpty();
  }

  private Future<Void> bump(SqlClient tx, long expectedVersion) {
    return tx.preparedQuery("UPDATE maintenance_state SET version = version + 1, updated_at = now() "
            + "WHERE id = 1 AND version = $1")
        .execute(Tuple.of(expectedVersion))
        .compose(rows -> announced(tx, rows.rowCount(), expectedVersion));
  }

  /**
   * After the compare-and-set: close the start fence until commit (every transaction that starts
   * work holds it shared, see {@code V600__start_fence.sql}) and NOTIFY the other nodes (delivered
   * at commit), or CONFLICT.
   */
  private Future<Void> announced(SqlClient tx, int updated, long expectedVersion) {
    if (updated != 1) {
      return Future.failedFuture(Failure.conflict("the maintenance phase changed meanwhile; read it and retry"));
    }
    return tx.preparedQuery("SELECT pg_advisory_xact_lock(maintenance_fence_key()), pg_notify($1, $2)")
        .execute(Tuple.of(channel, Long.toString(expectedVersion + 1)))
        .mapEmpty();
  }

  /** A progress computed at state {@code version}, as the tick computed it; tells the other nodes. */
  record StoredProgress(long version, Instant computedAt, DrainProgress progress) {
  }

  /** Stores the tick's progress (the one row) and announces it on the channel ({@value #PROGRESS}). */
  Future<Void> saveProgress(long version, DrainProgress progress) {
    return pool.withTransaction(tx -> tx.preparedQuery("""
            INSERT INTO maintenance_progress (id, state_version, computed_at, body) VALUES (1, $1, $2, $3)
            ON CONFLICT (id) DO UPDATE SET state_version = $1, computed_at = $2, body = $3""")
        .execute(Tuple.of(version, Timestamps.utc(progress.at()), ProgressJson.write(progress)))
        .compose(ok -> tx.preparedQuery("SELECT pg_notify($1, $2)").execute(Tuple.of(channel, PROGRESS)))
        .mapEmpty());
  }

  /** The progress the tick stored last, if any. */
  Future<StoredProgress> loadProgress() {
    return pool.query("SELECT state_version, computed_at, body FROM maintenance_progress WHERE id = 1").execute()
        .map(rows -> {
          if (rows.size() == 0) {
            return null;
          }
          Row row = rows.iterator().next();
          return new StoredProgress(row.getLong(0), Timestamps.instant(row.getOffsetDateTime(1)),
              ProgressJson.read((JsonObject) row.getValue(2)));
        });
  }

  private static final String PLAN_COLUMNS = "SELECT id, drain_at, kill_after_seconds, auto_suspend, expected_end, "
      + "reason, state, created_at, created_by, settled_at, settled_by, window_id FROM maintenance_plans";

  private static MaintenancePlan plan(Row row) {
    Long killAfter = row.getLong("kill_after_seconds");
    return new MaintenancePlan(row.getLong("id"), Timestamps.instant(row.getOffsetDateTime("drain_at")),
        killAfter == null ? null : Duration.ofSeconds(killAfter), row.getBoolean("auto_suspend"),
        Timestamps.instant(row.getOffsetDateTime("expected_end")), row.getString("reason"),
        PlanState.valueOf(row.getString("state")), Timestamps.instant(row.getOffsetDateTime("created_at")),
        row.getString("created_by"), Timestamps.instant(row.getOffsetDateTime("settled_at")), row.getString("settled_by"),
        row.getLong("window_id"));
  }

  /**
   * Stores a plan (refused beyond {@code maxPlanned} waiting ones) and its {@code maintenance.planned}
   * event; every node reloads (the upcoming plan is part of the state).
   */
  Future<MaintenancePlan> createPlan(long expectedVersion, Instant drainAt, Duration killAfter, boolean autoSuspend,
      Instant expectedEnd, String reason, Instant at, String by, int maxPlanned) {
    return pool.withTransaction(tx -> bump(tx, expectedVersion)
        .compose(ok -> tx.query("SELECT count(*) FROM maintenance_plans WHERE state = 'Planned'").execute())
        .compose(count -> count.iterator().next().getLong(0) >= maxPlanned
            ? Future.failedFuture(Failure.conflict(maxPlanned + " plans are waiting already, the limit; cancel one "
                + "first"))
            : tx.preparedQuery("""
                INSERT INTO maintenance_plans (drain_at, kill_after_seconds, auto_suspend, expected_end, reason,
                  created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id""")
                .execute(Tuple.of(Timestamps.utc(drainAt), killAfter == null ? null : killAfter.toSeconds(), autoSuspend,
                    Timestamps.utc(expectedEnd), reason, Timestamps.utc(at), by)))
        .compose(rows -> {
          long id = rows.iterator().next().getLong(0);
          return event(tx, "maintenance.planned", at, null, id).compose(ok -> plan(tx, id));
        }));
  }

  /** Cancels a plan still Planned (NOT_FOUND, or CONFLICT naming its state) with its event. */
  Future<MaintenancePlan> cancelPlan(long expectedVersion, long id, Instant at, String by) {
    return pool.withTransaction(tx -> plan(tx, id).compose(plan -> {
      if (plan.state() != PlanState.Planned) {
        return Future.failedFuture(Failure.conflict("plan " + id + " is " + plan.state() + ", not Planned"
            + (plan.state() == PlanState.Started ? "; its window is ended with End" : "")));
      }
      return bump(tx, expectedVersion)
          .compose(ok -> tx.preparedQuery("UPDATE maintenance_plans SET state = 'Cancelled', settled_at = $2, "
              + "settled_by = $3 WHERE id = $1").execute(Tuple.of(id, Timestamps.utc(at), by)))
          .compose(ok -> event(tx, "maintenance.cancelled", at, null, id))
          .compose(ok -> plan(tx, id));
    }));
  }

  /** A plan whose drainAt came while a window was open: that window goes on, the plan is settled. */
  Future<Boolean> supersede(long expectedVersion, long id, long windowId, Instant at) {
    return pool.withTransaction(tx -> tx.preparedQuery("UPDATE maintenance_plans SET state = 'Superseded', "
            + "settled_at = $2, settled_by = 'system', window_id = $3 WHERE id = $1 AND state = 'Planned'")
        .execute(Tuple.of(id, Timestamps.utc(at), windowId))
        .compose(updated -> updated.rowCount() == 1 ? bump(tx, expectedVersion).map(true)
            : Future.succeededFuture(false)));
  }

  /** The earliest plan whose drainAt is at or before {@code now}, if any. */
  Future<MaintenancePlan> duePlan(Instant now) {
    return pool.preparedQuery(PLAN_COLUMNS + " WHERE state = 'Planned' AND drain_at <= $1 ORDER BY drain_at, id LIMIT 1")
        .execute(Tuple.of(Timestamps.utc(now)))
        .map(rows -> rows.size() == 0 ? null : plan(rows.iterator().next()));
  }

  /** Plans, newest drainAt first: all of them, or those still Planned; at most {@code limit}. */
  Future<List<MaintenancePlan>> plans(boolean all, int limit) {
    return pool.preparedQuery(PLAN_COLUMNS + (all ? "" : " WHERE state = 'Planned'")
            + " ORDER BY drain_at DESC, id DESC LIMIT $1")
        .execute(Tuple.of(limit))
        .map(rows -> {
          List<MaintenancePlan> list = new ArrayList<>();
          rows.forEach(row -> list.add(plan(row)));
          return list;
        });
  }

  private static Future<MaintenancePlan> plan(SqlClient client, long id) {
    return client.preparedQuery(PLAN_COLUMNS + " WHERE id = $1").execute(Tuple.of(id))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(Failure.notFound("no plan " + id))
            : Future.succeededFuture(plan(rows.iterator().next())));
  }

  /** The events after {@code after}, oldest first, each with its window and plan as they are now. */
  Future<List<MaintenanceEvent>> events(long after, int limit) {
    return pool.preparedQuery("""
            SELECT e.id AS event_id, e.type, e.at AS event_at, e.window_id, e.plan_id, e.tenant_id AS event_tenant,
                   w.started_at, w.started_by, w.reason AS window_reason, w.expected_end AS window_expected_end,
                   w.ended_at, w.ended_by
            FROM maintenance_events e LEFT JOIN maintenance_windows w ON w.id = e.window_id
            WHERE e.id > $1 ORDER BY e.id LIMIT $2""")
        .execute(Tuple.of(after, limit))
        .compose(rows -> {
          List<Row> list = new ArrayList<>();
          rows.forEach(list::add);
          List<Long> planIds = list.stream().map(r -> r.getLong("plan_id")).filter(java.util.Objects::nonNull).distinct()
              .toList();
          Future<java.util.Map<Long, MaintenancePlan>> plans = planIds.isEmpty()
              ? Future.succeededFuture(java.util.Map.of())
              : pool.preparedQuery(PLAN_COLUMNS + " WHERE id = ANY($1)").execute(Tuple.of(planIds.toArray(Long[]::new)))
                  .map(found -> {
                    java.util.Map<Long, MaintenancePlan> byId = new java.util.HashMap<>();
                    found.forEach(r -> byId.put(r.getLong("id"), plan(r)));
                    return byId;
                  });
          return plans.map(byId -> list.stream().map(r -> {
            Long windowId = r.getLong("window_id");
            EventWindow window = windowId == null ? null : new EventWindow(windowId,
                Timestamps.instant(r.getOffsetDateTime("started_at")), r.getString("started_by"),
                r.getString("window_reason"), Timestamps.instant(r.getOffsetDateTime("window_expected_end")),
                Timestamps.instant(r.getOffsetDateTime("ended_at")), r.getString("ended_by"));
            Long planId = r.getLong("plan_id");
            return new MaintenanceEvent(r.getLong("event_id"), r.getString("type"),
                Timestamps.instant(r.getOffsetDateTime("event_at")), window, planId == null ? null : byId.get(planId),
                r.getLong("event_tenant"));
          }).toList());
        });
  }

  private record Loaded(List<Transition> transitions, MaintenancePlan upcoming) {
  }

  private static Future<PhaseSnapshot> load(SqlClient client) {
    return client.query("""
            SELECT s.version, s.phase, s.window_id, s.phase_since, w.started_at, w.started_by, w.reason,
                   w.kill_after_seconds, w.kill_deadline_at, w.auto_suspend, w.ended_at, w.expected_end
            FROM maintenance_state s LEFT JOIN maintenance_windows w ON w.id = s.window_id
            WHERE s.id = 1""").execute()
        .compose(rows -> {
          Row row = rows.iterator().next();
          Long windowId = row.getLong("window_id");
          Future<List<Transition>> transitions = windowId == null ? Future.succeededFuture(List.of())
              : client.preparedQuery("SELECT phase, changed, at, by, note FROM maintenance_transitions "
                      + "WHERE window_id = $1 ORDER BY id")
                  .execute(Tuple.of(windowId))
                  .map(list -> {
                    List<Transition> result = new ArrayList<>();
                    for (Row t : list) {
                      result.add(new Transition(MaintenancePhase.valueOf(t.getString("phase")),
                          t.getBoolean("changed"), Timestamps.instant(t.getOffsetDateTime("at")), t.getString("by"),
                          t.getString("note")));
                    }
                    return result;
                  });
          Long killAfter = row.getLong("kill_after_seconds");
          // one query after the other: inside a transaction they share its connection
          return transitions.compose(list -> client.query(PLAN_COLUMNS
                  + " WHERE state = 'Planned' ORDER BY drain_at, id LIMIT 1").execute()
              .map(plans -> new Loaded(list, plans.size() == 0 ? null : plan(plans.iterator().next()))))
              .compose(loaded -> tenantWindows(client).compose(tenants -> openExemptions(client)
                  .map(exemptions -> new PhaseSnapshot(row.getLong("version"),
              MaintenancePhase.valueOf(row.getString("phase")), windowId, Timestamps.instant(row.getOffsetDateTime("started_at")),
              Timestamps.instant(row.getOffsetDateTime("phase_since")), row.getString("started_by"), row.getString("reason"),
              killAfter == null ? null : Duration.ofSeconds(killAfter), Timestamps.instant(row.getOffsetDateTime("kill_deadline_at")),
              Boolean.TRUE.equals(row.getBoolean("auto_suspend")), Timestamps.instant(row.getOffsetDateTime("ended_at")),
              List.copyOf(loaded.transitions()), Timestamps.instant(row.getOffsetDateTime("expected_end")),
              loaded.upcoming(), tenants, exemptions))));
        });
  }

  /** The exemptions of the open windows (the platform's and the tenants' own), one per tenant and process. */
  private static Future<List<Exemption>> openExemptions(SqlClient client) {
    return client.query("""
            SELECT DISTINCT ON (e.tenant_id, e.process_name) e.tenant_id, e.process_name, e.reason
            FROM window_exemptions e
            WHERE e.ended_at IS NULL
              AND e.window_id IN (SELECT window_id FROM maintenance_state WHERE id = 1 AND phase <> 'None'
                                  UNION ALL SELECT window_id FROM tenant_maintenance_state)
            ORDER BY e.tenant_id, e.process_name, e.window_id""").execute()
        .map(rows -> {
          List<Exemption> items = new ArrayList<>(rows.size());
          rows.forEach(row -> items.add(new Exemption(row.getLong(0), row.getString(1), row.getString(2))));
          return List.copyOf(items);
        });
  }

  /** Every tenant's own open window. */
  private static Future<java.util.Map<Long, TenantWindow>> tenantWindows(SqlClient client) {
    return client.query("""
            SELECT t.tenant_id, t.phase, t.window_id, t.phase_since, w.started_at, w.started_by, w.reason
            FROM tenant_maintenance_state t JOIN maintenance_windows w ON w.id = t.window_id
            ORDER BY t.tenant_id""").execute()
        .map(rows -> {
          java.util.Map<Long, TenantWindow> tenants = new java.util.TreeMap<>();
          for (Row t : rows) {
            tenants.put(t.getLong("tenant_id"), new TenantWindow(t.getLong("tenant_id"),
                MaintenancePhase.valueOf(t.getString("phase")), t.getLong("window_id"),
                Timestamps.instant(t, "started_at"), Timestamps.instant(t, "phase_since"), t.getString("started_by"),
                t.getString("reason")));
          }
          return java.util.Collections.unmodifiableMap(tenants);
        });
  }
}
