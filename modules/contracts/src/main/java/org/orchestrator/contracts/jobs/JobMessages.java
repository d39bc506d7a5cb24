package org.orchestrator.contracts.jobs;

import org.orchestrator.contracts.PageRequest;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.orchestrator.contracts.Caller;

/** Bodies of the jobs module's addresses: jobs, the robot protocol, logs and queue items. */
public final class JobMessages {

  private JobMessages() {
  }

  /** Who asked for a job. */
  public enum Origin { Manual, Schedule }

  /**
   * A job. {@code startDeliveredAt}: when its StartJob was handed to its robot (null: never);
   * {@code info}: why the server ended it without its robot saying so (null otherwise).
   */
  public record Job(long id, long tenantId, String processName, Long robotId, JobState state, Origin origin,
      Long scheduleId, Instant createdAt, Instant startedAt, Instant endedAt, Instant stopRequestedAt,
      Instant killRequestedAt, Instant startDeliveredAt, String info) {
  }

  /** A job asked for by a tenant user; {@code robotId} null lets any free robot of the tenant take it. */
  public record CreateJob(Caller caller, String processName, Long robotId) {
  }

  /** A job a schedule fire asks for; at most one job exists per (schedule, planned time). */
  public record CreateScheduledJob(long tenantId, long scheduleId, String processName, Long robotId,
      Instant plannedAt) {
  }

  /** The jobs of many schedule fires at once (at most {@link #MAX} per request). */
  public record CreateScheduledJobs(List<CreateScheduledJob> fires) {
    /** The most fires one request may carry. */
    public static final int MAX = 1_000;
  }

  /**
   * What became of one fire of a {@link CreateScheduledJobs}: its job (new, or the one an earlier
   * attempt created), or why it was refused ({@code jobId} null).
   */
  public record ScheduledJob(long scheduleId, Instant plannedAt, Long jobId, String refusal) {

    /** The refusal of a fire whose tenant is in a maintenance window of its own: skipped, not failed. */
    public static final String MAINTENANCE = "Maintenance";
  }

  /** One {@link ScheduledJob} per fire asked for. */
  public record ScheduledJobs(List<ScheduledJob> items) {
  }

  /** Jobs of the caller's tenant, newest first; {@code state} null for all. */
  public record ListJobs(Caller caller, JobState state, PageRequest page) {
  }

  public record GetJob(Caller caller, long jobId) {
  }

  /** Stop (graceful) or Kill (forced) one job. */
  public record ControlJob(Caller caller, long jobId) {
  }

  // robot protocol

  public enum CommandType { StartJob, StopJob, KillJob }

  public record RobotCommand(CommandType type, long jobId, String processName) {
  }

  /**
   * A robot says it is alive and asks what to do. {@code runningJobs}: the jobs the robot says it
   * runs (null: it does not say, and nothing is reconciled).
   */
  public record Heartbeat(Caller robot, List<Long> runningJobs) {

    /** Job ids one heartbeat may list. */
    public static final int MAX_RUNNING_JOBS = 1000;

    public Heartbeat(Caller robot) {
      this(robot, null);
    }
  }

  public record RobotCommands(List<RobotCommand> commands) {
  }

  /**
   * Robots whose commands changed (a job of theirs was stopped or killed, by a person or a
   * maintenance sweep), on whichever node it happened; {@code robotIds} empty means every robot.
   */
  public record RobotCommandsChanged(List<Long> robotIds) {

    public boolean everyRobot() {
      return robotIds.isEmpty();
    }
  }

  /** The commands of some robots now, without side effects (nothing is handed out or marked). */
  public record GetRobotCommands(List<Long> robotIds) {
  }

  public record CommandsByRobot(Map<Long, List<RobotCommand>> commands) {
  }

  /** A robot reports the state of one of its jobs. */
  public record ReportJobState(Caller robot, long jobId, JobState state) {
  }

  public record LogLine(long jobId, String level, String message, Instant timeStamp) {
  }

  /**
   * A batch of log lines from one robot; stored all or nothing. {@code batchId} (null: none) makes
   * it idempotent: the same robot sending the same id again gets the first answer, nothing stored.
   */
  public record AppendLogs(Caller robot, String batchId, List<LogLine> lines) {

    /** Lines one upload may carry. */
    public static final int MAX_LINES = 1000;
    /** Characters a batch id may have. */
    public static final int MAX_BATCH_ID = 128;

    public AppendLogs(Caller robot, List<LogLine> lines) {
      this(robot, null, lines);
    }
  }

  public record Stored(int stored) {
  }

  public record StoredLog(long id, long jobId, long robotId, String level, String message, Instant timeStamp) {
  }

  /** Robot logs of the caller's tenant, newest first; {@code jobId} null for every job's. */
  public record ListLogs(Caller caller, Long jobId, PageRequest page) {
  }

  /** A queue item a robot adds; {@code payload} is a private copy, never mutated after sending. */
  public record AddQueueItem(Caller robot, String queueName, String reference, JsonObject payload) {
  }

  /**
   * A queue item: added by {@code robotId}; {@code status} New, InProgress (taken by
   * {@code processingRobotId}), Successful or Failed (with the robot's {@code output}).
   */
  public record QueueItem(long id, String queueName, String reference, JsonObject payload, long robotId,
      Instant createdAt, String status, Long processingRobotId, JsonObject output) {
  }

  public record ItemId(long id) {
  }

  /** A robot takes the next New item of a queue of its tenant (a queue transaction begins). */
  public record TakeQueueItem(Caller robot, String queueName) {
  }

  /** The item taken, now InProgress for that robot; {@code item} is null when the queue is empty. */
  public record TakenQueueItem(QueueItem item) {
  }

  /** How a queue transaction ended, as the robot that took the item reports it. */
  public enum QueueItemStatus { Successful, Failed }

  /** The robot that took an item reports its result; {@code output} is a private copy or null. */
  public record FinishQueueItem(Caller robot, long itemId, QueueItemStatus status, JsonObject output) {
  }

  /** Queue items of the caller's tenant, newest first; {@code queueName} null for every queue's. */
  public record ListQueueItems(Caller caller, String queueName, PageRequest page) {
  }

  /** Connection state of the robots of a tenant, as the jobs module sees them. */
  public record ListRobotPresence(long tenantId) {
  }

  /** A robot as job control sees it: its last heartbeat (null: none yet) and its cordon (null: none). */
  public record RobotPresence(long robotId, Instant lastHeartbeatAt, boolean connected, Instant cordonedAt,
      String cordonedBy) {
  }

  /**
   * Take a robot of the caller's tenant out of rotation: it is handed no new job until uncordoned.
   * {@code stopRunning}: Stop its running job now; {@code killAfter}: kill what it still runs after
   * that long (null: never).
   */
  public record CordonRobot(Caller caller, long robotId, boolean stopRunning, java.time.Duration killAfter) {
  }

  public record UncordonRobot(Caller caller, long robotId) {
  }

  /** What cordoning a robot would do, before it is done. */
  public record PreviewCordon(Caller caller, long robotId) {
  }

  /**
   * A cordon's preview: {@code wouldStop} the jobs it runs or was handed (Stop with stopRunning),
   * {@code wouldWait} the Pending jobs that name it (they wait for it), {@code cordonedAt} when it
   * is cordoned already.
   */
  public record CordonPreview(long robotId, Instant cordonedAt, List<Long> wouldStop, List<Long> wouldWait) {
  }

  /**
   * A robot's cordon after a change: {@code cordonedAt} null when it is not cordoned;
   * {@code stopped} the jobs this change sent Stop to; {@code killAt} when its jobs are killed.
   */
  public record RobotCordon(long robotId, Instant cordonedAt, String cordonedBy, Instant killAt, int stopped) {
  }

  public record RobotPresenceList(List<RobotPresence> items) {
  }

  /**
   * The fleet's return after a platform window: {@code windowStartedAt} and {@code windowEndedAt}
   * are the window's (the phase's snapshot), {@code tenantId} null for every tenant.
   */
  public record GetFleetReturn(Long tenantId, Instant windowStartedAt, Instant windowEndedAt) {
  }

  /**
   * @param robotsBefore robots heard from within the heartbeat grace before the window began, or
   *     during it (the fleet that is expected back)
   * @param robotsBack robots heard from since End
   * @param jobsWaiting Pending jobs not handed out yet (the start pace hands them out)
   */
  public record FleetReturn(long robotsBefore, long robotsBack, long jobsWaiting) {
  }

  // maintenance

  /**
   * A maintenance sweep of one window, over every tenant's jobs ({@code tenantId} null) or one
   * tenant's; the jobs it touches are tagged with the window. The jobs of exempt processes are left
   * alone as the committed phase says, unless {@code exemptionsEnd}: the sweep of a move to
   * Suspended, which ends every exemption (it runs before the move is stored).
   */
  public record SweepJobs(long windowId, Long tenantId, boolean exemptionsEnd) {

    public SweepJobs(long windowId, Long tenantId) {
      this(windowId, tenantId, false);
    }
  }

  public record SweepResult(int affected) {
  }

  /** A job a robot is (or may be) working on: Running, Stopping, Terminating, or Pending and handed out. */
  /** An active job; {@code exempt}: its process runs through the window (an exemption). */
  public record ActiveJob(long id, long tenantId, String state, Long robotId, String processName, boolean exempt) {
  }

  /**
   * The active jobs, with a sample of at most {@code sampleLimit} (exempt ones first). Exempt is
   * judged on the committed phase, or, when {@code assumed} is given (a preview before a window),
   * as if a window with that list of exemptions were Draining.
   */
  public record ListActive(int sampleLimit, List<org.orchestrator.contracts.phase.PhaseMessages.Exemption> assumed) {

    public ListActive(int sampleLimit) {
      this(sampleLimit, null);
    }
  }

  /**
   * What maintenance waits for: {@code total} active jobs per tenant, of which {@code exempt} (per
   * tenant {@code exemptByTenant}) run through the window; the drain's remaining is the difference.
   */
  public record ActiveJobs(long total, Map<Long, Long> byTenant, List<ActiveJob> sample, long exempt,
      Map<Long, Long> exemptByTenant) {

    /** Active jobs none of which is exempt. */
    public ActiveJobs(long total, Map<Long, Long> byTenant, List<ActiveJob> sample) {
      this(total, byTenant, sample, 0, Map.of());
    }

    /** The active jobs the drain waits to end (those of exempt processes aside), per tenant. */
    public Map<Long, Long> remainingByTenant() {
      if (exempt == 0) {
        return byTenant;
      }
      Map<Long, Long> remaining = new java.util.LinkedHashMap<>();
      byTenant.forEach((tenant, n) -> {
        long left = n - exemptByTenant.getOrDefault(tenant, 0L);
        if (left > 0) {
          remaining.put(tenant, left);
        }
      });
      return remaining;
    }

    /** The active jobs the drain waits to end. */
    public long remaining() {
      return total - exempt;
    }
  }

  /** Stops and kills a window sent and how many of those jobs have ended since. */
  public record CountWindow(long windowId) {
  }

  /**
   * A window's stops and kills per tenant (tenants it touched), the one source of both the drain
   * progress ({@code stopsSent}) and the host's view of the open window ({@code jobStopsAttempted}).
   */
  public record WindowCounts(Map<Long, TenantCounts> byTenant) {

    public long stopsSent() {
      return byTenant.values().stream().mapToLong(TenantCounts::stopsSent).sum();
    }

    public long stopsAcknowledged() {
      return byTenant.values().stream().mapToLong(TenantCounts::stopsAcknowledged).sum();
    }

    public long killsSent() {
      return byTenant.values().stream().mapToLong(TenantCounts::killsSent).sum();
    }

    public long killsAcknowledged() {
      return byTenant.values().stream().mapToLong(TenantCounts::killsAcknowledged).sum();
    }
  }

  /** One tenant's share of a {@link WindowCounts}: acknowledged = the job ended after it was sent. */
  public record TenantCounts(long stopsSent, long stopsAcknowledged, long killsSent, long killsAcknowledged) {
  }

  /**
   * The jobs a window stopped or killed, per job, optionally of one tenant; and the jobs that ran
   * through it as exempt, each with the reason {@code exempt} gives for its process (the window's
   * exemptions).
   */
  public record ListWindowJobs(long windowId, Long tenantId,
      List<org.orchestrator.contracts.phase.PhaseMessages.Exemption> exempt) {

    public ListWindowJobs(long windowId, Long tenantId) {
      this(windowId, tenantId, List.of());
    }
  }

  /**
   * A job a window sent Stop ({@code stopped}) and/or Kill ({@code killed}), with its process and its
   * state now (a final state once it ended).
   */
  public record WindowJob(long tenantId, long jobId, boolean stopped, boolean killed, String processName,
      String state, String exemptReason) {

    public WindowJob(long tenantId, long jobId, boolean stopped, boolean killed) {
      this(tenantId, jobId, stopped, killed, null, null, null);
    }

    public WindowJob(long tenantId, long jobId, boolean stopped, boolean killed, String processName, String state) {
      this(tenantId, jobId, stopped, killed, processName, state, null);
    }
  }

  public record WindowJobs(List<WindowJob> items) {
  }

  /**
   * A robot was deleted (internal, from identity, no caller): its unfinished jobs end (held or
   * handed out: Faulted; waiting for it: Stopped; both with {@code reason} as their info), the queue
   * items it holds are New again, and job control forgets its presence and cordon. Idempotent.
   */
  public record RetireRobot(long tenantId, long robotId, String reason) {
  }

  /** What retiring a robot ended: job ids by what became of them, and queue items put back. */
  public record RetiredRobot(List<Long> faulted, List<Long> stopped, int itemsReleased) {
  }
}
