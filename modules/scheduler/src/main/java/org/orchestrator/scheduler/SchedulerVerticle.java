package org.orchestrator.scheduler;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;
import org.orchestrator.contracts.jobs.JobMessages.CreateScheduledJobs;
import org.orchestrator.contracts.jobs.JobMessages.ScheduledJobs;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.contracts.bus.RequestContext;
import org.orchestrator.contracts.identity.IdentityMessages.ListTenantDirectory;
import org.orchestrator.contracts.scheduler.ScheduleMessages.ScheduleList;
import org.orchestrator.contracts.scheduler.ScheduleMessages.TenantFires;
import org.orchestrator.platform.phase.PhaseWatch;
import org.orchestrator.platform.config.OrchestratorConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bus adapter of the scheduler: serves schedule management and runs the {@link FireDispatcher}
 * every {@code scheduler.tickMillis}. Job creation goes to job control over the bus.
 */
public final class SchedulerVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(SchedulerVerticle.class);

  private final Pool pool;
  private final OrchestratorConfig.Scheduler settings;
  private final Clock clock;
  private final MeterRegistry registry;
  /** How long after a whole second the tick runs, so that a timer rounded down never runs just before it. */
  private static final long SECOND_MARGIN_MS = 5;
  /** How often the per-tenant counters are made for tenants created since (as job control's gauges). */
  private static final long METRICS_REFRESH_MS = 2_000;
  private long timer = -1;
  private long metricsTimer = -1;
  private boolean stopped;
  private FireDispatcher dispatcher;

  public SchedulerVerticle(Pool pool, OrchestratorConfig.Scheduler settings, Clock clock, MeterRegistry registry) {
    this.registry = registry;
    this.pool = pool;
    this.settings = settings;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    return PhaseWatch.start(vertx).compose(this::serve);
  }

  private Future<?> serve(PhaseWatch phase) {
    EventBus bus = vertx.eventBus();
    ScheduleRepository schedules = new ScheduleRepository(pool);
    ScheduleService service = new ScheduleService(schedules,
        query -> Addresses.IDENTITY_ROBOT_GET.request(bus, query), clock);
    Function<CreateScheduledJobs, Future<ScheduledJobs>> createJobs =
        request -> Addresses.JOBS_SCHEDULED_JOBS_CREATE.request(bus, request);
    SchedulerMetrics metrics = new SchedulerMetrics(registry);
    // every known tenant's counters exist at 0 (refreshed as tenants are created)
    metricsTimer = vertx.setPeriodic(0, METRICS_REFRESH_MS, id -> Addresses.IDENTITY_TENANT_DIRECTORY
        .request(bus, new ListTenantDirectory())
        .onSuccess(directory -> metrics.known(directory.items()))
        .onFailure(failure -> LOG.debug("scheduler metrics not refreshed: {}", failure.getMessage())));
    FireDispatcher dispatcher = new FireDispatcher(schedules, createJobs, clock, phase::snapshot, metrics,
        new CatchUps(new CatchUpRepository(pool), createJobs, settings.catchUpSpreadSeconds(), metrics),
        java.time.Duration.ofSeconds(settings.misfireThresholdSeconds()));
    this.dispatcher = dispatcher;
    next();
    return Future.all(List.of(
        Addresses.SCHEDULER_SCHEDULE_CREATE.serve(bus, service::create).completion(),
        Addresses.SCHEDULER_SCHEDULE_LIST.serve(bus, q -> service.list(q.caller()).map(ScheduleList::new)).completion(),
        Addresses.SCHEDULER_SCHEDULE_ENABLE.serve(bus, a -> service.enable(a.caller(), a.scheduleId())).completion(),
        Addresses.SCHEDULER_SCHEDULE_DISABLE.serve(bus, a -> service.disable(a.caller(), a.scheduleId())).completion(),
        Addresses.SCHEDULER_SCHEDULE_DELETE.serve(bus, a -> service.delete(a.caller(), a.scheduleId())).completion(),
        Addresses.SCHEDULER_FIRE_LIST.serve(bus, service::fires).completion(),
        Addresses.SCHEDULER_ROBOT_RETIRE.serve(bus, removed -> schedules.disableForRobot(removed.tenantId(),
            removed.robotId()).map(ids -> {
              if (!ids.isEmpty()) {
                LOG.info("robot {} of tenant {} deleted: schedules {} disabled", removed.robotId(), removed.tenantId(),
                    ids);
              }
              return new org.orchestrator.contracts.scheduler.ScheduleMessages.SchedulesDisabled(ids);
            })).completion(),
        Addresses.SCHEDULER_FIRE_SKIPPED.serve(bus, q -> schedules.skipped(q.windowId(), q.tenantId())
            .map(TenantFires::new)).completion(),
        Addresses.SCHEDULER_FIRE_COUNT_SKIPPED.serve(bus, q -> schedules.countSkipped(q.windowId()))
            .completion(),
        Addresses.SCHEDULER_FIRE_PREVIEW.serve(bus, q -> service.preview(q.from(), q.to(), q.limit(), q.exempt())).completion()));
  }

  /**
   * Ticks again after {@code scheduler.tickMillis}, or just after the next whole second of the
   * clock when that comes first: cron fires fall on whole seconds, so a fire is claimed a few
   * milliseconds after it is due instead of up to a tick late.
   */
  private void next() {
    if (stopped) {
      return;
    }
    long untilNextSecond = 1_000 - Math.floorMod(clock.millis(), 1_000L) + SECOND_MARGIN_MS;
    timer = vertx.setTimer(Math.max(1, Math.min(settings.tickMillis(), untilNextSecond)), id -> RequestContext.newRequest(vertx, "schedule", dispatcher::tick)
        .onFailure(failure -> LOG.warn("scheduler tick failed: {}", failure.getMessage()))
        .onComplete(done -> next()));
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(timer);
    vertx.cancelTimer(metricsTimer);
    return Future.succeededFuture();
  }
}
