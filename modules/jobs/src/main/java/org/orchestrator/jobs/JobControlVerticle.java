package org.orchestrator.jobs;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import org.orchestrator.contracts.jobs.JobMessages.CommandsByRobot;
import org.orchestrator.contracts.bus.RequestContext;
import org.orchestrator.contracts.jobs.JobMessages.Job;
import org.orchestrator.contracts.jobs.JobMessages.SweepResult;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.orchestrator.platform.database.Pools;
import java.time.Duration;
import java.util.List;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.contracts.identity.IdentityMessages.ListTenantDirectory;
import org.orchestrator.contracts.phase.MaintenancePhase;
import org.orchestrator.platform.phase.PhaseWatch;
import org.orchestrator.platform.config.OrchestratorConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bus adapter of the jobs module; the rules live in {@link JobService}, the maintenance sweeps in
 * {@link MaintenanceSweeps}. It reads the phase from a {@link PhaseWatch}. Unless
 * {@code jobs.robotDeadAfterSeconds} is 0 (default 120), it also faults the unfinished jobs of robots
 * that have been silent that long (not while Suspended, and not until that long after it or after
 * this node started: robots are cut off then, not dead). Hourly it forgets log batch ids older than
 * {@link #LOG_BATCH_RETENTION}. At start and hourly it creates the robot log partitions of the days
 * ahead ({@link RobotLogPartitions}); it serves retention's addresses ({@link JobsRetention}).
 */
public final class JobControlVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(JobControlVerticle.class);

  private static final long METRICS_REFRESH_MS = 2_000;
  /**
   * How long the ids of uploaded log batches are kept to answer resends: far beyond any robot's
   * retry, and it bounds the table by the upload rate (docs/decisions.md).
   */
  static final Duration LOG_BATCH_RETENTION = Duration.ofDays(7);
  private static final long PRUNE_EVERY_MS = 3_600_000;

  private final Pool pool;
  private final OrchestratorConfig.Jobs settings;
  private final MeterRegistry registry;
  private final Clock clock;
  private final DatabaseEndpoint database;
  private RobotNotices notices;
  /**
   * The log writer's own connections, one per group in flight, on which its statement is planned
   * once and kept (decision 124): it would be planned anew on every upload on the shared pool.
   */
  private Pool logWriterPool;
  /**
   * The quiet heartbeats' own connection, one group at a time, on which their statement is planned
   * once (decision 127): on the shared pool PostgreSQL planned it anew for every group.
   */
  private Pool quietPool;
  private long metricsTimer = -1;
  private long deadRobotTimer = -1;
  private long pruneTimer = -1;
  private long cordonTimer = -1;
  private long partitionTimer = -1;
  private boolean stopped;
  /** What the two pools' connections are called in {@code pg_stat_activity} ({@code orchestrator <purpose>}). */
  public static final String QUIET_HEARTBEATS = "quiet-heartbeats";
  public static final String LOG_WRITER = "log-writer";
  /** How often the robot log partitions ahead are checked, and how soon again after a failure. */
  static final long PARTITIONS_EVERY_MS = 3_600_000;
  static final long PARTITIONS_RETRY_MS = 60_000;
  /**
   * A deleted robot is retired again this long after the first time: a heartbeat it sent just
   * before its token was refused everywhere may have been handed a job in between (a bus request
   * ends within its 10 s timeout).
   */
  static final long RETIRE_AGAIN_MS = 15_000;
  /** How often cordon deadlines (killAfter) are looked for. */
  private static final long CORDON_CHECK_MS = 1_000;
  /**
   * Tenants whose robots are cut off by their own Suspended window ({@code Long.MAX_VALUE}) or were
   * until the time given (millis): their silence is not death.
   */
  private final java.util.Map<Long, Long> tenantsCutOff = new java.util.concurrent.ConcurrentHashMap<>();

  /** A tenant's own Suspended window cuts its robots off: not judged then, nor for a while after. */
  private void cutOff(org.orchestrator.contracts.phase.PhaseMessages.PhaseSnapshot snapshot) {
    snapshot.tenants().values().stream().filter(window -> window.phase() == MaintenancePhase.Suspended)
        .forEach(window -> tenantsCutOff.put(window.tenantId(), Long.MAX_VALUE));
    tenantsCutOff.replaceAll((tenant, since) -> since == Long.MAX_VALUE && (snapshot.tenants().get(tenant) == null
        || snapshot.tenants().get(tenant).phase() != MaintenancePhase.Suspended) ? clock.millis() : since);
  }

  /** The tenants the dead-robot sweep leaves alone now (and forgets those free long enough). */
  private List<Long> spared(long deadAfterMs) {
    long now = clock.millis();
    tenantsCutOff.values().removeIf(since -> since != Long.MAX_VALUE && now - since >= deadAfterMs);
    return List.copyOf(tenantsCutOff.keySet());
  }

  /** When robots could last start talking again (start, or the end of a Suspended window). */
  private volatile long robotsFreeSince;

  public JobControlVerticle(Pool pool, DatabaseEndpoint database, OrchestratorConfig.Jobs settings, Clock clock,
      MeterRegistry registry) {
    this.pool = pool;
    this.database = database;
    this.clock = clock;
    this.robotsFreeSince = clock.millis();
    this.settings = settings;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    notices = new RobotNotices(pool, database);
    return PhaseWatch.start(vertx).compose(phase -> serve(phase)).compose(served -> notices.listen(vertx, database));
  }

  /** A person stopped or killed a job: its robot's push channel gets the command now. */
  private void announce(Job job) {
    if (job.robotId() != null) {
      notices.announce(List.of(job.robotId()))
          .onFailure(failure -> LOG.debug("robot notice not sent: {}", failure.getMessage()));
    }
  }

  /** Robots whose jobs changed: their push channels get the commands now. */
  private void announce(List<Long> robotIds) {
    if (!robotIds.isEmpty()) {
      notices.announce(robotIds).onFailure(failure -> LOG.debug("robot notice not sent: {}", failure.getMessage()));
    }
  }

  /** A sweep changed jobs of possibly every robot: every push channel refreshes. */
  private void announceEveryRobot(SweepResult swept) {
    if (swept.affected() > 0) {
      notices.announce(List.of()).onFailure(failure -> LOG.debug("robot notice not sent: {}", failure.getMessage()));
    }
  }

  private Future<?> serve(PhaseWatch phase) {
    EventBus bus = vertx.eventBus();
    quietPool = Pools.genericPlans(vertx, database, 1, QUIET_HEARTBEATS);
    JobRepository jobs = new JobRepository(pool, quietPool);
    JobMetrics metrics = new JobMetrics(registry);
    RobotLogRepository logs = new RobotLogRepository(pool);
    logWriterPool = Pools.genericPlans(vertx, database, LogGroupCommit.GROUPS_IN_FLIGHT, LOG_WRITER);
    QueueItemRepository queueItems = new QueueItemRepository(pool);
    RobotRetirement retirement = new RobotRetirement(pool);
    RobotLogPartitions partitions = new RobotLogPartitions(pool);
    JobsRetention retention = new JobsRetention(pool, partitions);
    JobService service = new JobService(jobs, logs, queueItems,
        query -> Addresses.IDENTITY_ROBOT_GET.request(bus, query),
        Duration.ofSeconds(settings.heartbeatGraceSeconds()), phase::rules, metrics,
        new LogGroupCommit(new RobotLogRepository(logWriterPool)), new CordonRepository(pool), clock,
        new StartPacer(settings.startsPerSecond(), settings.startBurst(), System::nanoTime));
    FleetReturns returns = new FleetReturns(pool, Duration.ofSeconds(settings.heartbeatGraceSeconds()), registry);
    cordonTimer = vertx.setPeriodic(CORDON_CHECK_MS, id -> service.killOverdueCordons()
        .onSuccess(killed -> {
          if (!killed.isEmpty()) {
            LOG.info("killed {} jobs of cordoned robots past their killAfter", killed.size());
            announce(killed.stream().map(CordonRepository.Changed::robotId).distinct().toList());
          }
        })
        .onFailure(failure -> LOG.warn("cordon deadlines not checked: {}", failure.getMessage())));
    metricsTimer = vertx.setPeriodic(METRICS_REFRESH_MS, id -> metrics.refresh(pool, settings.heartbeatGraceSeconds(),
            Addresses.IDENTITY_TENANT_DIRECTORY.request(bus, new ListTenantDirectory()))
        .compose(refreshed -> returns.refresh(phase.snapshot()))
        .onFailure(failure -> LOG.debug("job metrics not refreshed: {}", failure.getMessage())));
    MaintenanceSweeps sweeps = new MaintenanceSweeps(pool);
    if (settings.robotDeadAfterSeconds() > 0) {
      long period = Math.max(1_000, Math.min(30_000, settings.robotDeadAfterSeconds() * 250L));
      long deadAfterMs = settings.robotDeadAfterSeconds() * 1000L;
      cutOff(phase.snapshot());
      phase.onChange(snapshot -> {
        if (snapshot.phase() != MaintenancePhase.Suspended) {
          robotsFreeSince = clock.millis();
        }
        cutOff(snapshot);
      });
      deadRobotTimer = vertx.setPeriodic(period, id -> (phase.phase() == MaintenancePhase.Suspended
          || clock.millis() - robotsFreeSince < deadAfterMs
          ? Future.succeededFuture(List.<JobRepository.Faulted>of())
          : jobs.faultJobsOfDeadRobots(settings.robotDeadAfterSeconds(), spared(deadAfterMs))
              .compose(faulted -> queueItems.releaseItemsOfSilentRobots(settings.robotDeadAfterSeconds(),
                  spared(deadAfterMs))
                  .map(released -> {
                    if (released > 0) {
                      LOG.warn("{} queue items of robots silent for more than {} s are New again", released,
                          settings.robotDeadAfterSeconds());
                    }
                    return faulted;
                  })))
          .onSuccess(faulted -> {
            faulted.forEach(job -> metrics.faultedByServer(job.was(), JobRepository.UNRESPONSIVE));
            if (!faulted.isEmpty()) {
              LOG.warn("faulted {} jobs of robots silent for more than {} s", faulted.size(),
                  settings.robotDeadAfterSeconds());
            }
          })
          .onFailure(failure -> LOG.warn("dead-robot sweep failed: {}", failure.getMessage())));
    }
    pruneTimer = vertx.setPeriodic(PRUNE_EVERY_MS, id -> logs.pruneBatches(LOG_BATCH_RETENTION)
        .onFailure(failure -> LOG.warn("log batch ids not pruned: {}", failure.getMessage())));
    return ensurePartitions(partitions).compose(created -> Future.all(List.of(
        retention.serve(bus),
        Addresses.JOBS_JOB_CREATE.serve(bus, service::create).completion(),
        Addresses.JOBS_SCHEDULED_JOBS_CREATE.serve(bus, service::createScheduled).completion(),
        Addresses.JOBS_JOB_LIST.serve(bus, service::list).completion(),
        Addresses.JOBS_JOB_GET.serve(bus, q -> service.get(q.caller(), q.jobId())).completion(),
        Addresses.JOBS_JOB_STOP.serve(bus, c -> service.stop(c.caller(), c.jobId()).onSuccess(this::announce))
            .completion(),
        Addresses.JOBS_JOB_KILL.serve(bus, c -> service.kill(c.caller(), c.jobId()).onSuccess(this::announce))
            .completion(),
        Addresses.JOBS_FLEET_RETURN_GET.serve(bus, returns::count).completion(),
        Addresses.JOBS_ROBOT_COMMANDS_GET.serve(bus, q -> jobs.commandsOf(q.robotIds()).map(CommandsByRobot::new))
            .completion(),
        Addresses.JOBS_ROBOT_HEARTBEAT.serve(bus, service::heartbeat).completion(),
        Addresses.JOBS_JOB_REPORT.serve(bus, service::report).completion(),
        Addresses.JOBS_LOG_APPEND.serve(bus, service::appendLogs).completion(),
        Addresses.JOBS_LOG_LIST.serve(bus, service::listLogs).completion(),
        Addresses.JOBS_QUEUE_ITEM_ADD.serve(bus, service::addQueueItem).completion(),
        Addresses.JOBS_QUEUE_ITEM_TAKE.serve(bus, service::takeQueueItem).completion(),
        Addresses.JOBS_QUEUE_ITEM_FINISH.serve(bus, service::finishQueueItem).completion(),
        Addresses.JOBS_QUEUE_ITEM_LIST.serve(bus, service::listQueueItems).completion(),
        Addresses.JOBS_ROBOT_PRESENCE_LIST.serve(bus, q -> service.presence(q.tenantId())).completion(),
        Addresses.JOBS_ROBOT_CORDON.serve(bus, c -> service.cordon(c).map(outcome -> {
          announce(outcome.stopped().stream().map(CordonRepository.Changed::robotId).distinct().toList());
          return outcome.cordon();
        })).completion(),
        Addresses.JOBS_ROBOT_UNCORDON.serve(bus, service::uncordon).completion(),
        Addresses.JOBS_ROBOT_CORDON_PREVIEW.serve(bus, service::previewCordon).completion(),
        Addresses.JOBS_ROBOT_RETIRE.serve(bus, retire -> retirement.retire(retire.tenantId(), retire.robotId(),
            retire.reason()).map(outcome -> {
              outcome.faulted().forEach(job -> metrics.faultedByServer(job.was(), retire.reason()));
              LOG.info("robot {} of tenant {} deleted: {} jobs faulted, {} stopped, {} queue items New again",
                  retire.robotId(), retire.tenantId(), outcome.faulted().size(), outcome.stopped().size(),
                  outcome.itemsReleased());
              RequestContext.setDetachedTimer(vertx, RETIRE_AGAIN_MS, id -> retirement.retire(retire.tenantId(), retire.robotId(),
                      retire.reason())
                  .onSuccess(again -> {
                    again.faulted().forEach(job -> metrics.faultedByServer(job.was(), retire.reason()));
                    if (!again.empty()) {
                      LOG.warn("robot {} deleted: {} more jobs faulted, {} stopped, {} queue items New again "
                          + "(handed out while its revocation reached every node)", retire.robotId(),
                          again.faulted().size(), again.stopped().size(), again.itemsReleased());
                    }
                  })
                  .onFailure(failure -> LOG.warn("robot {} not retired again: {}", retire.robotId(),
                      failure.getMessage())));
              return outcome.reply();
            })).completion(),
        Addresses.JOBS_MAINTENANCE_STOP_ALL.serve(bus, q -> sweeps.stopAll(q.windowId(), q.tenantId(), q.exemptionsEnd())
            .onSuccess(swept -> metrics.stopsSwept(swept.affected())).onSuccess(this::announceEveryRobot))
            .completion(),
        Addresses.JOBS_MAINTENANCE_KILL_ALL.serve(bus, q -> sweeps.killAll(q.windowId(), q.tenantId(), q.exemptionsEnd())
            .onSuccess(swept -> metrics.killsSwept(swept.affected())).onSuccess(this::announceEveryRobot))
            .completion(),
        Addresses.JOBS_MAINTENANCE_ACTIVE.serve(bus, q -> sweeps.active(q.sampleLimit(), q.assumed())).completion(),
        Addresses.JOBS_MAINTENANCE_COUNT.serve(bus, q -> sweeps.counts(q.windowId())).completion(),
        Addresses.JOBS_MAINTENANCE_WINDOW_JOBS.serve(bus, q -> sweeps.windowJobs(q))
            .completion())));
  }

  /**
   * Creates the robot log partitions of today through the next days ({@link RobotLogPartitions}),
   * then again every {@link #PARTITIONS_EVERY_MS} (after a failure, in {@link #PARTITIONS_RETRY_MS}).
   * A failure does not stop the start: the days ahead already have their partitions (the last
   * success made a week of them) and the next attempt comes soon.
   */
  private Future<Void> ensurePartitions(RobotLogPartitions partitions) {
    return partitions.ensureAhead()
        .map(created -> {
          if (!created.isEmpty()) {
            LOG.info("robot log partitions created: {}", created);
          }
          return PARTITIONS_EVERY_MS;
        })
        .otherwise(failure -> {
          LOG.warn("robot log partitions not checked (again in {} s): {}", PARTITIONS_RETRY_MS / 1000,
              failure.getMessage());
          return PARTITIONS_RETRY_MS;
        })
        .map(next -> {
          if (!stopped) {
            partitionTimer = vertx.setTimer(next, id -> ensurePartitions(partitions));
          }
          return null;
        });
  }

  @Override
  public Future<?> stop() {
    if (deadRobotTimer >= 0) {
      vertx.cancelTimer(deadRobotTimer);
    }
    vertx.cancelTimer(metricsTimer);
    vertx.cancelTimer(pruneTimer);
    vertx.cancelTimer(cordonTimer);
    stopped = true;
    vertx.cancelTimer(partitionTimer);
    return Future.join(notices == null ? Future.succeededFuture() : notices.close(),
        logWriterPool == null ? Future.succeededFuture() : logWriterPool.close(),
        quietPool == null ? Future.succeededFuture() : quietPool.close());
  }
}
