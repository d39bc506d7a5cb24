package org.orchestrator.scheduler;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.List;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.contracts.scheduler.ScheduleMessages.ScheduleList;
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
  private long timer = -1;

  public SchedulerVerticle(Pool pool, OrchestratorConfig.Scheduler settings, Clock clock) {
    this.pool = pool;
    this.settings = settings;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    EventBus bus = vertx.eventBus();
    ScheduleRepository schedules = new ScheduleRepository(pool);
    ScheduleService service = new ScheduleService(schedules,
        query -> Addresses.IDENTITY_ROBOT_GET.request(bus, query), clock);
    FireDispatcher dispatcher = new FireDispatcher(schedules,
        request -> Addresses.JOBS_SCHEDULED_JOB_CREATE.request(bus, request), clock, () -> false);
    timer = vertx.setPeriodic(settings.tickMillis(), id -> dispatcher.tick()
        .onFailure(failure -> LOG.warn("scheduler tick failed: {}", failure.getMessage())));
    return Future.all(List.of(
        Addresses.SCHEDULER_SCHEDULE_CREATE.serve(bus, service::create).completion(),
        Addresses.SCHEDULER_SCHEDULE_LIST.serve(bus, q -> service.list(q.caller()).map(ScheduleList::new)).completion(),
        Addresses.SCHEDULER_SCHEDULE_ENABLE.serve(bus, a -> service.enable(a.caller(), a.scheduleId())).completion(),
        Addresses.SCHEDULER_SCHEDULE_DISABLE.serve(bus, a -> service.disable(a.caller(), a.scheduleId())).completion(),
        Addresses.SCHEDULER_SCHEDULE_DELETE.serve(bus, a -> service.delete(a.caller(), a.scheduleId())).completion(),
        Addresses.SCHEDULER_FIRE_LIST.serve(bus, service::fires).completion()));
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return Future.succeededFuture();
  }
}
