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
import org.orchestrator.contracts.phase.PhaseMessages.PhaseSnapshot;
import org.orchestrator.contracts.phase.PhaseMessages.Transition;
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

  /** Opens a window in {@code phase} (Draining). */
  Future<PhaseSnapshot> open(long expectedVersion, MaintenancePhase phase, Instant at, String by, String reason,
      Duration killAfter, boolean autoSuspend) {
    Instant deadline = killAfter == null ? null : at.plus(killAfter);
    return pool.withTransaction(tx -> tx.preparedQuery("""
            INSERT INTO maintenance_windows (started_at, started_by, reason, kill_after_seconds, kill_deadline_at,
              auto_suspend) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id""")
        .execute(Tuple.of(Timestamps.utc(at), by, reason, killAfter == null ? null : killAfter.toSeconds(), Timestamps.utc(deadline),
            autoSuspend))
        .compose(rows -> {
          long windowId = rows.iterator().next().getLong(0);
          return record(tx, windowId, phase, true, at, by, reason)
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
        .compose(rows -> announced(tx, rows.rowCount(), expectedVersion));
  }

  private Future<Void> bump(SqlClient tx, long expectedVersion) {
    return tx.preparedQuery("UPDATE maintenance_state SET version = version + 1, updated_at = now() "
            + "WHERE id = 1 AND version = $1")
        .execute(Tuple.of(expectedVersion))
        .compose(rows -> announced(tx, rows.rowCount(), expectedVersion));
  }

  /** After the compare-and-set: NOTIFY the other nodes (delivered at commit), or CONFLICT. */
  private Future<Void> announced(SqlClient tx, int updated, long expectedVersion) {
    if (updated != 1) {
      return Future.failedFuture(Failure.conflict("the maintenance phase changed meanwhile; read it and retry"));
    }
    return tx.preparedQuery("SELECT pg_notify($1, $2)")
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

  private static Future<PhaseSnapshot> load(SqlClient client) {
    return client.query("""
            SELECT s.version, s.phase, s.window_id, s.phase_since, w.started_at, w.started_by, w.reason,
                   w.kill_after_seconds, w.kill_deadline_at, w.auto_suspend, w.ended_at
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
          return transitions.map(list -> new PhaseSnapshot(row.getLong("version"),
              MaintenancePhase.valueOf(row.getString("phase")), windowId, Timestamps.instant(row.getOffsetDateTime("started_at")),
              Timestamps.instant(row.getOffsetDateTime("phase_since")), row.getString("started_by"), row.getString("reason"),
              killAfter == null ? null : Duration.ofSeconds(killAfter), Timestamps.instant(row.getOffsetDateTime("kill_deadline_at")),
              Boolean.TRUE.equals(row.getBoolean("auto_suspend")), Timestamps.instant(row.getOffsetDateTime("ended_at")),
              List.copyOf(list)));
        });
  }
}
