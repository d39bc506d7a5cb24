package org.orchestrator.contracts.phase;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.orchestrator.contracts.Caller;
import org.orchestrator.contracts.jobs.JobMessages.ActiveJob;
import org.orchestrator.contracts.jobs.JobMessages.ActiveJobs;

/** Bodies of the phase module's addresses. */
public final class PhaseMessages {

  private PhaseMessages() {
  }

  /**
   * One audited action on a window: the phase after it, whether it changed the phase (those are
   * UiPath's {@code maintenanceLogs}), when, by whom, and what was done.
   */
  public record Transition(MaintenancePhase phase, boolean changed, Instant at, String by, String note) {
  }

  /**
   * The phase as every node-local reader sees it. {@code version} grows with every change, so a
   * reader keeps the newest of what it has seen. Window fields are those of the current window, or
   * of the last one when the phase is None ({@code null} before the first window).
   */
  public record PhaseSnapshot(long version, MaintenancePhase phase, Long windowId, Instant windowStartedAt,
      Instant phaseSince, String startedBy, String reason, Duration killAfter, Instant killDeadlineAt,
      boolean autoSuspend, Instant windowEndedAt, List<Transition> transitions, Instant expectedEnd,
      MaintenancePlan upcoming, Map<Long, TenantWindow> tenants, List<Exemption> exemptions) {

    public PhaseSnapshot {
      exemptions = List.copyOf(exemptions);
    }

    /** The state before anything was ever stored. */
    public static PhaseSnapshot initial() {
      return new PhaseSnapshot(0, MaintenancePhase.None, null, null, null, null, null, null, null, false, null,
          List.of(), null, null, Map.of(), List.of());
    }

    /** What this snapshot allows: every maintenance decision of every module is asked of it. */
    public MaintenanceRules rules() {
      return MaintenanceRules.of(this);
    }

    /**
     * The phase one tenant is in: the stricter of the platform's (global maintenance covers every
     * tenant) and its own window's; {@code tenantId} null (the host) follows the platform alone.
     */
    public MaintenancePhase phaseOf(Long tenantId) {
      TenantWindow own = tenantId == null ? null : tenants.get(tenantId);
      if (own == null || own.phase().compareTo(phase) <= 0) {
        return phase;
      }
      return own.phase();
    }

    /** The window a tenant's maintenance belongs to: the platform's while it is open, else its own, else null. */
    public Long windowOf(Long tenantId) {
      if (phase.inMaintenance()) {
        return windowId;
      }
      TenantWindow own = tenantId == null ? null : tenants.get(tenantId);
      return own == null ? null : own.windowId();
    }

    /** Every window open now: the platform's and the tenants' own. */
    public List<Long> openWindows() {
      List<Long> open = new java.util.ArrayList<>();
      if (phase.inMaintenance() && windowId != null) {
        open.add(windowId);
      }
      tenants.values().forEach(window -> open.add(window.windowId()));
      return List.copyOf(open);
    }

    /**
     * A tenant's own window seen as a phase of its own (for what a tenant's users and robots are
     * shown and told): its phase, window, times and reason; no deadline, no plan of its own.
     */
    public PhaseSnapshot scopedTo(TenantWindow own) {
      return new PhaseSnapshot(version, own.phase(), own.windowId(), own.startedAt(), own.phaseSince(),
          own.startedBy(), own.reason(), null, null, false, null, List.of(), null, upcoming, Map.of(),
          exemptions.stream().filter(item -> item.tenantId() == own.tenantId()).toList());
    }

    /** Whether the platform or any tenant is in maintenance. */
    public boolean anyMaintenance() {
      return phase.inMaintenance() || !tenants.isEmpty();
    }
  }

  /**
   * One tenant's own maintenance window (per-tenant maintenance): only that tenant's jobs, schedules,
   * robots and users are affected.
   */
  public record TenantWindow(long tenantId, MaintenancePhase phase, long windowId, Instant startedAt,
      Instant phaseSince, String startedBy, String reason) {
  }

  /**
   * A process whose jobs run through Draining (section 10 of the contract): not sent Stop, its
   * schedules keep firing, robots start its jobs. In a snapshot: the exemptions of the open windows
   * (each window copies the list in force when it starts Draining). Exemptions end at Suspended.
   */
  public record Exemption(long tenantId, String processName, String reason) {
  }

  /** The exemptions: the host administrator gets every tenant's, a tenant administrator its own. */
  public record GetExemptions(Caller caller) {
  }

  /** Replaces the list in force, and the copy of every open window (host administrator). */
  public record SetExemptions(Caller caller, List<Exemption> items) {

    /** Items in one list at most: each is a row every node reads with the phase while a window is open. */
    public static final int MAX_ITEMS = 1_000;
    /** What a reason may hold at most. */
    public static final int MAX_REASON = 500;
  }

  /**
   * The list in force ({@code items}, set at {@code setAt} by {@code setBy}; null before the first
   * change) and the exemptions in effect now ({@code inEffect}: those of the open windows while
   * Draining, none otherwise).
   */
  public record Exemptions(List<Exemption> items, Instant setAt, String setBy, List<Exemption> inEffect) {
  }

  /** Where a plan is: waiting for its {@code drainAt}, started (its window), cancelled, or superseded. */
  public enum PlanState {
    /** Waiting for its drainAt. */
    Planned,
    /** Its drainAt came and it opened a window ({@code windowId}). */
    Started,
    /** Cancelled before its drainAt. */
    Cancelled,
    /** Its drainAt came while a window was already open: that window ({@code windowId}) went on. */
    Superseded
  }

  /**
   * A planned maintenance window: at {@code drainAt} one node starts Draining as if Start had been
   * called with the plan's {@code killAfter}, {@code autoSuspend} and {@code reason}
   * ({@code startedBy: "plan <id>"}). {@code expectedEnd} is what tenants are told and what
   * {@code Retry-After} counts down to while Suspended.
   */
  public record MaintenancePlan(long id, Instant drainAt, Duration killAfter, boolean autoSuspend, Instant expectedEnd,
      String reason, PlanState state, Instant createdAt, String createdBy, Instant settledAt, String settledBy,
      Long windowId) {

    /** The plan as tenants are told of it: when, until when, why; not how (killAfter, autoSuspend) nor who. */
    public MaintenancePlan forTenants() {
      return new MaintenancePlan(id, drainAt, null, false, expectedEnd, reason, state, null, null, null, null, null);
    }
  }

  /** The host administrator plans a window. */
  public record CreatePlan(Caller caller, Instant drainAt, Duration killAfter, boolean autoSuspend, Instant expectedEnd,
      String reason) {
  }

  /** The host administrator: every plan (newest drainAt first); anyone else: the ones still Planned. */
  public record ListPlans(Caller caller) {
  }

  public record CancelPlan(Caller caller, long id) {
  }

  /** Plans, and whether the list was cut at its limit. */
  public record Plans(List<MaintenancePlan> items, boolean truncated) {
  }

  /**
   * What a maintenance event is about: the window (opened, suspended, ended) or the plan (planned,
   * cancelled; and the plan that opened a window).
   */
  public record EventWindow(long id, Instant startedAt, String startedBy, String reason, Instant expectedEnd,
      Instant endedAt, String endedBy) {
  }

  /**
   * One stored maintenance event, numbered in the order it was committed ({@code id}): {@code type}
   * is {@code maintenance.planned|cancelled|draining|suspended|ended}.
   */
  /** {@code tenantId}: the one tenant an event of a tenant's own window concerns; null: every tenant. */
  public record MaintenanceEvent(long id, String type, Instant at, EventWindow window, MaintenancePlan plan,
      Long tenantId) {
  }

  /** The events stored after {@code after}, oldest first, at most {@code limit}. */
  public record ListEvents(long after, int limit) {
  }

  public record MaintenanceEvents(List<MaintenanceEvent> items) {
  }

  public record GetPhase() {
  }

  /**
   * Start (or continue) maintenance: {@code phase} Draining or Suspended. {@code killJobs} sends Kill
   * to every unfinished job; {@code force} enters Suspended with jobs still running;
   * {@code killAfter} sets a drain deadline after which Kill is sent by itself; {@code autoSuspend}
   * enters Suspended as soon as nothing runs.
   */
  /** {@code tenantId}: that tenant's own window; null: the whole platform. */
  public record StartMaintenance(Caller caller, MaintenancePhase phase, boolean killJobs, boolean force,
      Duration killAfter, boolean autoSuspend, String reason, Long tenantId) {
  }

  /** {@code tenantId}: that tenant's own window; null: the platform's. */
  public record EndMaintenance(Caller caller, Long tenantId) {
  }

  /**
   * The answer to a Start: the new snapshot, or, when Suspended was refused because jobs still run
   * (and neither {@code force} nor {@code killJobs} was given), those jobs, with nothing changed.
   */
  public record StartOutcome(PhaseSnapshot snapshot, ActiveJobs blocking) {

    public boolean refused() {
      return blocking != null;
    }
  }

  /**
   * How far the drain is: unfinished jobs per tenant (empty outside maintenance: there is no drain
   * then), stops and kills sent and acknowledged (the job ended afterwards), and an estimate of the
   * seconds left, never beyond the kill deadline ({@code null} while unknown; {@code estimateBasis}
   * says which: {@code rate}, {@code deadline}, {@code drained}, or why there is none).
   * {@code killDeadlineAt} is the window's kill deadline ({@code null} when none was set).
   * {@code tenants}: what the window did to each tenant it touched, in counts (the host's view of an
   * open window; the job ids stay in each tenant's own log). {@code sinceLastEndSeconds}: while jobs
   * remain, how long since a job of the drain last ended (or since the window opened when none has);
   * {@code stalled} once that reaches {@code maintenance.stalledAfterSeconds}.
   */
  public record DrainProgress(MaintenancePhase phase, Instant at, long remaining, Map<Long, Long> remainingByTenant,
      long stopsSent, long stopsAcknowledged, long killsSent, long killsAcknowledged, long triggersSkipped,
      Double ratio, Long estimatedSecondsLeft, String estimateBasis, Instant killDeadlineAt,
      Map<Long, TenantTally> tenants, Long sinceLastEndSeconds, boolean stalled, long exemptRunning,
      Map<Long, Long> exemptRunningByTenant) {

    /** Nothing to drain: outside maintenance, or a window not begun. */
    public static DrainProgress idle(MaintenancePhase phase, Instant at, Double ratio, String basis) {
      return new DrainProgress(phase, at, 0, Map.of(), 0, 0, 0, 0, 0, ratio, null, basis, null, Map.of(), null,
          false, 0, Map.of());
    }

    /** Whether nothing is left running in the window, the exempt jobs included: what autoSuspend waits for. */
    public boolean nothingRunning() {
      return remaining == 0 && exemptRunning == 0;
    }

    /** True while a window is open (Draining or Suspended): the only time {@code remaining} counts. */
    public boolean draining() {
      return phase.inMaintenance();
    }

    /** Whole seconds from {@code at} to the kill deadline, 0 once it passed; null without a deadline. */
    public Long deadlineSecondsLeft() {
      return killDeadlineAt == null ? null
          : Math.max(0, (long) Math.ceil(Duration.between(at, killDeadlineAt).toMillis() / 1000.0));
    }
  }

  public record GetProgress() {
  }

  /** One tenant's share of a window, in UiPath's names: stops and kills sent, fires skipped. */
  public record TenantTally(long jobStopsAttempted, long jobKillsAttempted, long triggersSkipped) {
  }

  /** What a drain started now would do: jobs it would stop, fires it would skip within {@code horizon}. */
  /** {@code tenantId}: what that tenant's own window would stop and skip; null: the platform's. */
  public record Preview(Caller caller, Duration horizon, Long tenantId) {
  }

  /**
   * What a drain started now would stop, and the fires it would skip within {@code horizon}:
   * {@code firesToSkipTotal} and {@code firesToSkipByTenant} count all of them; {@code firesToSkip}
   * is the earliest {@code firesToSkipLimit} at most, {@code firesToSkipTruncated} when it is not all.
   * {@code exemptRunning}: the active jobs of processes the list in force exempts, which the drain
   * would leave running (not in {@code jobsToStop}).
   */
  public record PreviewReport(long jobsToStop, Map<Long, Long> jobsToStopByTenant, List<ActiveJob> sample,
      List<PlannedFire> firesToSkip, Duration horizon, long firesToSkipTotal, Map<Long, Long> firesToSkipByTenant,
      boolean firesToSkipTruncated, int firesToSkipLimit, long exemptRunning, Map<Long, Long> exemptRunningByTenant) {
  }

  public record PlannedFire(long tenantId, long scheduleId, String scheduleName, Instant plannedAt) {
  }

  /** {@code GET /api/Maintenance/Get}'s view for an administrator ({@code tenantId}: one tenant's). */
  public record GetMaintenanceView(Caller caller, Long tenantId) {
  }

  public record ListNodes() {
  }

  /**
   * A node of the cluster seen lately (its heartbeat row): which release it runs, since when, and
   * when it last said so (the database's clock).
   */
  public record NodeInfo(String id, String version, String commit, String host, Instant startedAt,
      Instant lastSeenAt) {
  }

  public record NodeList(List<NodeInfo> items) {
  }
}
