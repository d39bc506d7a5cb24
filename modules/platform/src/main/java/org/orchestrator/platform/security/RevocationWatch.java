package org.orchestrator.platform.security;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.contracts.identity.IdentityMessages.GetRevocations;
import org.orchestrator.contracts.identity.IdentityMessages.Revocations;

/**
 * A node-local copy of the revocations (deleted and disabled principals' tokens), kept current by
 * {@code identity.revocations.changed}: what {@link RevokedTokens} reads on every request. It
 * subscribes first and then asks identity for what it holds, keeping the highest version, so no
 * change between the two is missed (as {@code PhaseWatch} does for the phase). Watches of several
 * event loops (the HTTP verticle's instances) share one reference: whichever sees a change first
 * makes it everyone's.
 */
public final class RevocationWatch {

  private final AtomicReference<Revocations> current;
  private final MessageConsumer<Revocations> consumer;
  private volatile Consumer<Revocations> listener = revocations -> { };

  private RevocationWatch(Vertx vertx, AtomicReference<Revocations> current) {
    this.current = current;
    this.consumer = Addresses.IDENTITY_REVOCATIONS_CHANGED.subscribe(vertx.eventBus(), this::offer);
  }

  /** Subscribes and loads what identity holds into {@code shared}; fails when identity does not answer. */
  public static Future<RevocationWatch> start(Vertx vertx, AtomicReference<Revocations> shared) {
    RevocationWatch watch = new RevocationWatch(vertx, shared);
    return watch.consumer.completion()
        .compose(ready -> Addresses.IDENTITY_REVOCATIONS_GET.request(vertx.eventBus(), new GetRevocations()))
        .map(revocations -> {
          watch.offer(revocations);
          return watch;
        });
  }

  /** Calls {@code onChange} with every snapshot this watch receives (on its event loop). */
  public RevocationWatch onChange(Consumer<Revocations> onChange) {
    this.listener = onChange;
    return this;
  }

  /** The newest revocations seen; null until loaded. */
  public Revocations revocations() {
    return current.get();
  }

  public Future<Void> close() {
    return consumer.unregister();
  }

  private void offer(Revocations revocations) {
    current.getAndAccumulate(revocations,
        (old, offered) -> old == null || offered.version() > old.version() ? offered : old);
    listener.accept(revocations);
  }
}
