package org.orchestrator.contracts.phase;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.orchestrator.contracts.jobs.JobState;
import org.orchestrator.contracts.phase.PhaseMessages.Exemption;
import org.orchestrator.contracts.phase.PhaseMessages.PhaseSnapshot;
import org.orchestrator.contracts.phase.PhaseMessages.TenantWindow;

/**
 * What maintenance allows, decided from one {@link PhaseSnapshot}: the platform's window, the
 * tenants' own windows and the exemptions of both. Every module asks it the same questions (the
 * gate whether a route is admitted, job control whether a job may be created, handed out or
 * started, the sweeps and the progress what is stopped and what is counted) so that a rule is
 * written once. Its twin in SQL, for the committed phase, is the phase module's
 * {@code maintenance_admits_start} and {@code maintenance_exempt} ({@link StartFence}); a test holds
 * the two to the same answers.
 *
 * <p>The rules, by a tenant's phase (the stricter of the platform's and its own window's):
 * <ul>
 *   <li>None: everything is admitted, nothing is stopped.</li>
 *   <li>Draining: no human route, no new job, no start, every active job is sent Stop; except the
 *   jobs of an exempt process, which are created (their schedules fire), handed out, started and
 *   left running.</li>
 *   <li>Suspended: as Draining, robots are refused too, and exemptions end.</li>
 * </ul>
 */
public final class MaintenanceRules {

  /** Which work a robot of a tenant may be handed: any, none, or only the jobs of some processes. */
  public record Work(boolean any, Set<String> processes) {

    static final Work ANY = new Work(true, Set.of());
    /** Nothing new (also what a heartbeat gets when the node's start pace is spent). */
    public static final Work NONE = new Work(false, Set.of());

    /** Whether nothing may be handed out. */
    public boolean none() {
      return !any && processes.isEmpty();
    }
  }

  private final PhaseSnapshot snapshot;
  /** tenant -> exempt process -> reason. */
  private final Map<Long, Map<String, String>> exempt;

  private MaintenanceRules(PhaseSnapshot snapshot) {
    this.snapshot = snapshot;
    if (snapshot.exemptions().isEmpty()) {
      this.exempt = Map.of();  // the common case, asked on every request: nothing to build
      return;
    }
    Map<Long, Map<String, String>> byTenant = new HashMap<>();
    for (Exemption item : snapshot.exemptions()) {
      byTenant.computeIfAbsent(item.tenantId(), tenant -> new HashMap<>()).put(item.processName(), item.reason());
    }
    byTenant.replaceAll((tenant, processes) -> Collections.unmodifiableMap(processes));
    this.exempt = Collections.unmodifiableMap(byTenant);
  }

  public static MaintenanceRules of(PhaseSnapshot snapshot) {
    return new MaintenanceRules(snapshot);
  }

  public PhaseSnapshot snapshot() {
    return snapshot;
  }

  /** A tenant's phase: the stricter of the platform's and its own window's; the host (null) follows the platform. */
  public MaintenancePhase phaseOf(Long tenantId) {
    return snapshot.phaseOf(tenantId);
  }

  /** Whether a route class is served in a phase (the whole table of the gate). */
  public static boolean admits(RouteClass route, MaintenancePhase phase) {
    return switch (route) {
      case OPEN -> true;
      case ROBOT -> phase != MaintenancePhase.Suspended;
      case HUMAN -> phase == MaintenancePhase.None;
    };
  }

  /**
   * The window that refuses a request of {@code route} from {@code tenantId} (null: the host or an
   * unknown caller), as the refusal shows it: the platform's snapshot, or the tenant's own window
   * seen as a phase of its own; null when the request is admitted.
   */
  public PhaseSnapshot refusedBy(RouteClass route, Long tenantId) {
    if (!admits(route, snapshot.phase())) {
      return snapshot;
    }
    TenantWindow own = tenantId == null ? null : snapshot.tenants().get(tenantId);
    return own == null || admits(route, own.phase()) ? null : snapshot.scopedTo(own);
  }

  /**
   * Whether jobs of {@code processName} run through the tenant's window: the tenant is Draining
   * (exemptions end at Suspended) and an open window lists the process.
   */
  public boolean exempt(long tenantId, String processName) {
    return phaseOf(tenantId) == MaintenancePhase.Draining && reason(tenantId, processName) != null;
  }

  /** Why a process is exempt for a tenant, or null when no open window lists it. */
  public String reason(long tenantId, String processName) {
    Map<String, String> processes = exempt.get(tenantId);
    return processes == null ? null : processes.get(processName);
  }

  /** Whether a job of {@code processName} may be created for the tenant (by a user, an API client or a schedule fire). */
  public boolean mayCreateJob(long tenantId, String processName) {
    return !phaseOf(tenantId).inMaintenance() || exempt(tenantId, processName);
  }

  /** Whether a robot may start (be handed, report Running for) a Pending job of {@code processName}. */
  public boolean mayStartJob(long tenantId, String processName) {
    return mayCreateJob(tenantId, processName);
  }

  /** Which Pending jobs a robot of the tenant may be handed now. */
  public Work work(long tenantId) {
    MaintenancePhase phase = phaseOf(tenantId);
    if (!phase.inMaintenance()) {
      return Work.ANY;
    }
    Map<String, String> processes = exempt.get(tenantId);
    return phase == MaintenancePhase.Draining && processes != null ? new Work(false, processes.keySet()) : Work.NONE;
  }

  /**
   * Whether a job is one a robot works on or may be starting (held, or Pending and handed out):
   * what maintenance waits for.
   */
  public static boolean active(JobState state, boolean handedOut) {
    return JobState.HELD.contains(state) || (state == JobState.Pending && handedOut);
  }

  /** Whether a job in this state is sent Stop by a window's sweep, if the window stops it at all. */
  public static boolean stoppable(JobState state, boolean handedOut) {
    return state == JobState.Running || (state == JobState.Pending && handedOut);
  }

  /** Whether maintenance sends this job Stop now: its tenant is in maintenance, it is not exempt, it is stoppable. */
  public boolean stops(long tenantId, String processName, JobState state, boolean handedOut) {
    return phaseOf(tenantId).inMaintenance() && !exempt(tenantId, processName) && stoppable(state, handedOut);
  }

  /** Whether the drain waits for this job as one of its {@code remaining} (active and not exempt). */
  public boolean remaining(long tenantId, String processName, JobState state, boolean handedOut) {
    return active(state, handedOut) && !exempt(tenantId, processName);
  }

  /** Whether the progress counts this job as {@code exemptRunning} (active and exempt). */
  public boolean exemptRunning(long tenantId, String processName, JobState state, boolean handedOut) {
    return active(state, handedOut) && exempt(tenantId, processName);
  }

  /** Whether a tenant's robots are served (not cut off). */
  public boolean robotsServed(Long tenantId) {
    return phaseOf(tenantId) != MaintenancePhase.Suspended;
  }
}
