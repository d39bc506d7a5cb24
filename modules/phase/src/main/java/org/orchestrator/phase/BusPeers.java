package org.orchestrator.phase;

import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import java.time.Instant;
import java.util.List;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.contracts.jobs.JobMessages.ActiveJobs;
import org.orchestrator.contracts.jobs.JobMessages.CountWindow;
import org.orchestrator.contracts.jobs.JobMessages.ListActive;
import org.orchestrator.contracts.jobs.JobMessages.SweepJobs;
import org.orchestrator.contracts.jobs.JobMessages.SweepResult;
import org.orchestrator.contracts.jobs.JobMessages.WindowCounts;
import org.orchestrator.contracts.scheduler.ScheduleMessages.CountSkipped;
import org.orchestrator.contracts.scheduler.ScheduleMessages.FirePreview;
import org.orchestrator.contracts.scheduler.ScheduleMessages.PreviewFires;
import org.orchestrator.contracts.scheduler.ScheduleMessages.SkippedCounts;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.CloseWindow;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.CompleteWindow;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.IncompleteWindows;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.ListIncomplete;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.WindowFacts;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.WindowLogs;

/** What the phase module asks of job control, the scheduler and tenant-log, over the bus. */
final class BusPeers implements MaintenanceService.Peers {

  private final EventBus bus;

  BusPeers(EventBus bus) {
    this.bus = bus;
  }
  @Override
  public Future<SweepResult> stopAll(SweepJobs sweep) {
    return Addresses.JOBS_MAINTENANCE_STOP_ALL.request(bus, sweep);
  }

  @Override
  public Future<SweepResult> killAll(SweepJobs sweep) {
    return Addresses.JOBS_MAINTENANCE_KILL_ALL.request(bus, sweep);
  }

  @Override
  public Future<ActiveJobs> active(ListActive query) {
    return Addresses.JOBS_MAINTENANCE_ACTIVE.request(bus, query);
  }

  @Override
  public Future<WindowCounts> counts(long windowId) {
    return Addresses.JOBS_MAINTENANCE_COUNT.request(bus, new CountWindow(windowId));
  }

  @Override
  public Future<SkippedCounts> skipped(long windowId) {
    return Addresses.SCHEDULER_FIRE_COUNT_SKIPPED.request(bus, new CountSkipped(windowId));
  }

  @Override
  public Future<WindowLogs> closeLogs(long windowId, Instant from, Instant to, Long tenantId, WindowFacts facts) {
    return Addresses.TENANT_LOG_WINDOW_CLOSE.request(bus, new CloseWindow(windowId, from, to, tenantId, facts));
  }

  @Override
  public Future<WindowLogs> completeLogs(long windowId, Instant endedAt, String endedBy) {
    return Addresses.TENANT_LOG_WINDOW_COMPLETE.request(bus, new CompleteWindow(windowId, endedAt, endedBy));
  }

  @Override
  public Future<List<Long>> incompleteLogs(int limit) {
    return Addresses.TENANT_LOG_WINDOW_INCOMPLETE.request(bus, new ListIncomplete(limit))
        .map(IncompleteWindows::windowIds);
  }

  @Override
  public Future<FirePreview> fires(PreviewFires query) {
    return Addresses.SCHEDULER_FIRE_PREVIEW.request(bus, query);
  }
}
