package org.orchestrator.phase;

import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.orchestrator.contracts.Caller;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.phase.PhaseMessages.CancelPlan;
import org.orchestrator.contracts.phase.PhaseMessages.CreatePlan;
import org.orchestrator.contracts.phase.PhaseMessages.ListEvents;
import org.orchestrator.contracts.phase.PhaseMessages.ListPlans;
import org.orchestrator.contracts.phase.PhaseMessages.MaintenanceEvents;
import org.orchestrator.contracts.phase.PhaseMessages.MaintenancePlan;
import org.orchestrator.contracts.phase.PhaseMessages.Plans;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Planned windows and the events they make: created, listed and cancelled here, each change written
 * in turn with the window's own ({@link MaintenanceService#write}); started at their {@code drainAt}
 * by {@link MaintenanceService#startDuePlan()}, which opens the window.
 */
final class MaintenancePlans {

  private static final Logger LOG = LoggerFactory.getLogger(MaintenancePlans.class);
  private static final String HOST_ONLY = "maintenance is for the host administrator";

  private final PhaseRepository repository;
  private final MaintenanceService maintenance;
  private final Clock clock;

  MaintenancePlans(PhaseRepository repository, MaintenanceService maintenance, Clock clock) {
    this.repository = repository;
    this.maintenance = maintenance;
    this.clock = clock;
  }

  /** Plans waiting at once, at most: each is a row every node reads while it waits. */
  static final int MAX_PLANNED = 50;
  /** Plans listed at most (newest drainAt first). */
  static final int PLAN_LIST_LIMIT = 200;
  static final Duration PLAN_HORIZON = Duration.ofDays(366);
  static final Duration MAX_EXPECTED_LENGTH = Duration.ofDays(30);

  Future<MaintenancePlan> createPlan(CreatePlan request) {
    return request.caller().hostAdministrator(HOST_ONLY).compose(host -> checkedPlan(request));
  }

  private Future<MaintenancePlan> checkedPlan(CreatePlan request) {
    Instant now = clock.instant();
    if (request.drainAt() == null) {
      throw Failure.badRequest("drainAt is required: an ISO-8601 instant such as 2026-12-01T22:00:00Z");
    }
    if (!request.drainAt().isAfter(now) || request.drainAt().isAfter(now.plus(PLAN_HORIZON))) {
      throw Failure.badRequest("drainAt must be in the future and within " + PLAN_HORIZON.toDays() + " days; got "
          + request.drainAt() + " (now " + now + ")");
    }
    if (request.killAfter() != null && !MaintenanceService.wholeSecondsUpToAWeek(request.killAfter())) {
      throw Failure.badRequest("killAfter is an ISO-8601 duration of whole seconds between PT1S and P7D, e.g. PT15M");
    }
    if (request.expectedEnd() != null && (!request.expectedEnd().isAfter(request.drainAt())
        || request.expectedEnd().isAfter(request.drainAt().plus(MAX_EXPECTED_LENGTH)))) {
      throw Failure.badRequest("expectedEnd must be after drainAt and within " + MAX_EXPECTED_LENGTH.toDays()
          + " days of it");
    }
    if (request.reason() == null || request.reason().isBlank() || request.reason().length() > 500) {
      throw Failure.badRequest("reason is required (what tenants are told), at most 500 characters");
    }
    return maintenance.write(fresh -> repository.createPlan(fresh.version(), request.drainAt(), request.killAfter(),
            request.autoSuspend(), request.expectedEnd(), request.reason().strip(), now, request.caller().name(),
            MAX_PLANNED))
        .onSuccess(plan -> LOG.info("maintenance planned by {}: plan {} drains at {}", request.caller().name(),
            plan.id(), plan.drainAt()));
  }

  Future<MaintenancePlan> cancelPlan(CancelPlan request) {
    return request.caller().hostAdministrator(HOST_ONLY).compose(host -> maintenance.write(fresh ->
            repository.cancelPlan(fresh.version(), request.id(), clock.instant(), request.caller().name())))
        .onSuccess(plan -> LOG.info("maintenance plan {} cancelled by {}", plan.id(), request.caller().name()));
  }

  /** The host administrator sees every plan; tenant users the ones still Planned, as tenants are told of them. */
  Future<Plans> plans(ListPlans request) {
    Caller caller = request.caller();
    if (caller.isRobot()) {
      return Future.failedFuture(Failure.forbidden("plans are read by people"));
    }
    boolean host = caller.isHostAdmin();
    return repository.plans(host, PLAN_LIST_LIMIT + 1).map(list -> new Plans(
        list.stream().limit(PLAN_LIST_LIMIT).map(plan -> host ? plan : plan.forTenants()).toList(),
        list.size() > PLAN_LIST_LIMIT));
  }

  Future<MaintenanceEvents> events(ListEvents request) {
    return repository.events(Math.max(0, request.after()), Math.max(1, Math.min(request.limit(), 1_000)))
        .map(MaintenanceEvents::new);
  }

}
