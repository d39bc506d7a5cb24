package org.orchestrator.jobs;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.orchestrator.contracts.jobs.JobMessages.FleetReturn;
import org.orchestrator.contracts.jobs.JobMessages.GetFleetReturn;
import org.orchestrator.contracts.phase.MaintenancePhase;
import org.orchestrator.contracts.phase.PhaseMessages.PhaseSnapshot;
import org.orchestrator.platform.metrics.Meters;

/**
 * The robots' return after a platform window, read from their presence: the robots expected back
 * (heard from within the heartbeat grace before the window began, or during it) and the robots
 * back (heard from since End), and the jobs still waiting to be handed out at the start pace. The
 * same on every node (the database and the phase's snapshot decide it), shown by
 * {@code GET /api/Maintenance/Get} ({@code return}) and the gauges
 * {@code orchestrator_return_robots_before} / {@code _back} of the last ended window.
 */
final class FleetReturns {

  /** Robots expected back and robots back, in one pass over the presence rows. */
  private static final String PRESENCE = """
      SELECT count(*) FILTER (WHERE last_heartbeat_at >= $1::timestamptz - make_interval(secs => $3::int)),
             count(*) FILTER (WHERE last_heartbeat_at >= $2::timestamptz)
      FROM robot_presence WHERE $4::bigint IS NULL OR tenant_id = $4""";
  /** Pending jobs not handed out yet: asked for the Get view only, not for the gauges. */
  private static final String WAITING = """
      SELECT count(*) FROM jobs
      WHERE state = 'Pending' AND start_delivered_at IS NULL AND ($1::bigint IS NULL OR tenant_id = $1)""";

  private final Pool pool;
  private final Duration grace;
  private final AtomicLong before = new AtomicLong();
  private final AtomicLong back = new AtomicLong();

  FleetReturns(Pool pool, Duration grace, MeterRegistry registry) {
    this.pool = pool;
    this.grace = grace;
    Gauge.builder(Meters.RETURN_ROBOTS_BEFORE, before, AtomicLong::get)
        .description("robots expected back after the last platform window (heard from before or during it)")
        .register(registry);
    Gauge.builder(Meters.RETURN_ROBOTS_BACK, back, AtomicLong::get)
        .description("robots heard from since the last platform window ended").register(registry);
  }

  Future<FleetReturn> count(GetFleetReturn query) {
    if (query.windowStartedAt() == null || query.windowEndedAt() == null) {
      return Future.succeededFuture(new FleetReturn(0, 0, 0));
    }
    Future<long[]> robots = robots(query);
    Future<Long> waiting = pool.preparedQuery(WAITING).execute(Tuple.of(query.tenantId()))
        .map(rows -> rows.iterator().next().getLong(0));
    return Future.all(robots, waiting).map(both -> new FleetReturn(robots.result()[0], robots.result()[1],
        waiting.result()));
  }

  /** Robots expected back and robots back after the query's window. */
  private Future<long[]> robots(GetFleetReturn query) {
    return pool.preparedQuery(PRESENCE).execute(Tuple.tuple()
            .addOffsetDateTime(query.windowStartedAt().atOffset(ZoneOffset.UTC))
            .addOffsetDateTime(query.windowEndedAt().atOffset(ZoneOffset.UTC))
            .addLong(grace.toSeconds()).addLong(query.tenantId()))
        .map(rows -> {
          Row row = rows.iterator().next();
          return new long[] {row.getLong(0), row.getLong(1)};
        });
  }

  /** Refreshes the gauges from the last ended platform window (nothing while one is open). */
  Future<Void> refresh(PhaseSnapshot snapshot) {
    if (snapshot.phase() != MaintenancePhase.None || snapshot.windowEndedAt() == null) {
      return Future.succeededFuture();
    }
    return robots(new GetFleetReturn(null, snapshot.windowStartedAt(), snapshot.windowEndedAt())).map(counted -> {
      before.set(counted[0]);
      back.set(counted[1]);
      return null;
    });
  }
}
