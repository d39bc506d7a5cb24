package org.orchestrator.platform.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every meter the orchestrator exports, by name, so that modules, the dashboard and
 * {@code docs/metrics.md} agree. Micrometer's dotted names become Prometheus names with
 * underscores ({@code orchestrator.jobs} -> {@code orchestrator_jobs}); counters gain
 * {@code _total}. Tags are low-cardinality: {@code tenant} (a tenant id), {@code state},
 * {@code phase}, {@code route_class}; never a job id.
 */
public final class Meters {

  private Meters() {
  }

  /** Gauge, always 1: the release and commit this node runs (tags {@code version}, {@code commit}). */
  public static final String BUILD_INFO = "orchestrator.build.info";
  /** Gauge per phase, 1 for the current one (tag {@code phase}). */
  public static final String PHASE = "orchestrator.maintenance.phase";
  /** Gauge: seconds since the current phase began. */
  public static final String PHASE_SECONDS = "orchestrator.maintenance.phase.seconds";
  public static final String TENANTS_IN_MAINTENANCE = "orchestrator.maintenance.tenants";
  public static final String TENANT_PHASE = "orchestrator.tenant.maintenance.phase";
  /** Gauge: seconds since the maintenance window began; 0 outside maintenance. */
  public static final String WINDOW_SECONDS = "orchestrator.maintenance.window.seconds";
  /** Gauge: unfinished jobs robots still work on, per tenant, while in maintenance. */
  public static final String DRAIN_REMAINING = "orchestrator.drain.remaining.jobs";
  /**
   * Gauge, per tenant: active jobs of exempt processes in maintenance, which run through Draining and
   * are not counted in {@link #DRAIN_REMAINING}; autoSuspend waits for both.
   */
  public static final String DRAIN_EXEMPT_RUNNING = "orchestrator.drain.exempt.running.jobs";
  /** Gauge: share of the window's jobs that have drained (0..1). */
  public static final String DRAIN_RATIO = "orchestrator.drain.progress.ratio";
  /**
   * Gauge: estimate of seconds until drained, never beyond the kill deadline; absent while in
   * maintenance without an estimate, 0 when drained and outside maintenance.
   */
  public static final String DRAIN_ETA = "orchestrator.drain.estimated.seconds";
  /** Gauge: seconds until the window's kill deadline (0 once passed); absent without a deadline. */
  public static final String DRAIN_DEADLINE = "orchestrator.drain.deadline.seconds";
  public static final String DRAIN_STALLED = "orchestrator.drain.stalled.seconds";
  /** Info gauge, 1 per tenant, tags {@code tenant} (id) and {@code name}: joins names onto tenant ids. */
  public static final String TENANT_INFO = "orchestrator.tenant.info";
  /** Gauge: jobs per tenant and active state (Pending, Running, Stopping, Terminating). */
  public static final String JOBS = "orchestrator.jobs";
  /** Gauge: robots per tenant that sent a heartbeat within the grace. */
  public static final String ROBOTS_CONNECTED = "orchestrator.robots.connected";
  /** Gauge: robots per tenant known to the server whose last heartbeat is older than the grace. */
  public static final String ROBOTS_DISCONNECTED = "orchestrator.robots.disconnected";
  public static final String ROBOTS_CORDONED = "orchestrator.robots.cordoned";
  /**
   * Counter: jobs the server faulted without its robot reporting, by {@code reason}
   * ({@code robot_gone}: the robot's heartbeats stopped listing it; {@code robot_unresponsive}: the
   * robot fell silent for longer than jobs.robotDeadAfterSeconds).
   */
  public static final String JOBS_FAULTED_BY_SERVER = "orchestrator.jobs.faulted.by.server";
  /**
   * Gauges: robots expected back after the last platform window (heard from within the heartbeat
   * grace before it began, or during it), and robots heard from since its End.
   */
  public static final String RETURN_ROBOTS_BEFORE = "orchestrator.return.robots.before";
  public static final String RETURN_ROBOTS_BACK = "orchestrator.return.robots.back";
  /** Counter: heartbeats answered without new work because this node's start pace (jobs.startsPerSecond) was spent. */
  public static final String JOB_STARTS_PACED = "orchestrator.job.starts.paced";
  /** Counters: Stop / Kill commands requested (by maintenance sweeps or users). */
  public static final String STOPS_SENT = "orchestrator.job.stops.sent";
  public static final String KILLS_SENT = "orchestrator.job.kills.sent";
  /** Counters: stopped / killed jobs whose robot then reported a final state. */
  public static final String STOPS_ACKNOWLEDGED = "orchestrator.job.stops.acknowledged";
  public static final String KILLS_ACKNOWLEDGED = "orchestrator.job.kills.acknowledged";
  /** Counter: schedule fires skipped for maintenance, per tenant. */
  public static final String TRIGGERS_SKIPPED = "orchestrator.triggers.skipped";
  public static final String TRIGGERS_CAUGHT_UP = "orchestrator.triggers.caught.up";
  /** Counter: requests the maintenance gate refused, by phase and route class. */
  public static final String GATE_REFUSALS = "orchestrator.gate.refusals";
  /** Gauge: robots holding a push channel (GET /api/robot/events) on this node. */
  public static final String ROBOT_CHANNELS_OPEN = "orchestrator.robot.channels.open";
  /** Gauge: HTTP connections open on this node. */
  public static final String HTTP_CONNECTIONS_OPEN = "orchestrator.http.connections.open";
  /**
   * Counter: HTTP connections the node closed, by {@code reason} (header_timeout, request_timeout,
   * too_many_connections, address_share).
   */
  public static final String HTTP_CONNECTIONS_CLOSED = "orchestrator.http.connections.closed";
  /** Gauge: client addresses (an IPv6 client's /64) holding admitted HTTP connections on this node. */
  public static final String HTTP_CONNECTION_ADDRESSES = "orchestrator.http.connections.addresses";
  /** Gauge: request body bytes the node has admitted and not yet answered (http.maxBodyBytesInFlight). */
  public static final String HTTP_BODY_BYTES_IN_FLIGHT = "orchestrator.http.body.bytes.in.flight";
  /** Counter: requests answered 503 before their body was read, the node's body budget being spent. */
  public static final String HTTP_BODIES_REFUSED = "orchestrator.http.bodies.refused";

  /**
   * Counter: attempts to deliver a maintenance event to a tenant's webhook, by {@code event} (one of
   * the five maintenance events) and {@code outcome} ({@code delivered}; {@code failed}: tried again
   * later; {@code gave_up}: its retry span ran out, or the webhook was removed).
   */
  public static final String WEBHOOK_DELIVERIES = "orchestrator.webhook.deliveries";
  /** Gauge: deliveries waiting in the outbox (the whole deployment's, as the database holds them). */
  public static final String WEBHOOK_BACKLOG = "orchestrator.webhook.outbox.backlog";
  /** Gauge: age in seconds of the oldest delivery waiting in the outbox; 0 when none waits. */
  public static final String WEBHOOK_OLDEST = "orchestrator.webhook.outbox.oldest.seconds";

  /**
   * Counter: rows retention archived (written to an archive file) and deleted, by {@code table}
   * (robot_logs, jobs, queue_items, webhook_deliveries) and {@code action} (archived, deleted).
   */
  public static final String RETENTION_ROWS = "orchestrator.retention.rows";
  /** Gauge: bytes a retained table takes on disk with its indexes (every partition of robot_logs), by {@code table}. */
  public static final String TABLE_BYTES = "orchestrator.table.bytes";
  /** Gauge: age in seconds of a retained table's oldest row, by {@code table}; 0 when empty. */
  public static final String OLDEST_ROW_AGE = "orchestrator.oldest.row.age.seconds";
  /**
   * Gauge: the longest retention of a table over the host's policy and every tenant's, in seconds
   * (days x 86,400), by {@code table}; absent while some tenant keeps that table's rows forever
   * (nothing can stall).
   */
  public static final String RETENTION_LONGEST = "orchestrator.retention.longest.seconds";
  /** Gauge: seconds since the last retention run that succeeded ended; absent before the first one. */
  public static final String RETENTION_LAST_SUCCESS = "orchestrator.retention.last.success.age.seconds";

  /**
   * A gauge with one series per tenant (and optionally per another tag), replaced as a whole each
   * time it is refreshed, so that series of tenants that went away disappear. A series that stays
   * is registered once and reads the latest value: refreshing re-registers nothing, so a scrape
   * never meets a series half-replaced (two of them with the same labels).
   */
  public static final class PerTenant {

    private final LiveRows rows;
    private final String otherTag;

    public PerTenant(MeterRegistry registry, String name, String description, String otherTag) {
      this.rows = new LiveRows(MultiGauge.builder(name).description(description).register(registry));
      this.otherTag = otherTag;
    }

    /** Replaces every series: tenant -> value. */
    public void set(Map<Long, ? extends Number> byTenant) {
      Map<Tags, Number> next = new HashMap<>();
      byTenant.forEach((tenant, value) -> next.put(Tags.of("tenant", Long.toString(tenant)), value));
      replace(next);
    }

    /** Replaces every series: tenant -> other tag value -> value. */
    public void setNested(Map<Long, Map<String, Long>> byTenant) {
      Map<Tags, Number> next = new HashMap<>();
      byTenant.forEach((tenant, inner) -> inner.forEach((other, value) ->
          next.put(Tags.of("tenant", Long.toString(tenant), otherTag, other), value)));
      replace(next);
    }

    private void replace(Map<Tags, Number> next) {
      rows.set(next);
    }
  }

  /**
   * A multi-gauge whose series are replaced as a whole (a series no longer given disappears) while
   * a series that stays is registered once and reads the latest value. Re-registering it instead
   * (MultiGauge's overwrite) removes and adds it, and a scrape at that moment meets both and fails
   * whole with "Duplicate labels" (micrometer#6851, still in 1.17.2: a 500 on {@code /metrics}).
   */
  public static final class LiveRows {

    private final MultiGauge gauge;
    private volatile Map<Tags, Number> values = Map.of();

    public LiveRows(MultiGauge gauge) {
      this.gauge = gauge;
    }

    /** Replaces every series: tags -> value. */
    public void set(Map<Tags, ? extends Number> next) {
      values = Map.copyOf(next);
      List<MultiGauge.Row<?>> rows = new ArrayList<>(next.size());
      next.keySet().forEach(tags -> rows.add(MultiGauge.Row.of(tags, this,
          self -> self.values.getOrDefault(tags, 0).doubleValue())));
      gauge.register(rows, false);
    }
  }

  /**
   * {@code orchestrator_tenant_info{tenant="<id>", name="<name>"} 1}, one series per tenant:
   * Prometheus' way to attach a name to an id label ({@code * on (tenant) group_left (name)}).
   */
  public static final class TenantInfo {

    private final MultiGauge gauge;

    public TenantInfo(MeterRegistry registry) {
      this.gauge = MultiGauge.builder(TENANT_INFO).description("1 per tenant; the name label is the tenant's name")
          .register(registry);
    }

    /** Replaces every series: tenant id -> name. */
    public void set(Map<Long, String> names) {
      List<MultiGauge.Row<?>> rows = new ArrayList<>(names.size());
      names.forEach((tenant, name) -> rows.add(MultiGauge.Row.of(Tags.of("tenant", Long.toString(tenant), "name", name), 1)));
      gauge.register(rows, false);
    }
  }
}
