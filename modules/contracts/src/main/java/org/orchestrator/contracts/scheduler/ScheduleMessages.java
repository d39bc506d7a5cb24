package org.orchestrator.contracts.scheduler;

import org.orchestrator.contracts.PageRequest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.orchestrator.contracts.Caller;

/** Bodies of the scheduler module's addresses. */
public final class ScheduleMessages {

  private ScheduleMessages() {
  }

  /**
   * What becomes of the fires a schedule misses in a maintenance window: {@code Skip} (UiPath's
   * behaviour: never run), or {@code RunOnce}: one job after the window, however many it missed.
   */
  public enum MissedFirePolicy { Skip, RunOnce }

  /**
   * A new schedule; {@code cron} is UNIX (5 fields) or Quartz (6-7 fields), {@code timeZone} IANA;
   * {@code missedFirePolicy} null for Skip.
   */
  public record CreateSchedule(Caller caller, String name, String processName, String cron, String timeZone,
      Long robotId, MissedFirePolicy missedFirePolicy) {
  }

  public record Schedule(long id, long tenantId, String name, String processName, String cron, String timeZone,
      Long robotId, boolean enabled, Instant nextFireAt, Instant createdAt, MissedFirePolicy missedFirePolicy) {
  }

  public record ListSchedules(Caller caller) {
  }

  public record ScheduleList(List<Schedule> items) {
  }

  /** Enable, disable or delete one schedule of the caller's tenant. */
  public record ScheduleAction(Caller caller, long scheduleId) {
  }

  /** What became of one planned fire. */
  public enum FireOutcome { Pending, Created, Skipped, Failed }

  public record Fire(long scheduleId, long tenantId, Instant plannedAt, FireOutcome outcome, Long jobId, String reason) {
  }

  /** A schedule's fires, newest first. */
  public record ListFires(Caller caller, long scheduleId, PageRequest page) {
  }

  // maintenance

  /** A fire of some tenant's schedule. */
  public record TenantFire(long tenantId, long scheduleId, String scheduleName, Instant plannedAt) {
  }

  /** Fires a maintenance window skipped, optionally of one tenant. */
  public record ListSkipped(long windowId, Long tenantId) {
  }

  /** Fires enabled schedules would have in [from, to); a sample of at most {@code limit} of them. */
  /**
   * The fires of enabled schedules between {@code from} and {@code to}, leaving out those of the
   * processes {@code exempt} names (their fires would not be skipped).
   */
  public record PreviewFires(Instant from, Instant to, int limit,
      List<org.orchestrator.contracts.phase.PhaseMessages.Exemption> exempt) {

    public PreviewFires(Instant from, Instant to, int limit) {
      this(from, to, limit, List.of());
    }
  }

  /**
   * The fires of a {@link PreviewFires}: {@code total} and {@code byTenant} count every one of them;
   * {@code sample} holds the earliest, at most {@code limit}, and {@code truncated} says when it
   * holds fewer than {@code total}.
   */
  public record FirePreview(long total, Map<Long, Long> byTenant, List<TenantFire> sample, boolean truncated,
      int limit) {
  }

  public record TenantFires(List<TenantFire> items) {
  }

  public record CountSkipped(long windowId) {
  }

  /** The fires a window skipped, per tenant (tenants with none are absent). */
  public record SkippedCounts(Map<Long, Long> byTenant) {

    public long total() {
      return byTenant.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  public record Count(long count) {
  }

  /** A robot was deleted (internal, from identity): the enabled schedules that name it are disabled. */
  public record RobotRemoved(long tenantId, long robotId) {
  }

  /** The schedules disabled because their robot was deleted. */
  public record SchedulesDisabled(List<Long> scheduleIds) {
  }
}
