package org.orchestrator.jobs;

import java.util.Optional;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.jobs.JobMessages.CommandType;
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
 *
 * <p>Maintenance sweeps every tenant's jobs at once ({@link MaintenanceSweeps}, one UPDATE each); what
 * they do to one job is {@link #sweepStop} and {@link #sweepKill}, and a test runs the UPDATEs over a
 * job in every state to hold them to it. What a robot is told about a job is {@link #command}.
 *
 * <pre>
 *                        Stop sweep     Kill sweep      robot is told
 * Pending, not handed     -              -               - (not its job yet)
 * Pending, handed out     Stopping       Terminating     StartJob
 * Running                 Stopping       Terminating     -
 * Stopping                -              Terminating     StopJob
 * Terminating             -              -               KillJob
 * final                   -              -               -
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

  /** What a maintenance Stop sweep does to a job ({@code handedOut}: its StartJob was delivered). */
  public static Optional<JobState> sweepStop(JobState current, boolean handedOut) {
    return switch (current) {
      case Pending -> handedOut ? Optional.of(JobState.Stopping) : Optional.empty();
      case Running -> Optional.of(JobState.Stopping);
      default -> Optional.empty();
    };
  }

  /** What a maintenance Kill sweep does to a job. */
  public static Optional<JobState> sweepKill(JobState current, boolean handedOut) {
    return switch (current) {
      case Pending -> handedOut ? Optional.of(JobState.Terminating) : Optional.empty();
      case Running, Stopping -> Optional.of(JobState.Terminating);
      default -> Optional.empty();
    };
  }

  /** The command a robot is given, on every heartbeat until it reports, for its job in {@code state}. */
  public static Optional<CommandType> command(JobState state, boolean handedOut) {
    return switch (state) {
      case Pending -> handedOut ? Optional.of(CommandType.StartJob) : Optional.empty();
      case Stopping -> Optional.of(CommandType.StopJob);
      case Terminating -> Optional.of(CommandType.KillJob);
      default -> Optional.empty();
    };
  }
}
