package org.orchestrator.phase;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;
import java.util.function.Supplier;
import org.orchestrator.contracts.bus.RequestContext;
import org.orchestrator.contracts.phase.PhaseMessages.PhaseSnapshot;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The drain deadline ({@code killAfter}) of the platform's window on this node: a timer armed
 * once per (window, deadline), whose Kill is claimed in the database first so that it runs (and is
 * logged) once per window in the whole cluster, also across restarts.
 */
final class KillDeadline {

  private static final Logger LOG = LoggerFactory.getLogger(KillDeadline.class);
  /** A node that claimed the deadline's Kill and went silent loses the claim after this long. */
  static final Duration DEADLINE_CLAIM_LEASE = Duration.ofSeconds(30);

  private final Vertx vertx;
  private final Clock clock;
  private final PhaseRepository repository;
  private final Supplier<PhaseSnapshot> snapshot;
  /** Runs a change after every earlier one of the window ({@link MaintenanceService}'s queue). */
  private final Function<Supplier<Future<PhaseSnapshot>>, Future<PhaseSnapshot>> serialized;
  /** Sends Kill to every job the deadline kills, and records it. */
  private final Supplier<Future<PhaseSnapshot>> kill;
  private long deadlineTimer = -1;
  private long armedWindow = -1;
  private Instant armedDeadline;
  private long deadlineDoneWindow = -1;

  KillDeadline(Vertx vertx, Clock clock, PhaseRepository repository, Supplier<PhaseSnapshot> snapshot,
      Function<Supplier<Future<PhaseSnapshot>>, Future<PhaseSnapshot>> serialized, Supplier<Future<PhaseSnapshot>> kill) {
    this.vertx = vertx;
    this.clock = clock;
    this.repository = repository;
    this.snapshot = snapshot;
    this.serialized = serialized;
    this.kill = kill;
  }

  /**
   * Arms the timer of the drain deadline, once per (window, deadline) on this node: reloads of newer
   * versions of the same window leave an armed timer alone, and a window whose deadline Kill is done
   * is not armed again. When it fires, the Kill is claimed in the database first, so it runs (and is
   * logged) once per window in the whole cluster, also across restarts.
   */
  void arm() {
    PhaseSnapshot current = snapshot.get();
    if (!current.phase().inMaintenance() || current.killDeadlineAt() == null) {
      cancel();
      return;
    }
    long windowId = current.windowId();
    Instant deadline = current.killDeadlineAt();
    if (windowId == deadlineDoneWindow
        || deadlineTimer >= 0 && windowId == armedWindow && deadline.equals(armedDeadline)) {
      return;
    }
    cancel();
    armedWindow = windowId;
    armedDeadline = deadline;
    armDeadlineTimer(windowId, Math.max(1, Duration.between(clock.instant(), deadline).toMillis()));
  }

  /**
   * The timer counts as armed until its claim is settled, so reloads meanwhile do not arm another.
   * Detached from the request that armed it: the kill must not inherit what was left of that
   * request's time (decision 104).
   */
  private void armDeadlineTimer(long windowId, long delay) {
    deadlineTimer = RequestContext.setDetachedTimer(vertx, delay, id -> RequestContext.newRequest(vertx, "deadline",
            () -> serialized.apply(() -> deadlineReached(windowId)))
        .onFailure(failure -> LOG.error("kill at the drain deadline failed", failure))
        .onComplete(done -> {
          if (deadlineTimer == id) {
            deadlineTimer = -1;
          }
        }));
  }

  private Future<PhaseSnapshot> deadlineReached(long windowId) {
    PhaseSnapshot current = snapshot.get();
    if (!current.phase().inMaintenance() || current.windowId() != windowId) {
      return Future.succeededFuture(current);
    }
    return repository.claimDeadlineKill(windowId, DEADLINE_CLAIM_LEASE).compose(claim -> switch (claim) {
      case DONE -> {
        deadlineDoneWindow = windowId;
        yield Future.succeededFuture(current);
      }
      case HELD -> { // another node is sending it; should it die, its lease runs out and this node takes over
        armDeadlineTimer(windowId, DEADLINE_CLAIM_LEASE.toMillis());
        yield Future.succeededFuture(current);
      }
      case CLAIMED -> {
        LOG.warn("drain deadline of window {} reached: sending Kill to every unfinished job", windowId);
        yield kill.get()
            .compose(killed -> repository.settleDeadlineKill(windowId, true).map(killed))
            .onSuccess(killed -> deadlineDoneWindow = windowId)
            .recover(failure -> repository.settleDeadlineKill(windowId, false)
                .transform(released -> Future.failedFuture(failure)));
      }
    });
  }

  void cancel() {
    if (deadlineTimer >= 0) {
      vertx.cancelTimer(deadlineTimer);
      deadlineTimer = -1;
    }
  }

}
