package org.orchestrator.phase;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.contracts.jobs.JobMessages.ActiveJobs;
import org.orchestrator.contracts.jobs.JobMessages.CountWindow;
import org.orchestrator.contracts.jobs.JobMessages.ListActive;
import org.orchestrator.contracts.jobs.JobMessages.SweepJobs;
import org.orchestrator.contracts.jobs.JobMessages.SweepResult;
import org.orchestrator.contracts.jobs.JobMessages.WindowCounts;
import org.orchestrator.contracts.phase.PhaseMessages.PhaseSnapshot;
import org.orchestrator.contracts.scheduler.ScheduleMessages.CountSkipped;
import org.orchestrator.contracts.scheduler.ScheduleMessages.PreviewFires;
import org.orchestrator.contracts.scheduler.ScheduleMessages.TenantFires;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.CloseWindow;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.WindowLogs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bus adapter of the phase module. Deployed before every reader of the phase; its start completes
 * only after the stored phase is loaded and enforced. While in maintenance it publishes the drain
 * progress every second ({@code phase.progress.updated}).
 */
public final class PhaseVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(PhaseVerticle.class);
  private static final long PROGRESS_PERIOD_MS = 1_000;

  private final Pool pool;
  private final Clock clock;
  private MaintenanceService service;
  private long ticker = -1;
  private boolean ticking;

  public PhaseVerticle(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    EventBus bus = vertx.eventBus();
    service = new MaintenanceService(vertx, new PhaseRepository(pool), peers(bus), clock,
        snapshot -> Addresses.PHASE_CHANGED.publish(bus, snapshot));
    return service.load()
        .compose(loaded -> Future.all(List.of(
            Addresses.PHASE_STATE_GET.serve(bus, query -> Future.succeededFuture(service.snapshot())).completion(),
            Addresses.PHASE_MAINTENANCE_START.serve(bus, service::start).completion(),
            Addresses.PHASE_MAINTENANCE_END.serve(bus, service::end).completion(),
            Addresses.PHASE_PROGRESS_GET.serve(bus, query -> service.progress()).completion(),
            Addresses.PHASE_MAINTENANCE_PREVIEW.serve(bus, service::preview).completion())))
        .onSuccess(ready -> ticker = vertx.setPeriodic(PROGRESS_PERIOD_MS, id -> tick(bus)));
  }

  /** Enforces a stored maintenance phase; run once every module it asks is deployed. */
  public Future<Void> enforce() {
    return service.enforce();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(ticker);
    return Future.succeededFuture();
  }

  private void tick(EventBus bus) {
    PhaseSnapshot snapshot = service.snapshot();
    if (ticking || !snapshot.phase().inMaintenance()) {
      return;
    }
    ticking = true;
    service.tick()
        .onSuccess(progress -> Addresses.PHASE_PROGRESS_UPDATED.publish(bus, progress))
        .onFailure(failure -> LOG.warn("drain progress not computed: {}", failure.getMessage()))
        .onComplete(done -> ticking = false);
  }

  private static MaintenanceService.Peers peers(EventBus bus) {
    return new MaintenanceService.Peers() {
      @Override
      public Future<SweepResult> stopAll(long windowId) {
        return Addresses.JOBS_MAINTENANCE_STOP_ALL.request(bus, new SweepJobs(windowId));
      }

      @Override
      public Future<SweepResult> killAll(long windowId) {
        return Addresses.JOBS_MAINTENANCE_KILL_ALL.request(bus, new SweepJobs(windowId));
      }

      @Override
      public Future<ActiveJobs> active(int sample) {
        return Addresses.JOBS_MAINTENANCE_ACTIVE.request(bus, new ListActive(sample));
      }

      @Override
      public Future<WindowCounts> counts(long windowId) {
        return Addresses.JOBS_MAINTENANCE_COUNT.request(bus, new CountWindow(windowId));
      }

      @Override
      public Future<Long> skipped(long windowId) {
        return Addresses.SCHEDULER_FIRE_COUNT_SKIPPED.request(bus, new CountSkipped(windowId)).map(c -> c.count());
      }

      @Override
      public Future<WindowLogs> closeLogs(long windowId, Instant from, Instant to) {
        return Addresses.TENANT_LOG_WINDOW_CLOSE.request(bus, new CloseWindow(windowId, from, to));
      }

      @Override
      public Future<TenantFires> fires(Instant from, Instant to, int limit) {
        return Addresses.SCHEDULER_FIRE_PREVIEW.request(bus, new PreviewFires(from, to, limit));
      }
    };
  }
}
