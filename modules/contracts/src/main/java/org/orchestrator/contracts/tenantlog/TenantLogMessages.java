package org.orchestrator.contracts.tenantlog;

import org.orchestrator.contracts.PageRequest;
import java.time.Instant;
import java.util.List;
import org.orchestrator.contracts.Caller;

/** Bodies of the tenant-log module: what each maintenance window did to each tenant. */
public final class TenantLogMessages {

  private TenantLogMessages() {
  }

  /** A fire a maintenance window skipped. */
  /** A fire the window skipped, with its schedule's name (null in records frozen before names were kept). */
  public record SkippedTrigger(long scheduleId, String scheduleName, Instant plannedAt) {
  }

  /**
   * What became of one job the window stopped or killed: {@code Stopped} (it honoured its Stop),
   * {@code Killed} (Kill was sent in the window and it ended), {@code FinishedOnItsOwn} (Stop was sent
   * but it ended Successful or Faulted without a Kill), {@code NotEnded} (still unfinished when the
   * record was made: a live record, or Suspended with force), {@code Exempt} (its process ran through
   * the window: {@code reason} says why). {@code state}: its state then.
   */
  public record JobOutcome(long jobId, String processName, String outcome, String state, String reason) {

    /** What the outcome of a job that ran through the window as exempt is called. */
    public static final String EXEMPT = "Exempt";

    public JobOutcome(long jobId, String processName, String outcome, String state) {
      this(jobId, processName, outcome, state, null);
    }
  }

  /**
   * One tenant's record of one window: the jobs stopped and killed and every skipped fire.
   * {@code closedAt} is null while the window is open (the record is then computed live).
   */
  public record TenantWindowLog(long windowId, long tenantId, Instant startedAt, Instant endedAt, Instant closedAt,
      List<Long> stoppedJobs, List<Long> killedJobs, List<SkippedTrigger> skippedTriggers, List<JobOutcome> jobs,
      WindowFacts facts) {

    /** The jobs that ran through the window as exempt (section 10), with the exemption's reason. */
    public List<JobOutcome> exemptJobs() {
      return jobs.stream().filter(job -> JobOutcome.EXEMPT.equals(job.outcome())).toList();
    }
  }

  /**
   * A window's records, live while it is open; {@code tenantId} null for every tenant. A live record
   * gives the reasons of the exempt jobs from {@code exemptions} (the window's, as far as known).
   */
  public record GetWindowLog(long windowId, Long tenantId,
      List<org.orchestrator.contracts.phase.PhaseMessages.Exemption> exemptions) {

    public GetWindowLog(long windowId, Long tenantId) {
      this(windowId, tenantId, List.of());
    }
  }

  /**
   * A window's records; {@code complete}: final (frozen again after End committed, decision 128),
   * false while End's second freeze has not happened yet. Records computed live count as complete.
   */
  public record WindowLogs(List<TenantWindowLog> tenants, boolean complete) {

    public WindowLogs(List<TenantWindowLog> tenants) {
      this(tenants, true);
    }
  }

  /**
   * Freezes a window's records, before End commits: every tenant's ({@code tenantId} null), or one
   * tenant's own window's. They are kept incomplete until {@link CompleteWindow}; idempotent.
   */
  public record CloseWindow(long windowId, Instant from, Instant to, Long tenantId, WindowFacts facts) {

    public CloseWindow(long windowId, Instant from, Instant to, Long tenantId) {
      this(windowId, from, to, tenantId, null);
    }
  }

  /**
   * Freezes a window's records again once its End has committed ({@code endedAt} by
   * {@code endedBy}, as stored with the window): what they froze at close, with the stops, kills
   * and skips tagged with the window since, and each job's state now; marks them complete. Adds
   * only: nothing the first freeze recorded is dropped. Idempotent; a window without records is left
   * alone.
   */
  public record CompleteWindow(long windowId, Instant endedAt, String endedBy) {
  }

  /** The windows with records frozen at close and not completed yet (at most {@code limit}). */
  public record ListIncomplete(int limit) {
  }

  public record IncompleteWindows(List<Long> windowIds) {
  }

  /**
   * What the window was, kept with each tenant's record at End: its reason, who opened it, its kill
   * deadline ({@code killAfter} and when it fell; null without one), its phases, in order, and the
   * processes it exempted ({@code exemptions}: the window's list at End).
   */
  public record WindowFacts(String reason, String startedBy, String killAfter, Instant killDeadlineAt,
      List<PhaseStep> timeline, List<org.orchestrator.contracts.phase.PhaseMessages.Exemption> exemptions) {

    public WindowFacts(String reason, String startedBy, String killAfter, Instant killDeadlineAt,
        List<PhaseStep> timeline) {
      this(reason, startedBy, killAfter, killDeadlineAt, timeline, List.of());
    }
  }

  /** One step of a window: {@code phase} from {@code at}, by {@code by}. */
  public record PhaseStep(String phase, Instant at, String by) {
  }

  /** Past windows of one tenant, newest first (tenant admins: their own; the host: any). */
  public record ListHistory(Caller caller, Long tenantId, PageRequest page) {
  }

  /**
   * A page of history: one tenant's records, or (the host without a tenant) the records of a page
   * of windows, every tenant's of each; {@code next} is the cursor of the next page either way.
   */
  public record History(List<TenantWindowLog> items, int size, String next) {
  }
}
