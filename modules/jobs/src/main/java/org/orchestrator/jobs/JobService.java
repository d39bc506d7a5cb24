package org.orchestrator.jobs;

import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.orchestrator.contracts.Caller;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.FailureCode;
import org.orchestrator.contracts.Page;
import org.orchestrator.contracts.identity.IdentityMessages.GetRobot;
import org.orchestrator.contracts.identity.IdentityMessages.Robot;
import org.orchestrator.contracts.jobs.JobMessages.AddQueueItem;
import org.orchestrator.contracts.jobs.JobMessages.AppendLogs;
import org.orchestrator.contracts.jobs.JobMessages.CreateJob;
import org.orchestrator.contracts.jobs.JobMessages.CreateScheduledJob;
import org.orchestrator.contracts.jobs.JobMessages.Heartbeat;
import org.orchestrator.contracts.jobs.JobMessages.CreateScheduledJobs;
import org.orchestrator.contracts.jobs.JobMessages.ScheduledJob;
import org.orchestrator.contracts.jobs.JobMessages.ScheduledJobs;
import org.orchestrator.contracts.jobs.JobMessages.ItemId;
import org.orchestrator.contracts.jobs.JobMessages.Job;
import org.orchestrator.contracts.jobs.JobMessages.ListJobs;
import org.orchestrator.contracts.jobs.JobMessages.ListLogs;
import org.orchestrator.contracts.jobs.JobMessages.ListQueueItems;
import org.orchestrator.contracts.jobs.JobMessages.LogLine;
import org.orchestrator.contracts.jobs.JobMessages.StoredLog;
import org.orchestrator.contracts.jobs.JobMessages.QueueItem;
import org.orchestrator.contracts.jobs.JobMessages.TakeQueueItem;
import org.orchestrator.contracts.jobs.JobMessages.TakenQueueItem;
import org.orchestrator.contracts.jobs.JobMessages.FinishQueueItem;
import org.orchestrator.contracts.jobs.JobMessages.ReportJobState;
import org.orchestrator.contracts.jobs.JobMessages.RobotCommands;
import org.orchestrator.contracts.jobs.JobMessages.RobotPresence;
import org.orchestrator.contracts.jobs.JobMessages.CordonRobot;
import org.orchestrator.contracts.jobs.JobMessages.RobotCordon;
import org.orchestrator.contracts.jobs.JobMessages.UncordonRobot;
import org.orchestrator.contracts.jobs.JobMessages.CordonPreview;
import org.orchestrator.contracts.jobs.JobMessages.PreviewCordon;
import org.orchestrator.jobs.CordonRepository.CordonOutcome;
import org.orchestrator.platform.database.Timestamps;
import java.time.Clock;
import java.time.Instant;
import org.orchestrator.contracts.jobs.JobMessages.RobotPresenceList;
import org.orchestrator.contracts.jobs.JobMessages.Stored;
import org.orchestrator.contracts.jobs.JobState;
import org.orchestrator.contracts.phase.MaintenanceRules;
import org.orchestrator.contracts.phase.MaintenanceRules.Work;

/**
 * Job control and the robot protocol. Tenant users (administrators and operators) create, read,
 * stop and kill the jobs of their tenant; robots heartbeat, report on the jobs they were given,
 * upload logs and add queue items. A job of another tenant does not exist for the caller (404).
 * During maintenance no job is created and no Pending job is handed to a robot.
 */
final class JobService {

  private static final Pattern PROCESS = Pattern.compile("[^\\p{Cntrl}]{1,128}");
  private static final String PROCESS_RULE = "processName is 1-128 printable characters";
  private static final Pattern QUEUE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  private static final Pattern BATCH_ID = Pattern.compile("[\\x21-\\x7E]{1," + AppendLogs.MAX_BATCH_ID + "}");
  private static final int MAX_REFERENCE = 256;
  private static final int MAX_CAS_ATTEMPTS = 8;

  private final JobRepository jobs;
  private final RobotLogRepository logs;
  private final QueueItemRepository queueItems;
  private final Function<GetRobot, Future<Robot>> robots;
  private final Duration heartbeatGrace;
  /** What maintenance allows now (this node's copy of the phase; the start fence has the last word). */
  private final Supplier<MaintenanceRules> rules;
  private final JobMetrics metrics;
  private final LogGroupCommit logWriter;
  private final CordonRepository cordons;
  private final Clock clock;
  /** How fast this node hands out new work (after End, the whole fleet asks at once). */
  private final StartPacer pacer;

  JobService(JobRepository jobs, RobotLogRepository logs, QueueItemRepository queueItems,
      Function<GetRobot, Future<Robot>> robots, Duration heartbeatGrace, Supplier<MaintenanceRules> rules,
      JobMetrics metrics, LogGroupCommit logWriter, CordonRepository cordons, Clock clock, StartPacer pacer) {
    this.pacer = pacer;
    this.cordons = cordons;
    this.clock = clock;
    this.metrics = metrics;
    this.logWriter = logWriter;
    this.jobs = jobs;
    this.logs = logs;
    this.queueItems = queueItems;
    this.robots = robots;
    this.heartbeatGrace = heartbeatGrace;
    this.rules = rules;
  }

  // Every operation answers a future and never throws: each starts from the caller's check (a
  // future) and composes the rest on it, so a Failure thrown while checking the request fails the
  // future that composition returns.

  /**
   * No job is created for a tenant in maintenance (the platform's or its own), whoever asks, unless
   * its process is exempt while Draining.
   */
  private void refuseInMaintenance(long tenantId, String processName) {
    MaintenanceRules now = rules.get();
    if (!now.mayCreateJob(tenantId, processName)) {
      throw new Failure(FailureCode.MAINTENANCE, "no new jobs during maintenance (" + now.phaseOf(tenantId) + ")");
    }
  }

  Future<Job> create(CreateJob request) {
    return request.caller().tenantUser().compose(tenantId -> {
      String process = processName(request.processName());
      refuseInMaintenance(tenantId, process);
      Future<Long> robotId = request.robotId() == null ? Future.succeededFuture(null)
          : robots.apply(new GetRobot(tenantId, request.robotId())).map(Robot::id);
      // this node's phase said None; the committed phase has the last word (a node can lag a change)
      return robotId.compose(robot -> jobs.insert(tenantId, process, robot))
          .map(created -> created.orElseThrow(() -> new Failure(FailureCode.MAINTENANCE,
              "no new jobs during maintenance (a window has just opened)")));
    });
  }

  /**
   * The jobs of a batch of schedule fires, in one statement. A fire of a tenant in maintenance (the
   * platform's window or its own, as committed) is refused (MAINTENANCE), one whose process name is
   * not acceptable too, each alone.
   */
  Future<ScheduledJobs> createScheduled(CreateScheduledJobs request) {
    if (request.fires().size() > CreateScheduledJobs.MAX) {
      return Future.failedFuture(Failure.badRequest("at most " + CreateScheduledJobs.MAX + " fires per request"));
    }
    // which fires maintenance refuses is the start fence's to say (the committed phase, in the
    // insert's transaction), not this node's copy: a copy behind an End would refuse fires due after it
    List<CreateScheduledJob> acceptable = new ArrayList<>(request.fires().size());
    List<ScheduledJob> refused = new ArrayList<>();
    for (CreateScheduledJob fire : request.fires()) {
      if (acceptableProcessName(fire.processName())) {
        acceptable.add(fire);
      } else {
        refused.add(new ScheduledJob(fire.scheduleId(), fire.plannedAt(), null, PROCESS_RULE));
      }
    }
    Future<List<ScheduledJob>> created = acceptable.isEmpty() ? Future.succeededFuture(List.of())
        : jobs.insertScheduled(acceptable);
    return created.map(items -> {
      List<ScheduledJob> all = new ArrayList<>(items);
      all.addAll(refused);
      return new ScheduledJobs(all);
    });
  }

  Future<Page<Job>> list(ListJobs query) {
    return query.caller().tenantUser().compose(tenantId -> jobs.page(tenantId, query.state(), query.page()));
  }

  Future<Job> get(Caller caller, long jobId) {
    return caller.tenantUser().compose(tenantId -> jobs.find(tenantId, jobId))
        .map(found -> found.orElseThrow(() -> noJob(jobId)));
  }

  Future<Job> stop(Caller caller, long jobId) {
    return caller.tenantUser().compose(tenantId -> change(() -> jobs.find(tenantId, jobId), jobId,
        job -> JobTransitions.stop(job.state()), MAX_CAS_ATTEMPTS));
  }

  Future<Job> kill(Caller caller, long jobId) {
    return caller.tenantUser().compose(tenantId -> change(() -> jobs.find(tenantId, jobId), jobId,
        job -> JobTransitions.kill(job.state()), MAX_CAS_ATTEMPTS));
  }

  Future<RobotCommands> heartbeat(Heartbeat heartbeat) {
    Caller robot = heartbeat.robot();
    return robot.robotTenant().compose(tenantId -> {
      List<Long> running = heartbeat.runningJobs();
      if (running != null && running.size() > Heartbeat.MAX_RUNNING_JOBS) {
        throw Failure.badRequest("runningJobs lists at most " + Heartbeat.MAX_RUNNING_JOBS + " job ids");
      }
      if (running != null && running.stream().anyMatch(id -> id == null || id < 1)) {
        throw Failure.badRequest("runningJobs holds job ids (integers >= 1)");
      }
      Work work = rules.get().work(tenantId);
      if (work.none() || pacer.tryTake()) {
        return jobs.heartbeat(tenantId, robot.principalId(), running, work).onComplete(done -> {
          if (!work.none() && (done.failed() || !done.result().claimed())) {
            pacer.giveBack(); // nothing handed out: the token is the next robot's
          }
        });
      }
      metrics.startPaced();
      return jobs.heartbeat(tenantId, robot.principalId(), running, Work.NONE);
    }).map(outcome -> {
      outcome.faulted().forEach(job -> metrics.faultedByServer(job.was(), JobRepository.NO_LONGER_RUNS));
      return new RobotCommands(outcome.commands());
    });
  }

  Future<Job> report(ReportJobState report) {
    Caller robot = report.robot();
    return robot.robotTenant().compose(tenantId -> {
      if (report.state() == null) {
        throw Failure.badRequest("state must be Running, Successful, Faulted or Stopped");
      }
      Supplier<Future<Optional<Job>>> load = () -> jobs.findForRobot(tenantId, robot.principalId(), report.jobId());
      return load.get().compose(found -> {
        Job job = found.orElseThrow(() -> noJob(report.jobId()));
        if (report.state() == JobState.Running && job.state() == JobState.Pending) {
          return start(job, load);
        }
        return change(job, load, report.jobId(), current -> {
          if (report.state() == JobState.Running && current.state() == JobState.Pending) {
            startable(current);
          }
          return JobTransitions.report(current.state(), report.state());
        }, MAX_CAS_ATTEMPTS);
      });
    });
  }

  /**
   * A robot starts a Pending job it was handed: allowed by this node's phase, and then by the
   * committed phase in the statement that starts it (the start fence), since a node can lag a phase
   * change by a few milliseconds. When the job changed meanwhile (a Stop sweep), the report is
   * decided again against its new state.
   */
  private Future<Job> start(Job job, Supplier<Future<Optional<Job>>> load) {
    startable(job);
    return jobs.start(job.id()).compose(started -> {
      if (started.isPresent()) {
        metrics.transition(JobState.Pending, JobState.Running);
        return Future.succeededFuture(started.get());
      }
      return load.get().compose(again -> {
        Job now = again.orElseThrow(() -> noJob(job.id()));
        if (now.state() == JobState.Pending) {
          throw new Failure(FailureCode.JOB_NOT_STARTABLE, "no job starts during maintenance (a window has just "
              + "opened); do not run job " + job.id());
        }
        return change(now, load, job.id(), current -> JobTransitions.report(current.state(), JobState.Running),
            MAX_CAS_ATTEMPTS);
      });
    });
  }

  /**
   * A robot may start (report Running for) a Pending job only when its StartJob was delivered to
   * it, and never while maintenance forbids starting work (Draining, Suspended). A job already
   * Running, Stopping or Terminating is past this gate: a repeated Running changes nothing.
   */
  private void startable(Job job) {
    if (job.startDeliveredAt() == null) {
      throw new Failure(FailureCode.JOB_NOT_STARTABLE, "job " + job.id() + " was not handed to this robot; "
          + "start only what a StartJob command names");
    }
    MaintenanceRules now = rules.get();
    if (!now.mayStartJob(job.tenantId(), job.processName())) {
      throw new Failure(FailureCode.JOB_NOT_STARTABLE, "no job starts during maintenance (" + now.phaseOf(job.tenantId())
          + "); do not run job " + job.id());
    }
  }

  Future<Stored> appendLogs(AppendLogs batch) {
    Caller robot = batch.robot();
    List<LogLine> lines = batch.lines();
    return robot.robotTenant().compose(tenantId -> {
      if (lines == null || lines.isEmpty()) {
        return Future.succeededFuture(new Stored(0));
      }
      if (lines.size() > AppendLogs.MAX_LINES) {
        throw Failure.badRequest("at most " + AppendLogs.MAX_LINES + " log lines per upload");
      }
      String batchId = batch.batchId();
      if (batchId != null && !BATCH_ID.matcher(batchId).matches()) {
        throw Failure.badRequest("batchId is 1-" + AppendLogs.MAX_BATCH_ID + " printable characters");
      }
      return logWriter.append(tenantId, robot.principalId(), batchId, lines).compose(appended ->
          appended.replay() || appended.stored() == lines.size() ? Future.succeededFuture(new Stored(appended.stored()))
          : logs.foreignJobs(tenantId, robot.principalId(), RobotLogRepository.jobIds(lines))
              .compose(foreign -> Future.failedFuture(
                  Failure.notFound("no job of this robot with id " + foreign + "; nothing stored"))));
    });
  }

  Future<Page<StoredLog>> listLogs(ListLogs query) {
    return query.caller().tenantUser().compose(tenantId -> logs.page(tenantId, query.jobId(), query.page()));
  }

  Future<ItemId> addQueueItem(AddQueueItem item) {
    Caller robot = item.robot();
    return robot.robotTenant().compose(tenantId -> {
      queueName(item.queueName());
      if (item.payload() == null) {
        throw Failure.badRequest("payload is required");
      }
      if (item.reference() != null && (item.reference().isEmpty() || item.reference().length() > MAX_REFERENCE
          || item.reference().chars().anyMatch(Character::isISOControl))) {
        throw Failure.badRequest("reference is 1-" + MAX_REFERENCE + " printable characters");
      }
      return queueItems.insert(tenantId, robot.principalId(), item.queueName(), item.reference(), item.payload());
    }).map(ItemId::new);
  }

  /** Begins a queue transaction for the robot; no item when the queue has no New one. */
  Future<TakenQueueItem> takeQueueItem(TakeQueueItem take) {
    Caller robot = take.robot();
    return robot.robotTenant().compose(tenantId -> {
      queueName(take.queueName());
      return queueItems.takeNext(tenantId, take.queueName(), robot.principalId());
    }).map(TakenQueueItem::new);
  }

  /** Ends the robot's queue transaction with its result. */
  Future<QueueItem> finishQueueItem(FinishQueueItem finish) {
    Caller robot = finish.robot();
    return robot.robotTenant().compose(tenantId -> {
      if (finish.status() == null) {
        throw Failure.badRequest("status is Successful or Failed");
      }
      return queueItems.finish(tenantId, finish.itemId(), robot.principalId(), finish.status().name(),
          finish.output());
    });
  }

  private static void queueName(String name) {
    if (name == null || !QUEUE.matcher(name).matches()) {
      throw Failure.badRequest("a queue name is 1-128 letters, digits, '.', '_' or '-'");
    }
  }

  Future<Page<QueueItem>> listQueueItems(ListQueueItems query) {
    return query.caller().tenantUser()
        .compose(tenantId -> queueItems.page(tenantId, query.queueName(), query.page()));
  }

  Future<RobotPresenceList> presence(long tenantId) {
    // connected is decided by the database, whose clock wrote last_heartbeat_at
    return jobs.presence(tenantId, heartbeatGrace).map(rows -> new RobotPresenceList(rows.stream().map(row ->
        new RobotPresence(row.getLong("robot_id"), Timestamps.instant(row, "last_heartbeat_at"),
            row.getBoolean("connected"), Timestamps.instant(row, "cordoned_at"), row.getString("cordoned_by")))
        .toList()));
  }

  /**
   * Cordons a robot of the caller's tenant (tenant administrators): it is handed no new job; with
   * {@code stopRunning} its running job gets Stop now; with {@code killAfter} what it still runs
   * then is killed.
   */
  Future<CordonOutcome> cordon(CordonRobot request) {
    return request.caller().tenantAdministrator().compose(tenantId -> {
      java.time.Duration killAfter = request.killAfter();
      if (killAfter != null && (killAfter.isNegative() || killAfter.isZero() || killAfter.getNano() != 0
          || killAfter.compareTo(java.time.Duration.ofDays(7)) > 0)) {
        throw Failure.badRequest("killAfter is an ISO-8601 duration of whole seconds between PT1S and P7D, e.g. PT15M");
      }
      Instant now = clock.instant();
      return robots.apply(new GetRobot(tenantId, request.robotId()))
          .compose(robot -> cordons.cordon(tenantId, robot.id(), request.caller().name(), now,
              killAfter == null ? null : now.plus(killAfter), request.stopRunning()))
          .onSuccess(outcome -> outcome.stopped().forEach(job -> metrics.transition(job.was(), JobState.Stopping)));
    });
  }

  Future<CordonPreview> previewCordon(PreviewCordon request) {
    return request.caller().tenantAdministrator().compose(tenantId -> robots.apply(new GetRobot(tenantId,
        request.robotId())).compose(robot -> cordons.preview(tenantId, robot.id())));
  }

  Future<RobotCordon> uncordon(UncordonRobot request) {
    return request.caller().tenantAdministrator().compose(tenantId -> robots.apply(new GetRobot(tenantId,
        request.robotId())).compose(robot -> cordons.uncordon(tenantId, robot.id())));
  }

  /** Kills what cordoned robots past their deadline still run. */
  Future<List<CordonRepository.Changed>> killOverdueCordons() {
    return cordons.killOverdue(clock.instant())
        .onSuccess(killed -> killed.forEach(job -> metrics.transition(job.was(), JobState.Terminating)));
  }

  /**
   * Applies a transition decided by the state machine, as a compare-and-set: when another change
   * won the race, the job is read again and the decision made anew.
   */
  private Future<Job> change(Supplier<Future<Optional<Job>>> load, long jobId,
      Function<Job, Optional<JobState>> decide, int attempts) {
    return load.get().compose(found -> change(found.orElseThrow(() -> noJob(jobId)), load, jobId, decide, attempts));
  }

  /** {@link #change(Supplier, long, Function, int)} from a job just read. */
  private Future<Job> change(Job job, Supplier<Future<Optional<Job>>> load, long jobId,
      Function<Job, Optional<JobState>> decide, int attempts) {
    Optional<JobState> next = decide.apply(job);
    if (next.isEmpty()) {
      return Future.succeededFuture(job);
    }
    return jobs.transition(jobId, job.state(), next.get()).compose(updated -> {
      if (updated.isPresent()) {
        metrics.transition(job.state(), next.get());
        return Future.succeededFuture(updated.get());
      }
      if (attempts <= 1) {
        return Future.failedFuture(Failure.conflict("the job kept changing; try again"));
      }
      return change(load, jobId, decide, attempts - 1);
    });
  }

  private static String processName(String name) {
    if (!acceptableProcessName(name)) {
      throw Failure.badRequest(PROCESS_RULE);
    }
    return name;
  }

  private static boolean acceptableProcessName(String name) {
    return name != null && !name.isBlank() && PROCESS.matcher(name).matches();
  }

  private static Failure noJob(long jobId) {
    return Failure.notFound("no job " + jobId);
  }
}
