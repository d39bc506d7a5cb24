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

  /** Held or handed out: what maintenance waits for and what keeps a robot from new work. */
  static String active(String alias) {
    return "(" + held(alias) + " OR " + handedOut(alias) + ")";
  }

  private static String in(String column, Set<JobState> states) {
    return column + " IN (" + states.stream().map(s -> "'" + s.name() + "'").sorted()
        .collect(Collectors.joining(", ")) + ")";
  }
}
