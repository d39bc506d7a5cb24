package org.orchestrator.jobs;

import java.util.Set;
import java.util.stream.Collectors;
import org.orchestrator.contracts.jobs.JobState;

/**
 * The job states of {@link JobState} as SQL predicates over the {@code jobs} table, so that every
 * query of this module (sweeps, the robot protocol, liveness, metrics) asks the same question the
 * same way. Built from the enum's sets, never typed out.
 */
final class JobSql {

  /** The job has ended. */
  static final String FINAL = in("state", JobState.FINAL);
  /** The job has not ended. */
  static final String UNFINISHED = in("state", JobState.UNFINISHED);
  /** Jobs a robot works on or may be starting (see {@link JobState#HELD}). */
  static final String ACTIVE = active("");
  /** A Stop or Kill command not yet delivered to the job's robot (what a heartbeat marks). */
  static final String UNDELIVERED = "((state = 'Stopping' AND stop_delivered_at IS NULL)"
      + " OR (state = 'Terminating' AND kill_delivered_at IS NULL))";
  /** The SET list that marks the job's Stop or Kill command delivered now. */
  static final String MARK_DELIVERED = "stop_delivered_at = CASE WHEN state = 'Stopping' THEN now() ELSE"
      + " stop_delivered_at END, kill_delivered_at = CASE WHEN state = 'Terminating' THEN now() ELSE"
      + " kill_delivered_at END";

  private JobSql() {
  }

  /** A robot holds the job (Running, Stopping, Terminating); {@code alias} qualifies the columns. */
  static String held(String alias) {
    return in(alias + "state", JobState.HELD);
  }

  /** Pending and already handed to a robot (its StartJob delivered). */
  static String handedOut(String alias) {
    return "(" + alias + "state = '" + JobState.Pending + "' AND " + alias + "start_delivered_at IS NOT NULL)";
  }

  /**
   * Running, or Pending and handed out: what a Stop (of a window or a cordon) goes to
   * ({@code MaintenanceRules.stoppable}).
   */
  static String stoppable(String alias) {
    return "(" + alias + "state = '" + JobState.Running + "' OR " + handedOut(alias) + ")";
  }

  /** Running, Stopping, or Pending and handed out: what a Kill goes to (a job already Terminating is not killed again). */
  static String killable(String alias) {
    return "(" + alias + "state IN ('" + JobState.Running + "', '" + JobState.Stopping + "') OR " + handedOut(alias) + ")";
  }

  /**
   * Whether maintenance leaves the job alone now: its process is exempt in its tenant's window, on
   * the committed phase (the phase module's {@code maintenance_exempt}, {@code MaintenanceRules.exempt}).
   */
  static String exempt(String alias) {
    return org.orchestrator.contracts.phase.StartFence.exempt(alias + "tenant_id", alias + "process_name");
  }

  /**
   * The stop predicate: what a window's Stop sweep sends Stop to now (stoppable and not exempt;
   * {@code MaintenanceRules.stops} on a node's copy of the phase).
   */
  static String toStop(String alias) {
    return "(" + stoppable(alias) + " AND NOT " + exempt(alias) + ")";
  }

  /** What a window's Kill (killJobs, the deadline) goes to now: killable and not exempt. */
  static String toKill(String alias) {
    return "(" + killable(alias) + " AND NOT " + exempt(alias) + ")";
  }

  /** Held or handed out: what maintenance waits for and what keeps a robot from new work. */
  static String active(String alias) {
    return "(" + held(alias) + " OR " + handedOut(alias) + ")";
  }

  private static String in(String column, Set<JobState> states) {
    return column + " IN (" + states.stream().map(s -> "'" + s.name() + "'").sorted()
        .collect(Collectors.joining(", ")) + ")";
  }
}
