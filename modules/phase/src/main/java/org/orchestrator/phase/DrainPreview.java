package org.orchestrator.phase;

import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.jobs.JobMessages.ActiveJobs;
import org.orchestrator.contracts.jobs.JobMessages.ListActive;
import org.orchestrator.contracts.phase.PhaseMessages.PlannedFire;
import org.orchestrator.contracts.phase.PhaseMessages.Preview;
import org.orchestrator.contracts.phase.PhaseMessages.PreviewReport;
import org.orchestrator.contracts.scheduler.ScheduleMessages.FirePreview;
import org.orchestrator.contracts.scheduler.ScheduleMessages.PreviewFires;

/**
 * What a drain started now would do: the jobs it would stop and the fires it would skip within a
 * horizon, as the rules would judge them with the exemption list in force.
 */
final class DrainPreview {

  /** The preview's sample of fires to skip; its counts are always complete. */
  static final int PREVIEW_FIRE_SAMPLE = 1_000;
  private static final String HOST_ONLY = "maintenance is for the host administrator";

  private final PhaseRepository repository;
  private final MaintenanceService.Peers peers;
  private final Clock clock;

  DrainPreview(PhaseRepository repository, MaintenanceService.Peers peers, Clock clock) {
    this.repository = repository;
    this.peers = peers;
    this.clock = clock;
  }

  Future<PreviewReport> preview(Preview request) {
    return request.caller().hostAdministrator(HOST_ONLY).compose(host -> checkedPreview(request));
  }

  private Future<PreviewReport> checkedPreview(Preview request) {
    Duration horizon = request.horizon() == null ? Duration.ofHours(1) : request.horizon();
    if (!MaintenanceService.wholeSecondsUpToAWeek(horizon)) {
      return Future.failedFuture(Failure.badRequest("duration is an ISO-8601 duration of whole seconds between PT1S and P7D"));
    }
    Instant now = clock.instant();
    Long tenant = request.tenantId();
    // what the drain would leave alone: the jobs and fires of the processes the list in force exempts
    return repository.exemptions().map(entries -> entries.stream().map(PhaseRepository.ExemptionEntry::item).toList())
        .compose(exempt -> Future.all(peers.active(new ListActive(MaintenanceService.BLOCKING_SAMPLE, exempt)),
            peers.fires(new PreviewFires(now, now.plus(horizon), PREVIEW_FIRE_SAMPLE, exempt))))
        .map(all -> {
          ActiveJobs active = tenant == null ? all.resultAt(0) : MaintenanceService.onlyTenant(all.resultAt(0), tenant);
          FirePreview fires = all.resultAt(1);
          List<PlannedFire> sample = fires.sample().stream()
              .filter(f -> tenant == null || f.tenantId() == tenant)
              .map(f -> new PlannedFire(f.tenantId(), f.scheduleId(), f.scheduleName(), f.plannedAt())).toList();
          if (tenant == null) {
            return new PreviewReport(active.remaining(), active.remainingByTenant(), active.sample(), sample, horizon,
                fires.total(), fires.byTenant(), fires.truncated(), fires.limit(), active.exempt(),
                active.exemptByTenant());
          }
          // one tenant's window: its own counts; its sample is its part of the earliest fires of all
          long total = fires.byTenant().getOrDefault(tenant, 0L);
          return new PreviewReport(active.remaining(), active.remainingByTenant(), active.sample(), sample, horizon,
              total, total == 0 ? Map.of() : Map.of(tenant, total), sample.size() < total, fires.limit(),
              active.exempt(), active.exemptByTenant());
        });
  }

}
