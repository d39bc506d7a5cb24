package org.orchestrator.jobs;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.orchestrator.contracts.identity.IdentityMessages.Tenant;
import org.orchestrator.contracts.identity.IdentityMessages.TenantList;
import org.orchestrator.contracts.jobs.JobState;
import org.orchestrator.platform.metrics.Meters;

/**
 * The jobs module's meters. Stop/Kill counters move with every transition; the per-tenant gauges
 * (jobs by active state, connected robots) are refreshed in the background by one grouped query
 * each, so a scrape only reads memory.
 */
final class JobMetrics {

  private final Counter stopsSent;
  private final Counter killsSent;
  private final Counter stopsAcknowledged;
  private final Counter killsAcknowledged;
  private final Meters.PerTenant jobs;
  private final Meters.PerTenant robots;
  private final Meters.PerTenant disconnected;
  private final Meters.PerTenant cordoned;
  private final Counter robotGone;
  private final Counter robotUnresponsive;
  private final Meters.TenantInfo tenantInfo;
  private final Counter startsPaced;

  JobMetrics(MeterRegistry registry) {
    stopsSent = Counter.builder(Meters.STOPS_SENT).description("Stop commands requested").register(registry);
    killsSent = Counter.builder(Meters.KILLS_SENT).description("Kill commands requested").register(registry);
    stopsAcknowledged = Counter.builder(Meters.STOPS_ACKNOWLEDGED)
        .description("stopped jobs whose robot then reported a final state").register(registry);
    killsAcknowledged = Counter.builder(Meters.KILLS_ACKNOWLEDGED)
        .description("killed jobs whose robot then reported a final state").register(registry);
    jobs = new Meters.PerTenant(registry, Meters.JOBS, "jobs per tenant and active state", "state");
    robots = new Meters.PerTenant(registry, Meters.ROBOTS_CONNECTED, "robots with a recent heartbeat", null);
    disconnected = new Meters.PerTenant(registry, Meters.ROBOTS_DISCONNECTED,
        "robots whose last heartbeat is older than the grace", null);
    cordoned = new Meters.PerTenant(registry, Meters.ROBOTS_CORDONED,
        "robots out of rotation: handed no new job until uncordoned", null);
    robotGone = Counter.builder(Meters.JOBS_FAULTED_BY_SERVER).tag("reason", "robot_gone")
        .description("jobs the server faulted without its robot reporting").register(registry);
    robotUnresponsive = Counter.builder(Meters.JOBS_FAULTED_BY_SERVER).tag("reason", "robot_unresponsive")
        .description("jobs the server faulted without its robot reporting").register(registry);
    tenantInfo = new Meters.TenantInfo(registry);
    startsPaced = Counter.builder(Meters.JOB_STARTS_PACED)
        .description("heartbeats answered without new work because this node's start pace was spent").register(registry);
  }

  /** A heartbeat that might have been handed a job found the start pace spent. */
  void startPaced() {
    startsPaced.increment();
  }

  /** A job the server faulted ({@code reason}: JobRepository.NO_LONGER_RUNS or UNRESPONSIVE). */
  void faultedByServer(JobState was, String reason) {
    (JobRepository.UNRESPONSIVE.equals(reason) ? robotUnresponsive : robotGone).increment();
    transition(was, JobState.Faulted);
  }

  void transition(JobState from, JobState to) {
    if (to == JobState.Stopping) {
      stopsSent.increment();
    } else if (to == JobState.Terminating) {
      killsSent.increment();
    } else if (to.isFinal() && from == JobState.Stopping) {
      stopsAcknowledged.increment();
    } else if (to.isFinal() && from == JobState.Terminating) {
      killsAcknowledged.increment();
    }
  }

  void stopsSwept(int count) {
    stopsSent.increment(count);
  }

  void killsSwept(int count) {
    killsSent.increment(count);
  }

  /**
   * Re-reads the per-tenant gauges. Every tenant of {@code directory} gets a series at zero for
   * each state (so dashboards and alerts see 0, not "no data", before anything happened), and one
   * {@code orchestrator_tenant_info} series carrying its name.
   */
  Future<Void> refresh(Pool pool, int heartbeatGraceSeconds, Future<TenantList> directory) {
    Future<List<Tenant>> known = directory.map(TenantList::items).otherwise(List.of());
    Future<Map<Long, Map<String, Long>>> byState = pool.query("SELECT tenant_id, state, count(*) FROM jobs "
            + "WHERE " + JobSql.UNFINISHED + " GROUP BY tenant_id, state").execute()
        .map(rows -> {
          Map<Long, Map<String, Long>> values = new TreeMap<>();
          for (Row row : rows) {
            values.computeIfAbsent(row.getLong(0), t -> new HashMap<>()).put(row.getString(1), row.getLong(2));
          }
          return values;
        });
    Future<Map<Long, long[]>> presence = pool.preparedQuery("""
            SELECT tenant_id, count(*) FILTER (WHERE last_heartbeat_at > now() - make_interval(secs => $1)),
                   count(*) FILTER (WHERE last_heartbeat_at <= now() - make_interval(secs => $1))
            FROM robot_presence GROUP BY tenant_id""")
        .execute(Tuple.of(heartbeatGraceSeconds))
        .map(rows -> {
          Map<Long, long[]> values = new TreeMap<>();
          rows.forEach(row -> values.put(row.getLong(0), new long[] {row.getLong(1), row.getLong(2)}));
          return values;
        });
    Future<Map<Long, Long>> cordons = pool.query("SELECT tenant_id, count(*) FROM robot_cordons GROUP BY tenant_id")
        .execute()
        .map(rows -> {
          Map<Long, Long> values = new TreeMap<>();
          rows.forEach(row -> values.put(row.getLong(0), row.getLong(1)));
          return values;
        });
    return Future.all(known, byState, presence, cordons).map(all -> {
      List<Tenant> tenants = known.result();
      Map<Long, Map<String, Long>> states = new TreeMap<>();
      Map<Long, Long> up = new TreeMap<>();
      Map<Long, Long> down = new TreeMap<>();
      Map<Long, Long> out = new TreeMap<>();
      for (Tenant tenant : tenants) {
        out.put(tenant.id(), 0L);
        Map<String, Long> zero = new HashMap<>();
        for (JobState state : JobState.UNFINISHED) {
          zero.put(state.name(), 0L);
        }
        states.put(tenant.id(), zero);
        up.put(tenant.id(), 0L);
        down.put(tenant.id(), 0L);
      }
      byState.result().forEach((tenant, counts) -> states.computeIfAbsent(tenant, t -> new HashMap<>()).putAll(counts));
      presence.result().forEach((tenant, counts) -> {
        up.put(tenant, counts[0]);
        down.put(tenant, counts[1]);
      });
      jobs.setNested(states);
      robots.set(up);
      disconnected.set(down);
      out.putAll(cordons.result());
      cordoned.set(out);
      tenantInfo.set(tenants.stream().collect(java.util.stream.Collectors.toMap(Tenant::id, Tenant::name,
          (a, b) -> a, TreeMap::new)));
      return null;
    });
  }
}
