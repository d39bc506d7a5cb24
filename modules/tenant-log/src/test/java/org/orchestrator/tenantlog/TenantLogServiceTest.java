package org.orchestrator.tenantlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.orchestrator.contracts.Caller;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.FailureCode;
import org.orchestrator.contracts.PageRequest;
import org.orchestrator.contracts.Role;
import org.orchestrator.contracts.identity.IdentityMessages.TenantIds;
import org.orchestrator.contracts.jobs.JobMessages.WindowJob;
import org.orchestrator.contracts.jobs.JobMessages.WindowJobs;
import org.orchestrator.contracts.scheduler.ScheduleMessages.TenantFire;
import org.orchestrator.contracts.scheduler.ScheduleMessages.TenantFires;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.CloseWindow;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.CompleteWindow;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.ListIncomplete;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.GetWindowLog;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.History;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.ListHistory;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.JobOutcome;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.SkippedTrigger;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.TenantWindowLog;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.WindowFacts;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.WindowLogs;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.PhaseStep;
import org.orchestrator.dbadmin.Migrations;
import org.orchestrator.dbadmin.testing.TestDatabase;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.orchestrator.platform.database.Pools;

/**
 * The tenant log on a real PostgreSQL, its peers (jobs, scheduler, identity) answering what the
 * test says they recorded: live while the window is open, frozen at End whatever the peers say
 * after, every tenant in the platform's window, one in its own, and who may read the history.
 */
class TenantLogServiceTest {

  private static final Instant FROM = Instant.parse("2026-06-01T22:00:00Z");
  private static final Instant TO = Instant.parse("2026-06-01T23:30:00Z");

  private static Vertx vertx;
  private static Pool pool;
  private static final AtomicReference<List<WindowJob>> jobs = new AtomicReference<>(List.of());
  private static final AtomicReference<List<TenantFire>> fires = new AtomicReference<>(List.of());
  private static TenantLogService service;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    DatabaseEndpoint endpoint = TestDatabase.newSchema("tenantlog");
    Migrations.apply(endpoint, List.of("tenant-log"));
    pool = Pools.create(vertx, endpoint, 2);
    service = new TenantLogService(new TenantLogRepository(pool),
        ask -> Future.succeededFuture(new WindowJobs(jobs.get().stream()
            .filter(job -> ask.tenantId() == null || job.tenantId() == ask.tenantId()).toList())),
        ask -> Future.succeededFuture(new TenantFires(fires.get().stream()
            .filter(fire -> ask.tenantId() == null || fire.tenantId() == ask.tenantId()).toList())),
        () -> Future.succeededFuture(new TenantIds(List.of(1L, 2L, 3L))));
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void liveWhileOpenFrozenAtEndEveryTenantInThePlatformsWindow() {
    jobs.set(List.of(new WindowJob(1, 11, true, false), new WindowJob(1, 12, true, true), new WindowJob(2, 21, false, true)));
    fires.set(List.of(new TenantFire(2, 5, "nightly", FROM.plusSeconds(60))));
    List<TenantWindowLog> live = service.get(new GetWindowLog(100, null)).await().tenants();
    assertEquals(2, live.size(), "live: the tenants the window touched");
    assertEquals(List.of(11L, 12L), live.get(0).stoppedJobs());
    assertEquals(List.of(12L), live.get(0).killedJobs());
    assertNull(live.get(0).closedAt());

    List<TenantWindowLog> frozen = service.close(new CloseWindow(100, FROM, TO, null)).await().tenants();
    assertEquals(List.of(1L, 2L, 3L), frozen.stream().map(TenantWindowLog::tenantId).toList(),
        "at End every tenant has a record, also the one the window did not touch");
    // the peers now say something else (the jobs ended, were deleted): the record does not change
    jobs.set(List.of());
    fires.set(List.of());
    List<TenantWindowLog> read = service.get(new GetWindowLog(100, null)).await().tenants();
    assertEquals(3, read.size());
    TenantWindowLog second = read.stream().filter(log -> log.tenantId() == 2).findFirst().orElseThrow();
    assertEquals(List.of(21L), second.killedJobs());
    assertEquals(1, second.skippedTriggers().size());
    assertEquals(FROM, second.startedAt());
    assertEquals(TO, second.endedAt());
    assertNotNull(second.closedAt());
    assertEquals(List.of(), service.get(new GetWindowLog(100, 3L)).await().tenants().get(0).stoppedJobs());
  }

  @Test
  void eachJobCarriesWhatBecameOfItAndEachSkippedFireItsSchedule() {
    // UiPath's lists keep a killed job among the stopped; the outcome tells the four apart
    jobs.set(List.of(new WindowJob(4, 61, true, false, "payroll", "Stopped"),
        new WindowJob(4, 62, true, true, "invoices", "Stopped"),
        new WindowJob(4, 63, true, false, "reports", "Successful"),
        new WindowJob(4, 64, true, false, "slow", "Stopping")));
    fires.set(List.of(new TenantFire(4, 9, "month-end", FROM.plusSeconds(30))));
    WindowFacts facts = new WindowFacts("month-end upgrade", "admin", "PT15M", FROM.plusSeconds(900),
        List.of(new PhaseStep("Draining", FROM, "admin"), new PhaseStep("Suspended", FROM.plusSeconds(600), "admin"),
            new PhaseStep("None", TO, "ops")));
    List<TenantWindowLog> frozen = service.close(new CloseWindow(400, FROM, TO, 4L, facts)).await().tenants();
    jobs.set(List.of());
    fires.set(List.of());
    TenantWindowLog read = service.get(new GetWindowLog(400, 4L)).await().tenants().get(0);
    assertEquals(frozen.get(0).jobs(), read.jobs(), "kept as frozen");
    assertEquals(facts, read.facts(), "the window's reason, who, deadline and phases, kept with the record");
    assertEquals(List.of(61L, 62L, 63L, 64L), read.stoppedJobs());
    assertEquals(List.of(62L), read.killedJobs());
    assertEquals(List.of(new JobOutcome(61, "payroll", "Stopped", "Stopped"),
        new JobOutcome(62, "invoices", "Killed", "Stopped"),
        new JobOutcome(63, "reports", "FinishedOnItsOwn", "Successful"),
        new JobOutcome(64, "slow", "NotEnded", "Stopping")), read.jobs());
    assertEquals(List.of(new SkippedTrigger(9, "month-end", FROM.plusSeconds(30))), read.skippedTriggers());
  }

  @Test
  void aTenantsOwnWindowHoldsThatTenantOnly() {
    jobs.set(List.of(new WindowJob(1, 31, true, false), new WindowJob(2, 41, true, false)));
    List<TenantWindowLog> own = service.close(new CloseWindow(200, FROM, TO, 2L)).await().tenants();
    assertEquals(1, own.size());
    assertEquals(2L, own.get(0).tenantId());
    assertEquals(List.of(41L), own.get(0).stoppedJobs());
  }

  /**
   * Frozen before End commits, completed after it (decision 128): what was tagged with the window
   * in between (a fire skipped while End was stored) joins the records, each job's state is read
   * again, and nothing frozen is dropped (a job a later window tagged as its own, rows retention
   * deleted); the end is the one stored with the window. A window without records is left alone.
   */
  @Test
  void completingAddsWhatCameSinceTheFirstFreezeAndDropsNothing() {
    jobs.set(List.of(new WindowJob(5, 71, true, false, "payroll", "Stopping"),
        new WindowJob(5, 72, false, false, "billing", "Running", "critical")));
    fires.set(List.of(new TenantFire(5, 8, "hourly", FROM.plusSeconds(60))));
    WindowFacts facts = new WindowFacts("upgrade", "admin", null, null,
        List.of(new PhaseStep("Draining", FROM, "admin"), new PhaseStep("None", TO, "loser")), List.of());
    service.close(new CloseWindow(500, FROM, TO, null, facts)).await();
    assertTrue(service.incomplete(new ListIncomplete(100)).await().windowIds().contains(500L));
    assertFalse(service.get(new GetWindowLog(500, null)).await().complete(), "frozen, not complete yet");

    // since: job 71 stopped, job 72 belongs to a later window, the hourly fire's row is gone, and
    // a fire was skipped while End was being stored
    jobs.set(List.of(new WindowJob(5, 71, true, false, "payroll", "Stopped")));
    fires.set(List.of(new TenantFire(5, 9, "nightly", TO.minusMillis(13))));
    Instant end = TO.plusMillis(40);
    List<TenantWindowLog> completed = service.complete(new CompleteWindow(500, end, "ops")).await().tenants();
    assertEquals(List.of(1L, 2L, 3L, 5L), completed.stream().map(TenantWindowLog::tenantId).toList());
    jobs.set(List.of());
    fires.set(List.of());
    WindowLogs read = service.get(new GetWindowLog(500, null)).await();
    assertTrue(read.complete());
    TenantWindowLog record = read.tenants().stream().filter(log -> log.tenantId() == 5).findFirst().orElseThrow();
    assertEquals(List.of(new SkippedTrigger(8, "hourly", FROM.plusSeconds(60)),
        new SkippedTrigger(9, "nightly", TO.minusMillis(13))), record.skippedTriggers());
    assertEquals(List.of(71L), record.stoppedJobs());
    assertEquals(List.of(new JobOutcome(71, "payroll", "Stopped", "Stopped"),
        new JobOutcome(72, "billing", JobOutcome.EXEMPT, "Running", "critical")), record.jobs());
    assertEquals(FROM, record.startedAt());
    assertEquals(end, record.endedAt(), "the end stored with the window");
    assertEquals(List.of(new PhaseStep("Draining", FROM, "admin"), new PhaseStep("None", end, "ops")),
        record.facts().timeline());
    assertEquals("upgrade", record.facts().reason());
    assertFalse(service.incomplete(new ListIncomplete(100)).await().windowIds().contains(500L));

    // an End on another node that lost the compare-and-set freezes late: the complete records stay
    service.close(new CloseWindow(500, FROM, TO, null, facts)).await();
    assertTrue(service.get(new GetWindowLog(500, null)).await().complete());
    assertEquals(2, service.get(new GetWindowLog(500, 5L)).await().tenants().get(0).skippedTriggers().size());

    assertEquals(List.of(), service.complete(new CompleteWindow(600, end, "ops")).await().tenants());
    assertEquals(List.of(), service.get(new GetWindowLog(600, null)).await().tenants().stream()
        .filter(log -> log.closedAt() != null).toList(), "no record made for a window never closed");
  }

  @Test
  void onlyAdministratorsReadTheHistoryAndATenantsOnlyItsOwn() {
    jobs.set(List.of(new WindowJob(3, 51, true, false)));
    service.close(new CloseWindow(300, FROM, TO, null)).await();
    Caller host = new Caller(1, "admin", Role.HOST_ADMINISTRATOR, null);
    Caller tenantAdmin = new Caller(7, "ops", Role.ADMINISTRATOR, 3L);
    Caller operator = new Caller(8, "op", Role.OPERATOR, 3L);
    History own = service.history(new ListHistory(tenantAdmin, null, PageRequest.first(10))).await();
    assertEquals(List.of(3L), own.items().stream().map(TenantWindowLog::tenantId).distinct().toList());
    assertEquals(FailureCode.FORBIDDEN, failure(() -> service.history(new ListHistory(operator, 3L,
        PageRequest.first(10))).await()).code());
    assertEquals(FailureCode.FORBIDDEN, failure(() -> service.history(new ListHistory(tenantAdmin, 1L,
        PageRequest.first(10))).await()).code());
    History hosts = service.history(new ListHistory(host, 3L, PageRequest.first(10))).await();
    assertEquals(own.items().size(), hosts.items().size());
  }

  private static Failure failure(Runnable call) {
    Throwable thrown = assertThrows(Throwable.class, call::run);
    Throwable cause = thrown instanceof CompletionException ? thrown.getCause() : thrown;
    return (Failure) cause;
  }
}
