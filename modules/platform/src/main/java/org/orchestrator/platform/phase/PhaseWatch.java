package org.orchestrator.platform.phase;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.contracts.phase.MaintenancePhase;
import org.orchestrator.contracts.phase.MaintenanceRules;
import org.orchestrator.contracts.phase.PhaseMessages.GetPhase;
import org.orchestrator.contracts.phase.PhaseMessages.PhaseSnapshot;

/**
 * A node-local copy of the phase, kept current by {@code phase.changed}: what the gate, job
 * control and the scheduler read on every decision, with no bus or database round trip. It
 * subscribes first and then asks for the stored state, keeping whichever version is higher, so no
 * change between the two is missed. Until the first snapshot arrives, {@link #loaded()} is false
 * and readers must fail closed.
 */
public final class PhaseWatch {

  private final AtomicReference<PhaseSnapshot> current;
  private final MessageConsumer<PhaseSnapshot> consumer;
  private volatile Consumer<PhaseSnapshot> listener = snapshot -> { };

  private PhaseWatch(Vertx vertx, AtomicReference<PhaseSnapshot> current) {
    this.current = current;
    this.consumer = Addresses.PHASE_CHANGED.subscribe(vertx.eventBus(), this::offer);
  }

  /** Subscribes and loads the stored phase; fails when the phase module does not answer. */
  public static Future<PhaseWatch> start(Vertx vertx) {
    return start(vertx, new AtomicReference<>());
  }

  /**
   * A watch that keeps its snapshot in {@code shared}, with other watches of the same node on other
   * event loops (the instances of the HTTP verticle): whichever sees a change first makes it every
   * one's. A change is published before the reply of the request that made it, and both reach the
   * requesting instance's event loop in that order, so once a client has its answer every instance
   * reads the new phase, not only the one that answered.
   */
  public static Future<PhaseWatch> start(Vertx vertx, AtomicReference<PhaseSnapshot> shared) {
    PhaseWatch watch = new PhaseWatch(vertx, shared);
    return watch.consumer.completion()
        .compose(ready -> Addresses.PHASE_STATE_GET.request(vertx.eventBus(), new GetPhase()))
        .map(snapshot -> {
          watch.offer(snapshot);
          return watch;
        });
  }

  /** Calls {@code onChange} after every newer snapshot (on the event loop that received it). */
  public PhaseWatch onChange(Consumer<PhaseSnapshot> onChange) {
    this.listener = onChange;
    return this;
  }

  public boolean loaded() {
    return current.get() != null;
  }

  /** The newest snapshot seen; null until loaded. */
  public PhaseSnapshot snapshot() {
    return current.get();
  }

  /** The phase, or Suspended (the most restrictive) while nothing is loaded. */
  public MaintenancePhase phase() {
    PhaseSnapshot snapshot = current.get();
    return snapshot == null ? MaintenancePhase.Suspended : snapshot.phase();
  }

  /** What the newest snapshot allows; while nothing is loaded, what Suspended allows (fail closed). */
  public MaintenanceRules rules() {
    PhaseSnapshot snapshot = current.get();
    return (snapshot == null ? NOT_LOADED : snapshot).rules();
  }

  private static final PhaseSnapshot NOT_LOADED = new PhaseSnapshot(0, MaintenancePhase.Suspended, null, null, null,
      null, "the phase is not loaded yet", null, null, false, null, java.util.List.of(), null, null,
      java.util.Map.of(), java.util.List.of());

  public Future<Void> close() {
    return consumer.unregister();
  }

  private void offer(PhaseSnapshot snapshot) {
    PhaseSnapshot previous = current.getAndAccumulate(snapshot,
        (old, offered) -> old == null || offered.version() > old.version() ? offered : old);
    if (previous == null || snapshot.version() > previous.version()) {
      listener.accept(snapshot);
    }
  }
}
