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
      boolean autoSuspend, Instant windowEndedAt, List<Transition> transitions) {

    /** The state before anything was ever stored. */
    public static PhaseSnapshot initial() {
      return new PhaseSnapshot(0, MaintenancePhase.None, null, null, null, null, null, null, null, false, null,
          List.of());
    }
  }

  public record GetPhase() {
  }

  /**
   * Start (or continue) maintenance: {@code phase} Draining or Suspended. {@code killJobs} sends Kill
   * to every unfinished job; {@code force} enters Suspended with jobs still running;
   * {@code killAfter} sets a drain deadline after which Kill is sent by itself; {@code autoSuspend}
   * enters Suspended as soon as nothing runs.
   */
  public record StartMaintenance(Caller caller, MaintenancePhase phase, boolean killJobs, boolean force,
      Duration killAfter, boolean autoSuspend, String reason) {
  }

  public record EndMaintenance(Caller caller) {
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
   * open window; the job ids stay in each tenant's own log).
   */
  public record DrainProgress(MaintenancePhase phase, Instant at, long remaining, Map<Long, Long> remainingByTenant,
      long stopsSent, long stopsAcknowledged, long killsSent, long killsAcknowledged, long triggersSkipped,
      Double ratio, Long estimatedSecondsLeft, String estimateBasis, Instant killDeadlineAt,
      Map<Long, TenantTally> tenants) {

    /** Nothing to drain: outside maintenance, or a window not begun. */
    public static DrainProgress idle(MaintenancePhase phase, Instant at, Double ratio, String basis) {
      return new DrainProgress(phase, at, 0, Map.of(), 0, 0, 0, 0, 0, ratio, null, basis, null, Map.of());
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
  public record Preview(Caller caller, Duration horizon) {
  }

  /**
   * What a drain started now would stop, and the fires it would skip within {@code horizon}:
   * {@code firesToSkipTotal} and {@code firesToSkipByTenant} count all of them; {@code firesToSkip}
   * is the earliest {@code firesToSkipLimit} at most, {@code firesToSkipTruncated} when it is not all.
   */
  public record PreviewReport(long jobsToStop, Map<Long, Long> jobsToStopByTenant, List<ActiveJob> sample,
      List<PlannedFire> firesToSkip, Duration horizon, long firesToSkipTotal, Map<Long, Long> firesToSkipByTenant,
      boolean firesToSkipTruncated, int firesToSkipLimit) {
  }

  public record PlannedFire(long tenantId, long scheduleId, String scheduleName, Instant plannedAt) {
  }
}
