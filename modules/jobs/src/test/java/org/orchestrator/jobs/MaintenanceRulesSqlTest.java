package org.orchestrator.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.orchestrator.contracts.jobs.JobMessages.ActiveJobs;
import org.orchestrator.contracts.jobs.JobState;
import org.orchestrator.contracts.phase.MaintenancePhase;
import org.orchestrator.contracts.phase.MaintenanceRules;
import org.orchestrator.contracts.phase.PhaseMessages.Exemption;
import org.orchestrator.contracts.phase.PhaseMessages.PhaseSnapshot;
import org.orchestrator.contracts.phase.PhaseMessages.TenantWindow;
import org.orchestrator.contracts.phase.StartFence;
import org.orchestrator.dbadmin.Migrations;
import org.orchestrator.dbadmin.testing.TestDatabase;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.orchestrator.platform.database.Pools;

/**
 * The rules in SQL against the rules object as the oracle: for every platform phase, every phase of
 * a tenant's own window, an exemption listed by neither, the platform's or the tenant's window, and
 * a job in every state (handed out or not) of an exempt and of another process, the committed
 * phase's answers ({@code maintenance_exempt}, {@code maintenance_admits_start}, {@link JobSql}'s
 * stop predicate and the drain's counts) are {@link MaintenanceRules}' answers on the same phase.
 */
class MaintenanceRulesSqlTest {

  private static final long TENANT = 1;
  private static final long OTHER_TENANT = 2;
  private static final long PLATFORM_WINDOW = 100;
  private static final long TENANT_WINDOW = 200;
  private static final String EXEMPT = "Payroll month-end";
  private static final String ORDINARY = "Invoices";
  private static final List<String> PROCESSES = List.of(EXEMPT, ORDINARY);

  private static Vertx vertx;
  private static Pool pool;

  /** Which window lists the exemption. */
  private enum Listed { NONE, PLATFORM, OWN }

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    DatabaseEndpoint endpoint = TestDatabase.newSchema("rules_sql");
    Migrations.apply(endpoint, List.of("phase", "jobs"));
    pool = Pools.create(vertx, endpoint, 2);
    run("INSERT INTO maintenance_windows (id, started_at, started_by) VALUES ($1, now(), 'test')",
        Tuple.of(PLATFORM_WINDOW));
    run("INSERT INTO maintenance_windows (id, started_at, started_by, tenant_id) VALUES ($1, now(), 'test', $2)",
        Tuple.of(TENANT_WINDOW, TENANT));
    // every state, handed out or not, of both processes, for the tenant and for another one
    for (long tenant : new long[] {TENANT, OTHER_TENANT}) {
      for (String process : PROCESSES) {
        for (JobState state : JobState.values()) {
          for (boolean handedOut : new boolean[] {false, true}) {
            run("INSERT INTO jobs (tenant_id, process_name, robot_id, state, start_delivered_at) "
                + "VALUES ($1, $2, 7, $3, CASE WHEN $4 THEN now() END)", Tuple.of(tenant, process, state.name(), handedOut));
          }
        }
      }
    }
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void theCommittedPhaseAnswersAsTheRulesObjectInEveryCase() throws Exception {
    int cases = 0;
    for (MaintenancePhase platform : MaintenancePhase.values()) {
      for (MaintenancePhase own : MaintenancePhase.values()) {
        for (Listed listed : Listed.values()) {
          MaintenanceRules rules = commit(platform, own, listed);
          String label = "platform " + platform + ", tenant's own " + own + ", listed in " + listed;
          for (long tenant : new long[] {TENANT, OTHER_TENANT}) {
            for (String process : PROCESSES) {
              Row row = pool.preparedQuery("SELECT " + StartFence.exempt("$1", "$2") + ", "
                      + StartFence.admits("$1", "$2")).execute(Tuple.of(tenant, process))
                  .await(10, TimeUnit.SECONDS).iterator().next();
              String what = label + ": tenant " + tenant + "'s " + process;
              assertEquals(rules.exempt(tenant, process), row.getBoolean(0), what + " exempt");
              assertEquals(rules.mayStartJob(tenant, process), row.getBoolean(1), what + " admitted");
              assertEquals(rules.mayCreateJob(tenant, process), row.getBoolean(1), what + " created");
            }
          }
          jobsAgree(rules, label);
          countsAgree(rules, label);
          cases++;
        }
      }
    }
    assertEquals(27, cases);
  }

  /** Per job: the stop predicate and the drain's two counts, as the rules say. */
  private static void jobsAgree(MaintenanceRules rules, String label) throws Exception {
    for (Row row : pool.query("SELECT tenant_id, process_name, state, start_delivered_at IS NOT NULL, "
        + JobSql.toStop("") + ", " + JobSql.ACTIVE + " AND NOT " + JobSql.exempt("") + ", "
        + JobSql.ACTIVE + " AND " + JobSql.exempt("") + " FROM jobs").execute().await(10, TimeUnit.SECONDS)) {
      long tenant = row.getLong(0);
      String process = row.getString(1);
      JobState state = JobState.valueOf(row.getString(2));
      boolean handedOut = row.getBoolean(3);
      String what = label + ": tenant " + tenant + "'s " + process + " job " + state + (handedOut ? " handed out" : "");
      // a sweep runs for a tenant in maintenance only: there the predicate is the rule
      if (rules.phaseOf(tenant).inMaintenance()) {
        assertEquals(rules.stops(tenant, process, state, handedOut), row.getBoolean(4), what + " stopped");
      }
      assertEquals(rules.remaining(tenant, process, state, handedOut), row.getBoolean(5), what + " remaining");
      assertEquals(rules.exemptRunning(tenant, process, state, handedOut), row.getBoolean(6), what + " exempt running");
      assertEquals(MaintenanceRules.stoppable(state, handedOut), JobTransitions.sweepStop(state, handedOut).isPresent(),
          "the rules' stoppable is the transition table's Stop sweep");
    }
  }

  /** The drain's counts as job control answers them, against the rules' count of the same jobs. */
  private static void countsAgree(MaintenanceRules rules, String label) throws Exception {
    ActiveJobs active = new MaintenanceSweeps(pool).active(10, null).await(10, TimeUnit.SECONDS);
    long exempt = 0;
    long total = 0;
    for (long tenant : new long[] {TENANT, OTHER_TENANT}) {
      for (String process : PROCESSES) {
        for (JobState state : JobState.values()) {
          for (boolean handedOut : new boolean[] {false, true}) {
            total += MaintenanceRules.active(state, handedOut) ? 1 : 0;
            exempt += rules.exemptRunning(tenant, process, state, handedOut) ? 1 : 0;
          }
        }
      }
    }
    assertEquals(total, active.total(), label + ": active");
    assertEquals(exempt, active.exempt(), label + ": exempt running");
    assertEquals(exempt > 0, active.sample().get(0).exempt(), label + ": exempt jobs come first in the sample");
  }

  /** Stores the case as the phase module stores it and answers the rules of the snapshot it loads. */
  private static MaintenanceRules commit(MaintenancePhase platform, MaintenancePhase own, Listed listed) throws Exception {
    run("DELETE FROM window_exemptions", Tuple.tuple());
    run("DELETE FROM tenant_maintenance_state", Tuple.tuple());
    run("UPDATE maintenance_state SET phase = $1, window_id = $2 WHERE id = 1",
        Tuple.of(platform.name(), platform.inMaintenance() ? PLATFORM_WINDOW : null));
    if (own.inMaintenance()) {
      run("INSERT INTO tenant_maintenance_state (tenant_id, phase, window_id, phase_since) VALUES ($1, $2, $3, now())",
          Tuple.of(TENANT, own.name(), TENANT_WINDOW));
    }
    if (listed != Listed.NONE) {
      run("INSERT INTO window_exemptions (window_id, tenant_id, process_name, reason) VALUES ($1, $2, $3, 'month end')",
          Tuple.of(listed == Listed.PLATFORM ? PLATFORM_WINDOW : TENANT_WINDOW, TENANT, EXEMPT));
    }
    // the snapshot as PhaseRepository loads it: the exemptions of the open windows only
    boolean listOpen = listed == Listed.PLATFORM && platform.inMaintenance() || listed == Listed.OWN && own.inMaintenance();
    List<Exemption> exemptions = listOpen ? List.of(new Exemption(TENANT, EXEMPT, "month end")) : List.of();
    Map<Long, TenantWindow> tenants = own.inMaintenance()
        ? Map.of(TENANT, new TenantWindow(TENANT, own, TENANT_WINDOW, Instant.EPOCH, Instant.EPOCH, "test", null))
        : Map.of();
    return new PhaseSnapshot(1, platform, platform.inMaintenance() ? PLATFORM_WINDOW : null, Instant.EPOCH,
        Instant.EPOCH, "test", null, null, null, false, null, new ArrayList<>(), null, null, tenants, exemptions).rules();
  }

  private static void run(String sql, Tuple params) throws Exception {
    pool.preparedQuery(sql).execute(params).await(10, TimeUnit.SECONDS);
  }
}
