package org.orchestrator.jobs;

import java.util.Optional;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.jobs.JobState;

/**
 * The job state machine, pure: what a Stop, a Kill or a robot's report does to a job in a given
 * state. {@code Optional.empty()} means "nothing changes" (an idempotent repeat); an illegal step
 * throws a {@link Failure} with code CONFLICT.
 *
 * <pre>
 *            Stop                Kill               robot reports Running / final
 * Pending    Stopped             Stopped            Running / final
 * Running    Stopping            Terminating        - / final
 * Stopping   - (already)         Terminating        - / final
 * Terminating CONFLICT           - (already)        - / final
 * final      CONFLICT            CONFLICT           same final: - ; other: CONFLICT
 * </pre>
 */
public final class JobTransitions {

  private JobTransitions() {
  }

  public static Optional<JobState> stop(JobState current) {
    return switch (current) {
      case Pending -> Optional.of(JobState.Stopped);
      case Running -> Optional.of(JobState.Stopping);
      case Stopping -> Optional.empty();
      case Terminating -> throw Failure.conflict("the job is being killed; a Stop cannot follow a Kill");
      case Successful, Faulted, Stopped -> throw Failure.conflict("the job has ended (" + current + ")");
    };
  }

  public static Optional<JobState> kill(JobState current) {
    return switch (current) {
      case Pending -> Optional.of(JobState.Stopped);
      case Running, Stopping -> Optional.of(JobState.Terminating);
      case Terminating -> Optional.empty();
      case Successful, Faulted, Stopped -> throw Failure.conflict("the job has ended (" + current + ")");
    };
  }

  /** A robot's report; robots may report {@code Running} or a final state only. */
  public static Optional<JobState> report(JobState current, JobState reported) {
    if (reported != JobState.Running && !reported.isFinal()) {
      throw Failure.badRequest("a robot reports Running, Successful, Faulted or Stopped, not " + reported);
    }
    if (current.isFinal()) {
      if (current == reported) {
        return Optional.empty();
      }
      throw Failure.conflict("the job has ended (" + current + "); it cannot become " + reported);
    }
    if (reported == JobState.Running) {
      return current == JobState.Pending ? Optional.of(JobState.Running) : Optional.empty();
    }
    return Optional.of(reported);
  }
}
