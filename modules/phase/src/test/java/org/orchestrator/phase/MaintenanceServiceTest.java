package org.orchestrator.phase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.orchestrator.contracts.Caller;
import org.orchestrator.contracts.Role;
import org.orchestrator.contracts.jobs.JobMessages.ActiveJob;
import org.orchestrator.contracts.jobs.JobMessages.ActiveJobs;
import org.orchestrator.contracts.jobs.JobMessages.ListActive;
import org.orchestrator.contracts.jobs.JobMessages.SweepJobs;
import org.orchestrator.contracts.jobs.JobMessages.SweepResult;
import org.orchestrator.contracts.jobs.JobMessages.TenantCounts;
import org.orchestrator.contracts.jobs.JobMessages.WindowCounts;
import org.orchestrator.contracts.phase.MaintenancePhase;
import org.orchestrator.contracts.phase.PhaseMessages.DrainProgress;
import org.orchestrator.contracts.phase.PhaseMessages.CancelPlan;
import org.orchestrator.contracts.phase.PhaseMessages.CreatePlan;
import org.orchestrator.contracts.phase.PhaseMessages.EndMaintenance;
import org.orchestrator.contracts.phase.PhaseMessages.Preview;
import org.orchestrator.contracts.phase.PhaseMessages.PhaseSnapshot;
import org.orchestrator.contracts.phase.PhaseMessages.StartMaintenance;
import org.orchestrator.contracts.phase.PhaseMessages.StartOutcome;
import org.orchestrator.contracts.phase.PhaseMessages.TenantTally;
import org.orchestrator.contracts.scheduler.ScheduleMessages.FirePreview;
import org.orchestrator.contracts.scheduler.ScheduleMessages.SkippedCounts;
import org.orchestrator.contracts.tenantlog.TenantLogMessages.WindowLogs;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.orchestrator.dbadmin.Migrations;
import org.orchestrator.platform.database.Pools;
import org.orchestrator.platform.testing.MutableClock;
import org.orchestrator.dbadmin.testing.TestDatabase;

/**
 * {@link MaintenanceService} behind its {@code Peers} seam: the stored phase is real (PostgreSQL),
 * job control, the scheduler and tenant-log are a scripted stand-in that records what was asked.
 */
class MaintenanceServiceTest {

  private static final Caller HOST = new Caller(1, "admin", Role.HOST_ADMINISTRATOR, null);

  private Vertx vertx;
  private DatabaseEndpoint endpoint;
  private Pool pool;
  private Context context;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T10:00:00Z"));
  private final ScriptedPeers peers = new ScriptedPeers();
  private final List<PhaseSnapshot> published = new CopyOnWriteArrayList<>();
  private PhaseRepository repository;
  private MaintenanceService service;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    endpoint = TestDatabase.newSchema("maintenance_service");
    Migrations.apply(endpoint, List.of("phase"));
    pool = Pools.create(vertx, endpoint, 4);
    context = vertx.getOrCreateContext();
    repository = new PhaseRepository(pool, PhaseRepository.channel(endpoint.schema()));
    service = new MaintenanceService(vertx, repository, peers, clock, published::add);
    on(service::load);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void theWindowIsStoredBeforeItsStopSweepRuns() {
    peers.onStopAll = () -> repository.load().map(stored -> {
      assertEquals(MaintenancePhase.Draining, stored.phase(), "the sweep runs only after Draining is stored");
      return new SweepResult(3);
    });
    on(() -> service.start(start(MaintenancePhase.Draining, false)));

    assertEquals(1, peers.stopAllCalls.size());
    PhaseSnapshot stored = on(repository::load);
    assertEquals(MaintenancePhase.Draining, stored.phase());
    assertTrue(stored.transitions().stream().anyMatch(t -> "Stop sent to 3 jobs".equals(t.note())),
        "the sweep's count is in the window's audit: " + stored.transitions());
    assertEquals(MaintenancePhase.Draining, published.get(published.size() - 1).phase());
  }

  /**
   * A refusal is a failed future, never a throw: whoever calls the service (its bus consumer, a
   * timer, a test) composes on what it answers.
   */
  @Test
  void refusalsAreFailedFuturesAndChangeNothing() {
    Caller operator = new Caller(9, "op", Role.OPERATOR, 7L);
    long version = on(repository::load).version();
    List<Future<?>> refused = List.of(
        service.start(new StartMaintenance(operator, MaintenancePhase.Draining, false, false, null, false, null, null)),
        service.end(new EndMaintenance(operator, null)),
        service.preview().preview(new Preview(operator, null, null)),
        service.preview().preview(new Preview(HOST, java.time.Duration.ofDays(30), null)),
        service.plans().createPlan(new CreatePlan(HOST, null, null, false, null, "no drainAt")),
        service.plans().createPlan(new CreatePlan(operator, Instant.now().plusSeconds(3600), null, false, null, "x")),
        service.plans().cancelPlan(new CancelPlan(operator, 1)),
        service.start(new StartMaintenance(HOST, MaintenancePhase.Draining, false, false,
            java.time.Duration.ofDays(30), false, null, null)));
    for (Future<?> future : refused) {
      assertTrue(future.failed(), "answered at once, failed: " + future);
      assertTrue(future.cause() instanceof org.orchestrator.contracts.Failure, future.cause().toString());
    }
    assertEquals(version, on(repository::load).version(), "nothing was stored");
  }

  @Test
  void suspendedIsRefusedWhileJobsRunAndNothingIsStored() {
    on(() -> service.start(start(MaintenancePhase.Draining, false)));
    long version = service.snapshot().version();
    peers.active = new ActiveJobs(2, Map.of(7L, 2L), List.of(new ActiveJob(11, 7, "Running", 5L, "p", false)));

    StartOutcome outcome = on(() -> service.start(start(MaintenancePhase.Suspended, false)));

    assertTrue(outcome.refused());
    assertEquals(2, outcome.blocking().total());
    assertEquals(version, on(repository::load).version(), "a refused Start changes nothing");
  }

  @Test
  void readersShareOneProgressUntilTheStateChangesOrItGrowsStale() {
    on(() -> service.start(start(MaintenancePhase.Draining, false)));
    int before = peers.countCalls.size();

    DrainProgress first = on(() -> service.progress().progress());
    DrainProgress second = on(() -> service.progress().progress());
    assertEquals(before + 1, peers.countCalls.size(), "the second reader got the kept progress");
    assertEquals(first, second);

    clock.advance(DrainProgressTracker.FRESH.plusSeconds(1));
    on(() -> service.progress().progress());
    assertEquals(before + 2, peers.countCalls.size(), "a progress older than FRESH is computed again");
  }

  @Test
  void theTickStoresItsProgressForTheOtherNodesWithCountsPerTenant() {
    on(() -> service.start(start(MaintenancePhase.Draining, false)));
    peers.counts = new WindowCounts(Map.of(7L, new TenantCounts(4, 1, 1, 0), 8L, new TenantCounts(2, 2, 0, 0)));
    peers.skipped = new SkippedCounts(Map.of(8L, 5L));
    peers.active = new ActiveJobs(3, Map.of(7L, 3L), List.of());

    DrainProgress ticked = on(service::tick);

    MaintenanceService follower = new MaintenanceService(vertx, repository, new ScriptedPeers(), clock, s -> { });
    on(follower::load);
    DrainProgress announced = on(() -> follower.progress().announced());
    assertNotNull(announced, "the follower reads the stored progress");
    assertEquals(ticked, announced);
    assertEquals(6, announced.stopsSent());
    assertEquals(new TenantTally(4, 1, 0), announced.tenants().get(7L));
    assertEquals(new TenantTally(2, 0, 5), announced.tenants().get(8L));
    assertEquals(5, announced.triggersSkipped());
    assertEquals(Map.of(7L, 3L), announced.remainingByTenant());
    assertNull(on(() -> follower.progress().announced()), "nothing newer: nothing to publish again");
    assertEquals(ticked, on(() -> follower.progress().progress()), "the follower's readers get the ticked progress, not a recount");
  }

  @Test
  void theTickSuspendsByItselfOnceDrainedWhenAskedTo() {
    on(() -> service.start(new StartMaintenance(HOST, MaintenancePhase.Draining, false, false, null, true, null, null)));
    peers.active = new ActiveJobs(1, Map.of(7L, 1L), List.of());
    on(service::tick);
    assertEquals(MaintenancePhase.Draining, service.snapshot().phase());

    peers.active = new ActiveJobs(0, Map.of(), List.of());
    on(service::tick);
    assertEquals(MaintenancePhase.Suspended, on(repository::load).phase());
  }

  @Test
  void endClosesTheTenantLogsOfTheWindowAndStoresNone() {
    on(() -> service.start(start(MaintenancePhase.Draining, false)));
    long window = service.snapshot().windowId();

    on(() -> service.end(new EndMaintenance(HOST, null)));

    assertEquals(List.of(window), peers.closedWindows);
    assertEquals(MaintenancePhase.None, on(repository::load).phase());
    // frozen before End committed, completed after it (decision 128)
    assertEquals(List.of(window), peers.completedWindows);
  }

  /**
   * An End queued behind an operation still running (the kill deadline's sweep, another request's
   * Start) runs as its own request: its bus hops and log lines carry its id, not the earlier one's.
   */
  @Test
  void anOperationQueuedBehindAnotherRunsAsItsOwnRequest() {
    Promise<SweepResult> held = Promise.promise();
    java.util.concurrent.atomic.AtomicReference<Context> sweeping = new java.util.concurrent.atomic.AtomicReference<>();
    peers.onStopAll = () -> {
      sweeping.set(Vertx.currentContext());
      return held.future();
    };
    Future<StartOutcome> started = on(() -> Future.succeededFuture(
        org.orchestrator.contracts.bus.RequestContext.newRequest(vertx, "first", () -> service.start(start(MaintenancePhase.Draining, false)))));
    for (long until = System.nanoTime() + 20_000_000_000L; sweeping.get() == null; ) {
      assertTrue(System.nanoTime() < until, "the Start's sweep runs within 20 s");
      Thread.onSpinWait();
    }
    Future<PhaseSnapshot> ended = on(() -> Future.succeededFuture(
        org.orchestrator.contracts.bus.RequestContext.newRequest(vertx, "second", () -> service.end(new EndMaintenance(HOST, null)))));

    sweeping.get().runOnContext(v -> held.complete(new SweepResult(0)));
    on(() -> started);
    on(() -> ended);

    assertEquals(1, peers.closingRequests.size(), peers.closingRequests.toString());
    assertTrue(peers.closingRequests.get(0).startsWith("second-"), "End closed the logs as itself: " + peers.closingRequests);
  }

  @Test
  void exactlyOneNodeLeadsTheTickAndAnotherTakesOverWhenItGoes() {
    TickLeadership a = new TickLeadership(vertx, endpoint);
    TickLeadership b = new TickLeadership(vertx, endpoint);
    boolean aLeads = on(a::lead);
    boolean bLeads = on(b::lead);
    assertTrue(aLeads ^ bLeads, "one of the two leads: a=" + aLeads + " b=" + bLeads);
    TickLeadership leader = aLeads ? a : b;
    TickLeadership other = aLeads ? b : a;
    assertFalse(on(other::lead), "asking again changes nothing while the leader lives");

    on(leader::close);

    assertTrue(on(other::lead), "the lock is released with the leader's connection");
    on(other::close);
  }

  private static StartMaintenance start(MaintenancePhase phase, boolean force) {
    return new StartMaintenance(HOST, phase, false, force, null, false, null, null);
  }

  /** Runs {@code operation} on the service's context (it is single-threaded) and waits for it. */
  private <T> T on(Supplier<Future<T>> operation) {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> {
      try {
        operation.get().onComplete(result);
      } catch (RuntimeException e) {
        result.fail(e);
      }
    });
    try {
      return result.future().await(20, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("no answer within 20 s", e);
    }
  }

  /** Answers as job control, the scheduler and tenant-log would; records what was asked. */
  private static final class ScriptedPeers implements MaintenanceService.Peers {

    volatile Supplier<Future<SweepResult>> onStopAll = () -> Future.succeededFuture(new SweepResult(0));
    volatile ActiveJobs active = new ActiveJobs(0, Map.of(), List.of());
    volatile WindowCounts counts = new WindowCounts(Map.of());
    volatile SkippedCounts skipped = new SkippedCounts(Map.of());
    final List<Long> stopAllCalls = new CopyOnWriteArrayList<>();
    final List<Long> countCalls = new CopyOnWriteArrayList<>();
    final List<Long> closedWindows = new CopyOnWriteArrayList<>();
    final List<Long> completedWindows = new CopyOnWriteArrayList<>();
    final List<String> closingRequests = new CopyOnWriteArrayList<>();

    @Override
    public Future<SweepResult> stopAll(SweepJobs sweep) {
      stopAllCalls.add(sweep.windowId());
      return onStopAll.get();
    }

    @Override
    public Future<SweepResult> killAll(SweepJobs sweep) {
      return Future.succeededFuture(new SweepResult(0));
    }

    @Override
    public Future<ActiveJobs> active(ListActive query) {
      return Future.succeededFuture(active);
    }

    @Override
    public Future<WindowCounts> counts(long windowId) {
      countCalls.add(windowId);
      return Future.succeededFuture(counts);
    }

    @Override
    public Future<SkippedCounts> skipped(long windowId) {
      return Future.succeededFuture(skipped);
    }

    @Override
    public Future<WindowLogs> closeLogs(long windowId, Instant from, Instant to, Long tenantId,
        org.orchestrator.contracts.tenantlog.TenantLogMessages.WindowFacts facts) {
      closedWindows.add(windowId);
      closingRequests.add(String.valueOf(org.orchestrator.contracts.bus.RequestContext.id()));
      return Future.succeededFuture(new WindowLogs(List.of()));
    }

    @Override
    public Future<WindowLogs> completeLogs(long windowId, Instant endedAt, String endedBy) {
      completedWindows.add(windowId);
      return Future.succeededFuture(new WindowLogs(List.of()));
    }

    @Override
    public Future<List<Long>> incompleteLogs(int limit) {
      return Future.succeededFuture(List.of());
    }

    @Override
    public Future<FirePreview> fires(org.orchestrator.contracts.scheduler.ScheduleMessages.PreviewFires query) {
      return Future.succeededFuture(new FirePreview(0, Map.of(), List.of(), false, query.limit()));
    }
  }
}
