package org.orchestrator.scheduler;

import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.orchestrator.contracts.Caller;
import org.orchestrator.contracts.phase.PhaseMessages.Exemption;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.Page;
import org.orchestrator.contracts.identity.IdentityMessages.GetRobot;
import org.orchestrator.contracts.identity.IdentityMessages.Robot;
import org.orchestrator.contracts.scheduler.ScheduleMessages.CreateSchedule;
import org.orchestrator.contracts.scheduler.ScheduleMessages.Fire;
import org.orchestrator.contracts.scheduler.ScheduleMessages.MissedFirePolicy;
import org.orchestrator.contracts.scheduler.ScheduleMessages.ListFires;
import org.orchestrator.contracts.scheduler.ScheduleMessages.Schedule;
import org.orchestrator.contracts.scheduler.ScheduleMessages.FirePreview;

/**
 * Schedule management: tenant administrators create, enable, disable and delete; every tenant user
 * may read. Enabling starts from the first time after now: fires missed while disabled are not
 * caught up.
 */
final class ScheduleService {

  private static final int PREVIEW_PAGE = 1_000;
  private static final Pattern NAME = Pattern.compile("[^\\p{Cntrl}]{1,128}");

  private final ScheduleRepository schedules;
  private final Function<GetRobot, Future<Robot>> robots;
  private final Clock clock;

  ScheduleService(ScheduleRepository schedules, Function<GetRobot, Future<Robot>> robots, Clock clock) {
    this.schedules = schedules;
    this.robots = robots;
    this.clock = clock;
  }

  // Every operation answers a future and never throws: each starts from the caller's check and
  // composes the rest on it, so a Failure thrown while checking the request fails that future.

  Future<Schedule> create(CreateSchedule request) {
    return request.caller().tenantAdministrator().compose(tenantId -> {
      if (request.name() == null || !NAME.matcher(request.name()).matches()) {
        throw Failure.badRequest("name is 1-128 printable characters");
      }
      if (request.processName() == null || !NAME.matcher(request.processName()).matches()) {
        throw Failure.badRequest("processName is 1-128 printable characters");
      }
      String zone = request.timeZone() == null ? "UTC" : request.timeZone();
      CronSchedule cron = CronSchedule.parse(request.cron(), zone);
      var next = cron.nextAfter(clock.instant())
          .orElseThrow(() -> Failure.badRequest("the cron expression never fires"));
      Future<Long> robot = request.robotId() == null ? Future.succeededFuture(null)
          : robots.apply(new GetRobot(tenantId, request.robotId())).map(Robot::id);
      MissedFirePolicy policy = request.missedFirePolicy() == null ? MissedFirePolicy.Skip : request.missedFirePolicy();
      return robot.compose(robotId -> schedules.insert(tenantId, request.name(), request.processName(),
          request.cron().trim(), zone, robotId, next, policy));
    });
  }

  Future<List<Schedule>> list(Caller caller) {
    return caller.tenantUser().compose(schedules::list);
  }

  Future<Schedule> enable(Caller caller, long id) {
    return caller.tenantAdministrator().compose(tenantId -> found(schedules.find(tenantId, id), id)
        .compose(schedule -> {
          var next = CronSchedule.parse(schedule.cron(), schedule.timeZone()).nextAfter(clock.instant())
              .orElseThrow(() -> Failure.conflict("the cron expression never fires again"));
          return found(schedules.setEnabled(tenantId, id, true, next), id);
        }));
  }

  Future<Schedule> disable(Caller caller, long id) {
    return caller.tenantAdministrator().compose(tenantId -> found(schedules.setEnabled(tenantId, id, false, null), id));
  }

  Future<Schedule> delete(Caller caller, long id) {
    return caller.tenantAdministrator().compose(tenantId -> found(schedules.delete(tenantId, id), id));
  }

  Future<Page<Fire>> fires(ListFires query) {
    return query.caller().tenantUser().compose(tenantId -> {
      query.page().afterInstant(); // a cursor this list never gave is refused before anything is read
      return found(schedules.find(tenantId, query.scheduleId()), query.scheduleId())
          .compose(schedule -> schedules.fires(tenantId, query.scheduleId(), query.page()));
    });
  }

  /**
   * The fires every enabled schedule would have in [from, to): counted completely, per tenant and in
   * total, whatever the horizon; the earliest {@code limit} of them as a sample. Schedules are read
   * a page at a time (the schedules of {@code exempt} processes left out) and each distinct (cron, time zone) is counted once, so memory holds one page,
   * the sample and the counts.
   */
  Future<FirePreview> preview(Instant from, Instant to, int limit, List<Exemption> exempt) {
    FirePreviewBuilder preview = new FirePreviewBuilder(from, to, limit);
    java.util.Set<String> exempted = new java.util.HashSet<>();
    exempt.forEach(item -> exempted.add(item.tenantId() + "\u0000" + item.processName()));
    return previewPages(preview, exempted, 0).map(done -> preview.build());
  }

  private Future<Void> previewPages(FirePreviewBuilder preview, java.util.Set<String> exempted, long afterId) {
    return schedules.enabled(afterId, PREVIEW_PAGE).compose(page -> {
      page.stream().filter(schedule -> !exempted.contains(schedule.tenantId() + "\u0000" + schedule.processName()))
          .forEach(preview::add);
      return page.size() < PREVIEW_PAGE ? Future.succeededFuture()
          : previewPages(preview, exempted, page.get(page.size() - 1).id());
    });
  }

  private static Future<Schedule> found(Future<java.util.Optional<Schedule>> lookup, long id) {
    return lookup.map(schedule -> schedule.orElseThrow(() -> Failure.notFound("no schedule " + id)));
  }
}
