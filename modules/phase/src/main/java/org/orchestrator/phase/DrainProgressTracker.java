package org.orchestrator.phase;

import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.orchestrator.contracts.jobs.JobMessages.ActiveJobs;
import org.orchestrator.contracts.jobs.JobMessages.ListActive;
import org.orchestrator.contracts.jobs.JobMessages.SweepJobs;
import org.orchestrator.contracts.jobs.JobMessages.WindowCounts;
import org.orchestrator.contracts.phase.MaintenancePhase;
import org.orchestrator.contracts.phase.PhaseMessages.DrainProgress;
import org.orchestrator.contracts.phase.PhaseMessages.PhaseSnapshot;
import org.orchestrator.contracts.phase.PhaseMessages.TenantTally;
import org.orchestrator.contracts.scheduler.ScheduleMessages.SkippedCounts;

/**
 * The drain's progress: counted by the tick once a second on the ticking node (with the Stop
 * sweep repeated while Draining), kept for this node's readers, stored for the other nodes'
 * ({@link #announced()}), and computed by a reader itself when the tick's is stale. What counts is
 * the rules': active jobs, the exempt ones apart ({@code ActiveJobs.remaining}, {@code exempt}).
 */
final class DrainProgressTracker {

  /** A ticked progress older than this (the ticking node died) is computed again by a reader. */
  static final Duration FRESH = Duration.ofSeconds(5);

  private final Supplier<PhaseSnapshot> snapshot;
  private final PhaseRepository repository;
  private final MaintenanceService.Peers peers;
  private final Clock clock;
  private final Duration stalledAfter;
  /**
   * The drain this node watches (window id), how many of its jobs it has seen ended, and when that
   * count last grew on this node's clock: a drain with jobs left is stalled after
   * {@code stalledAfter} without one ending. Event loop only.
   */
  private long watchedWindow = -1;
  private long endedSeen;
  private Instant lastEndSeen;
  /** The progress every reader gets, and the state version it was computed at. */
  private volatile Known known;

  DrainProgressTracker(Supplier<PhaseSnapshot> snapshot, PhaseRepository repository, MaintenanceService.Peers peers,
      Clock clock, Duration stalledAfter) {
    this.snapshot = snapshot;
    this.repository = repository;
    this.peers = peers;
    this.clock = clock;
    this.stalledAfter = stalledAfter;
  }

  /**
   * The tick's part: repeats the (idempotent) Stop sweep while Draining, so a job handed to a robot
   * just as the window opened is stopped too, then counts, keeps and stores the progress.
   */
  Future<DrainProgress> tick() {
    PhaseSnapshot current = snapshot.get();
    Future<?> sweep = current.phase() == MaintenancePhase.Draining
        ? peers.stopAll(new SweepJobs(current.windowId(), null)) : Future.succeededFuture();
    return sweep.compose(swept -> {
      long version = snapshot.get().version();
      return compute().compose(progress -> {
        remember(version, progress);
        return repository.saveProgress(version, progress).map(progress);
      });
    });
  }

  private record Known(long version, DrainProgress progress) {
  }

  /**
   * The drain progress as every reader reads it: the tick's latest (this node's, or the one the
   * ticking node stored) while it belongs to the current state version and is at most
   * {@link #FRESH} old; otherwise computed once here and kept. Outside maintenance it is kept until
   * the state changes.
   */
  Future<DrainProgress> progress() {
    PhaseSnapshot current = snapshot.get();
    Known last = known;
    if (last != null && last.version() == current.version() && (!current.phase().inMaintenance()
        || Duration.between(last.progress().at(), clock.instant()).compareTo(FRESH) <= 0)) {
      return Future.succeededFuture(last.progress());
    }
    return compute().onSuccess(progress -> remember(current.version(), progress));
  }

  /** The progress the ticking node stored, when it is newer than what this node knows; else null. */
  Future<DrainProgress> announced() {
    return repository.loadProgress().map(stored -> {
      Known last = known;
      if (stored == null || stored.version() != snapshot.get().version()
          || last != null && last.version() == stored.version() && !stored.progress().at().isAfter(last.progress().at())) {
        return null;
      }
      remember(stored.version(), stored.progress());
      return stored.progress();
    });
  }

  private void remember(long version, DrainProgress progress) {
    Known last = known;
    if (last == null || version > last.version()
        || version == last.version() && !progress.at().isBefore(last.progress().at())) {
      known = new Known(version, progress);
    }
  }

  /** Counts it all again: the active jobs, the window's stops, kills and skipped fires per tenant. */
  private Future<DrainProgress> compute() {
    PhaseSnapshot current = snapshot.get();
    Instant now = clock.instant();
    if (current.windowStartedAt() == null) {
      return Future.succeededFuture(DrainProgress.idle(current.phase(), now, null, "never in maintenance"));
    }
    Instant from = current.windowStartedAt();
    long windowId = current.windowId();
    boolean open = current.phase().inMaintenance();
    return Future.all(peers.active(new ListActive(0)), peers.counts(windowId), peers.skipped(windowId)).map(all -> {
      ActiveJobs active = all.resultAt(0);
      WindowCounts counts = all.resultAt(1);
      SkippedCounts skipped = all.resultAt(2);
      // outside maintenance nothing drains: running jobs are ordinary work, not a remainder
      long remaining = open ? active.remaining() : 0;
      long toDrain = Math.max(counts.stopsSent(), remaining);
      long drained = toDrain - remaining;
      Double ratio = toDrain == 0 ? 1.0 : (double) drained / toDrain;
      Instant deadline = open ? current.killDeadlineAt() : null;
      Instant lastEnd = lastEnd(windowId, drained, from, now);
      // only while Draining: Suspended cuts robots off, so nothing can end there
      Long sinceLastEnd = current.phase() == MaintenancePhase.Draining && remaining > 0
          ? Math.max(0, Duration.between(lastEnd, now).toSeconds()) : null;
      boolean stalled = sinceLastEnd != null && sinceLastEnd >= stalledAfter.toSeconds();
      DrainEstimate estimate = open
          ? DrainEstimate.of(remaining, drained, Duration.between(from, now),
              deadline == null ? null : Duration.between(now, deadline), stalled ? sinceLastEnd : null)
          : new DrainEstimate(null, "not in maintenance");
      return new DrainProgress(current.phase(), now, remaining, open ? active.remainingByTenant() : Map.of(),
          counts.stopsSent(), counts.stopsAcknowledged(), counts.killsSent(), counts.killsAcknowledged(),
          skipped.total(), ratio, estimate.seconds(), estimate.basis(), deadline, tallies(counts, skipped),
          sinceLastEnd, stalled, open ? active.exempt() : 0, open ? active.exemptByTenant() : Map.of());
    });
  }

  /**
   * When a job of window {@code windowId}'s drain last ended, as this node saw it: when the count of
   * ended jobs last grew. A window first seen with none ended: since it opened (certain); with some
   * ended (a node that just took over the tick): from now, as when is not known here.
   */
  private Instant lastEnd(long windowId, long drained, Instant windowStart, Instant now) {
    if (windowId != watchedWindow) {
      watchedWindow = windowId;
      endedSeen = drained;
      lastEndSeen = drained == 0 ? windowStart : now;
    } else if (drained > endedSeen) {
      endedSeen = drained;
      lastEndSeen = now;
    }
    return lastEndSeen;
  }

  /** Per tenant, in the names of UiPath's MaintenanceSetting; one source with stopsSent and killsSent. */
  private static Map<Long, TenantTally> tallies(WindowCounts counts, SkippedCounts skipped) {
    Map<Long, TenantTally> tallies = new TreeMap<>();
    counts.byTenant().forEach((tenant, c) -> tallies.put(tenant, new TenantTally(c.stopsSent(), c.killsSent(), 0)));
    skipped.byTenant().forEach((tenant, fires) -> tallies.merge(tenant, new TenantTally(0, 0, fires),
        (a, b) -> new TenantTally(a.jobStopsAttempted(), a.jobKillsAttempted(), b.triggersSkipped())));
    return Collections.unmodifiableMap(tallies);
  }

}
