package org.orchestrator.contracts.phase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.orchestrator.contracts.jobs.JobState;
import org.orchestrator.contracts.phase.PhaseMessages.Exemption;
import org.orchestrator.contracts.phase.PhaseMessages.PhaseSnapshot;
import org.orchestrator.contracts.phase.PhaseMessages.TenantWindow;

/**
 * The rules as a table, written out rather than derived: the platform's phase × the tenant's own
 * window × whether an open window exempts the process, and what each answers for tenant 1's
 * exempt process ({@code payroll}) and another one, for a Running job. Tenant 2 has no window of
 * its own and no exemption. {@code MaintenanceRulesSqlTest} holds the SQL to the same answers.
 */
class MaintenanceRulesTest {

  private static final long TENANT = 1;
  private static final long OTHER = 2;

  @ParameterizedTest(name = "platform {0}, own {1}, exempt listed {2}")
  @CsvSource(delimiter = '|', textBlock = """
      # platform | own       | listed | human | robot | payroll: create, stop, remaining, exempt | other: create, stop | tenant 2: human, create
      None       | None      | false  | true  | true  | true,  false, true,  false | true,  false | true,  true
      None       | None      | true   | true  | true  | true,  false, true,  false | true,  false | true,  true
      Draining   | None      | false  | false | true  | false, true,  true,  false | false, true  | false, false
      Draining   | None      | true   | false | true  | true,  false, false, true  | false, true  | false, false
      Suspended  | None      | true   | false | false | false, true,  true,  false | false, true  | false, false
      None       | Draining  | false  | false | true  | false, true,  true,  false | false, true  | true,  true
      None       | Draining  | true   | false | true  | true,  false, false, true  | false, true  | true,  true
      None       | Suspended | true   | false | false | false, true,  true,  false | false, true  | true,  true
      Draining   | Draining  | true   | false | true  | true,  false, false, true  | false, true  | false, false
      Draining   | Suspended | true   | false | false | false, true,  true,  false | false, true  | false, false
      Suspended  | Draining  | true   | false | false | false, true,  true,  false | false, true  | false, false
      """)
  void theTable(MaintenancePhase platform, MaintenancePhase own, boolean listed, boolean human, boolean robot,
      String payroll, String other, String tenantTwo) {
    MaintenanceRules rules = rules(platform, own, listed);
    boolean[] p = flags(payroll);
    boolean[] o = flags(other);
    boolean[] t = flags(tenantTwo);
    assertEquals(human, rules.refusedBy(RouteClass.HUMAN, TENANT) == null, "human route");
    assertEquals(robot, rules.refusedBy(RouteClass.ROBOT, TENANT) == null, "robot route");
    assertNull(rules.refusedBy(RouteClass.OPEN, TENANT), "open routes are always served");
    assertEquals(p[0], rules.mayCreateJob(TENANT, "payroll"), "payroll created");
    assertEquals(p[0], rules.mayStartJob(TENANT, "payroll"), "payroll started");
    assertEquals(p[1], rules.stops(TENANT, "payroll", JobState.Running, true), "payroll stopped");
    assertEquals(p[2], rules.remaining(TENANT, "payroll", JobState.Running, true), "payroll remaining");
    assertEquals(p[3], rules.exemptRunning(TENANT, "payroll", JobState.Running, true), "payroll exempt running");
    assertEquals(o[0], rules.mayCreateJob(TENANT, "other"), "other created");
    assertEquals(o[1], rules.stops(TENANT, "other", JobState.Running, true), "other stopped");
    assertFalse(rules.exemptRunning(TENANT, "other", JobState.Running, true), "other is never exempt");
    assertEquals(t[0], rules.refusedBy(RouteClass.HUMAN, OTHER) == null, "tenant 2's human route");
    assertEquals(t[1], rules.mayCreateJob(OTHER, "payroll"), "tenant 2's payroll is not exempt by tenant 1's item");
    // what a robot of the tenant is handed follows creation: any job, only exempt ones, or none
    MaintenanceRules.Work work = rules.work(TENANT);
    assertEquals(o[0], work.any(), "any job handed out");
    assertEquals(p[0] && !o[0], work.processes().contains("payroll"), "only the exempt process handed out");
    assertEquals(!p[0] && !o[0], work.none(), "nothing handed out");
  }

  @Test
  void aRefusalShowsTheWindowThatRefuses() {
    MaintenanceRules platform = rules(MaintenancePhase.Draining, MaintenancePhase.None, false);
    assertSame(platform.snapshot(), platform.refusedBy(RouteClass.HUMAN, TENANT), "the platform's window");
    PhaseSnapshot own = rules(MaintenancePhase.None, MaintenancePhase.Suspended, false)
        .refusedBy(RouteClass.ROBOT, TENANT);
    assertEquals(MaintenancePhase.Suspended, own.phase());
    assertEquals(200L, own.windowId(), "the tenant's own window, seen as a phase of its own");
    assertEquals("tenant window", own.reason());
  }

  @Test
  void onlyJobsARobotHoldsOrWasHandedAreActiveAndOnlyRunningOrHandedOutOnesAreStopped() {
    for (JobState state : JobState.values()) {
      assertEquals(JobState.HELD.contains(state), MaintenanceRules.active(state, false), state + " not handed out");
      assertEquals(state == JobState.Running, MaintenanceRules.stoppable(state, false), state + " not handed out");
    }
    assertTrue(MaintenanceRules.active(JobState.Pending, true));
    assertTrue(MaintenanceRules.stoppable(JobState.Pending, true));
    assertFalse(MaintenanceRules.active(JobState.Successful, true));
  }

  @Test
  void theReasonIsKeptAndWorkIsNotBuiltWithoutExemptions() {
    MaintenanceRules rules = rules(MaintenancePhase.Draining, MaintenancePhase.None, true);
    assertEquals("month-end run", rules.reason(TENANT, "payroll"));
    assertNull(rules.reason(TENANT, "other"));
    assertEquals(Set.of("payroll"), rules.work(TENANT).processes());
    assertTrue(rules(MaintenancePhase.Draining, MaintenancePhase.None, false).work(TENANT).none());
  }

  private static boolean[] flags(String csv) {
    String[] parts = csv.split(",");
    boolean[] flags = new boolean[parts.length];
    for (int i = 0; i < parts.length; i++) {
      flags[i] = Boolean.parseBoolean(parts[i].trim());
    }
    return flags;
  }

  /** Tenant 1's own window (id 200) when {@code own} is not None; its {@code payroll} exempt when listed. */
  private static MaintenanceRules rules(MaintenancePhase platform, MaintenancePhase own, boolean listed) {
    Map<Long, TenantWindow> tenants = own.inMaintenance()
        ? Map.of(TENANT, new TenantWindow(TENANT, own, 200, Instant.EPOCH, Instant.EPOCH, "host", "tenant window"))
        : Map.of();
    List<Exemption> exemptions = listed ? List.of(new Exemption(TENANT, "payroll", "month-end run")) : List.of();
    return new PhaseSnapshot(3, platform, platform.inMaintenance() ? 100L : null, Instant.EPOCH, Instant.EPOCH,
        "host", "platform window", null, null, false, null, List.of(), null, null, tenants, exemptions).rules();
  }
}
