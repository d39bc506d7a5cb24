package org.orchestrator.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.VertxOptions;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.atomic.AtomicBoolean;
import org.orchestrator.contracts.identity.IdentityMessages.Revocations;
import org.orchestrator.http.robots.RobotChannels;
import org.orchestrator.http.support.SignInThrottle;
import org.orchestrator.platform.config.OrchestratorConfig;
import org.orchestrator.platform.security.SigningKeys;

/**
 * What every instance of the HTTP verticle shares (one instance runs on each event loop, all on one
 * port): the configuration, the node's limits that hold across instances (open connections and each
 * address's share of them, request body bytes in flight, sign-in failures, one push channel per
 * robot) and the meters that count them, made once.
 *
 * @param gate false only for the gate benchmark's baseline: no maintenance protection at all
 * @param phase the node's phase as every instance's watch keeps it (see {@link
 *     org.orchestrator.platform.phase.PhaseWatch#start(io.vertx.core.Vertx, java.util.concurrent.atomic.AtomicReference)})
 * @param revocations the tokens the node refuses (deleted and disabled principals'), as every
 *     instance's {@link org.orchestrator.platform.security.RevocationWatch} keeps them
 * @param bodies the node's budget of request body bytes in flight ({@code http.maxBodyBytesInFlight})
 * @param certificateAnnounced the TLS certificate last logged, so that the instances log a reload once
 * @param proxies who may tell the client's address ({@code http.trustedProxies})
 * @param bodyGuard false only for the body-guard benchmark's baseline: bodies read before the token is
 *     checked, with one limit and no budget, as before issue 30
 */
public record HttpEdge(OrchestratorConfig config, SigningKeys keys, HealthChecks readiness, MeterRegistry registry,
    Handler<RoutingContext> scrape, boolean gate, ConnectionGuard.Counts connections, SignInThrottle throttle,
    RobotChannels.Registry channels, AtomicBoolean readinessRegistered,
    java.util.concurrent.atomic.AtomicReference<org.orchestrator.contracts.phase.PhaseMessages.PhaseSnapshot> phase,
    java.util.concurrent.atomic.AtomicReference<Revocations> revocations, BodyBudget bodies, boolean bodyGuard,
    org.orchestrator.http.support.TrustedProxies proxies,
    java.util.concurrent.atomic.AtomicReference<String> certificateAnnounced) {

  public static HttpEdge of(OrchestratorConfig config, SigningKeys keys, HealthChecks readiness, MeterRegistry registry,
      Handler<RoutingContext> scrape, boolean gate) {
    return of(config, keys, readiness, registry, scrape, gate, true);
  }

  public static HttpEdge of(OrchestratorConfig config, SigningKeys keys, HealthChecks readiness, MeterRegistry registry,
      Handler<RoutingContext> scrape, boolean gate, boolean bodyGuard) {
    return new HttpEdge(config, keys, readiness, registry, scrape, gate, new ConnectionGuard.Counts(registry),
        new SignInThrottle(), new RobotChannels.Registry(registry), new AtomicBoolean(),
        new java.util.concurrent.atomic.AtomicReference<>(), new java.util.concurrent.atomic.AtomicReference<>(),
        new BodyBudget(config.http().bodyBytesInFlight(), registry), bodyGuard,
        org.orchestrator.http.support.TrustedProxies.of(config.http().trustedProxies(), config.http().forwardedHeader()),
        new java.util.concurrent.atomic.AtomicReference<>());
  }

  /** Instances of the HTTP verticle: {@code http.instances}, or one per event loop when it is 0. */
  public int instances() {
    int configured = config.http().instances();
    return configured > 0 ? configured : VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
  }
}
