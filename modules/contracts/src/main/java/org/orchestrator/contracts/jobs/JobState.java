package org.orchestrator.contracts.jobs;

import java.util.EnumSet;
import java.util.Set;

/** Where a job is in its life. Stop: Running -> Stopping -> Stopped; Kill: -> Terminating -> Stopped. */
public enum JobState {
  Pending, Running, Stopping, Terminating, Successful, Faulted, Stopped;

  /** States a job never leaves. */
  public static final Set<JobState> FINAL = EnumSet.of(Successful, Faulted, Stopped);
  /** Every other state: the job has not ended (a Pending one may not have a robot yet). */
  public static final Set<JobState> UNFINISHED = EnumSet.complementOf(EnumSet.of(Successful, Faulted, Stopped));
  /**
   * States in which a robot holds the job. A job is <em>active</em> (maintenance waits for it, a
   * robot with one gets no other) when it is held, or Pending and already handed to a robot (its
   * StartJob delivered): the jobs module's {@code JobSql.active} is that predicate in SQL.
   */
  public static final Set<JobState> HELD = EnumSet.of(Running, Stopping, Terminating);

  public boolean isFinal() {
    return FINAL.contains(this);
  }

  /** Parses a state name exactly as the API spells it, or null. */
  public static JobState parse(String name) {
    for (JobState state : values()) {
      if (state.name().equals(name)) {
        return state;
      }
    }
    return null;
  }
}
