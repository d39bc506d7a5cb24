package org.orchestrator.contracts.jobs;

import java.util.EnumSet;
import java.util.Set;

/** Where a job is in its life. Stop: Running -> Stopping -> Stopped; Kill: -> Terminating -> Stopped. */
public enum JobState {
  Pending, Running, Stopping, Terminating, Successful, Faulted, Stopped;

  /** States a job never leaves. */
  public static final Set<JobState> FINAL = EnumSet.of(Successful, Faulted, Stopped);
  /** States in which a robot is (or is about to be) working on the job. */
  public static final Set<JobState> ACTIVE = EnumSet.of(Pending, Running, Stopping, Terminating);

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
