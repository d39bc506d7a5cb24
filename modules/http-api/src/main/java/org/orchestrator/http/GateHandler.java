package org.orchestrator.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;
import java.time.Instant;
import java.util.Locale;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.FailureCode;
import org.orchestrator.contracts.phase.MaintenancePhase;
import org.orchestrator.contracts.phase.PhaseMessages.PhaseSnapshot;
import org.orchestrator.platform.security.CanonicalTokens;
import org.orchestrator.contracts.phase.RouteClass;
import org.orchestrator.http.support.ErrorReplies;
import org.orchestrator.platform.metrics.Meters;
import org.orchestrator.platform.phase.PhaseWatch;

/**
 * Stands in front of every route and applies the maintenance rules from the node's in-memory
 * phase (no bus or database round trip per request). Which rule a route follows is the contract's
 * ({@code x-maintenance} of each operation in openapi.json, read by {@link RoutePolicy}):
 * <ul>
 *   <li>{@link RouteClass#OPEN} (sign-in, maintenance, health, metrics, the contract and Swagger)
 *   is served in every phase, so the operator is never locked out;</li>
 *   <li>{@link RouteClass#ROBOT} (the robot protocol) is refused while Suspended;</li>
 *   <li>{@link RouteClass#HUMAN} (everything else, the default for any unknown path) is refused
 *   while Draining or Suspended.</li>
 * </ul>
 * A refusal is 503 with {@code Retry-After} and {@code {code: MAINTENANCE, errorCode: 1000}}; a
 * browser asking for HTML gets a maintenance page. Until the phase is loaded every non-open route
 * is refused (fail closed).
 */
public final class GateHandler implements PlatformHandler {

  private final RoutePolicy policy;
  private final PhaseWatch phase;
  private final int retryAfterSeconds;
  private final int robotRetryAfterSeconds;
  private final int robotReturnSpreadSeconds;
  private final MeterRegistry registry;

  /**
   * @param retryAfterSeconds the {@code Retry-After} of refused people and scripts
   * @param robotRetryAfterSeconds the {@code Retry-After} of refused robots: short, so that robots
   *     are back at work within that long of End (a refusal costs the node next to nothing)
   * @param robotReturnSpreadSeconds a random share of this many seconds is added to each robot's
   *     {@code Retry-After}, so that the fleet comes back after End over a slope, not at once
   */
  public GateHandler(RoutePolicy policy, PhaseWatch phase, int retryAfterSeconds, int robotRetryAfterSeconds,
      int robotReturnSpreadSeconds, MeterRegistry registry) {
    this.policy = policy;
    this.phase = phase;
    this.retryAfterSeconds = retryAfterSeconds;
    this.robotRetryAfterSeconds = robotRetryAfterSeconds;
    this.robotReturnSpreadSeconds = robotReturnSpreadSeconds;
    this.registry = registry;
  }

  /**
   * A refused robot's {@code Retry-After}: the short wait plus a random share of the spread, drawn
   * at each refusal, so that robots refused in the same second come back in different ones.
   */
  public static int robotRetryAfter(int base, int spread) {
    return base + (spread <= 0 ? 0 : java.util.concurrent.ThreadLocalRandom.current().nextInt(spread + 1));
  }

  /**
   * Whether a raw path hides a separator: an encoded slash or backslash, or a backslash. Decoded
   * later by a handler (the static files decode {@code %2F}), it would name another path than the
   * one the gate classified, so such a path is refused outright.
   */
  static boolean hidesSeparator(String rawPath) {
    if (rawPath.indexOf('\\') >= 0) {
      return true;
    }
    for (int i = rawPath.indexOf('%'); i >= 0 && i + 2 < rawPath.length(); i = rawPath.indexOf('%', i + 1)) {
      char high = rawPath.charAt(i + 1);
      char low = Character.toUpperCase(rawPath.charAt(i + 2));
      if ((high == '2' && low == 'F') || (high == '5' && low == 'C')) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (hidesSeparator(ctx.request().path())) {
      ErrorReplies.send(ctx.response(), Failure.badRequest("encoded slashes and backslashes are not allowed in a path"));
      return;
    }
    RouteClass route = policy.classify(ctx.normalizedPath());
    if (route == RouteClass.OPEN) {
      ctx.next();
      return;
    }
    if (!phase.loaded()) {
      ctx.response().putHeader("Retry-After", "1");
      ErrorReplies.send(ctx.response(), new Failure(FailureCode.UNAVAILABLE, "starting: the phase is not loaded yet"));
      return;
    }
    PhaseSnapshot snapshot = phase.snapshot();
    Long tenant = snapshot.tenants().isEmpty() ? null : tenantOf(ctx);
    PhaseSnapshot refusing = snapshot.rules().refusedBy(route, tenant);
    if (refusing == null) {
      ctx.next();
      return;
    }
    // refused by the platform's window, or by the caller's tenant's own (shown as a phase of its own)
    Counter.builder(Meters.GATE_REFUSALS).description("requests the maintenance gate refused")
        .tag("phase", refusing.phase().name()).tag("route_class", route.name().toLowerCase(Locale.ROOT))
        .register(registry).increment();
    refuse(ctx, refusing, route == RouteClass.ROBOT ? robotRetryAfter(robotRetryAfterSeconds, robotReturnSpreadSeconds)
        : retryAfter(refusing, Instant.now(), retryAfterSeconds));
  }

  /**
   * The tenant the bearer token names, read without checking the token: only to decide whether
   * its tenant's own window refuses the request. A forged or broken token passes here and is
   * refused by authentication next; a genuine one is decided right. Null: no token, the host's, or
   * not readable.
   */
  static Long tenantOf(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header == null || header.length() > CanonicalTokens.MAX_LENGTH + 7
        || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    int first = header.indexOf('.', 7);
    int second = first < 0 ? -1 : header.indexOf('.', first + 1);
    if (second < 0) {
      return null;
    }
    try {
      byte[] payload = java.util.Base64.getUrlDecoder().decode(header.substring(first + 1, second));
      Object tenant = new JsonObject(io.vertx.core.buffer.Buffer.buffer(payload)).getValue("tenant");
      return tenant instanceof Number number ? number.longValue() : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Retry-After while Suspended with a known expected end: the seconds left until it, kept within these. */
  static final int MIN_COUNTDOWN = 5;
  static final int MAX_COUNTDOWN = 300;

  /**
   * What a refused person or script is told to wait: while Suspended in a window with an
   * {@code expectedEnd} (a planned one), the seconds left until it, within
   * {@value #MIN_COUNTDOWN}..{@value #MAX_COUNTDOWN}; otherwise {@code fallback}. Robots keep
   * their own short wait, so that they are back at work within it of End whenever End comes.
   */
  static int retryAfter(PhaseSnapshot snapshot, Instant now, int fallback) {
    if (snapshot.phase() != MaintenancePhase.Suspended || snapshot.expectedEnd() == null) {
      return fallback;
    }
    long left = (long) Math.ceil(java.time.Duration.between(now, snapshot.expectedEnd()).toMillis() / 1000.0);
    return (int) Math.max(MIN_COUNTDOWN, Math.min(MAX_COUNTDOWN, left));
  }

  private void refuse(RoutingContext ctx, PhaseSnapshot snapshot, int retryAfterSeconds) {
    ctx.response().putHeader("Retry-After", Integer.toString(retryAfterSeconds));
    String accept = ctx.request().getHeader("Accept");
    if (accept != null && accept.contains("text/html")) {
      org.orchestrator.http.pages.PageHeaders.put(ctx.response(), MaintenancePage.POLICY);
      ctx.response().setStatusCode(503).putHeader("Content-Type", "text/html; charset=utf-8")
          .end(MaintenancePage.render(snapshot, retryAfterSeconds));
      return;
    }
    Failure failure = new Failure(FailureCode.MAINTENANCE, "the orchestrator is in maintenance (" + snapshot.phase()
        + (snapshot.phaseSince() != null ? " since " + snapshot.phaseSince() : "")
        + "); retry after " + retryAfterSeconds + " s");
    JsonObject body = ErrorReplies.body(failure).put("phase", snapshot.phase().name())
        .put("retryAfterSeconds", retryAfterSeconds);
    if (snapshot.reason() != null) {
      body.put("reason", snapshot.reason());
    }
    ctx.response().setStatusCode(503).putHeader("Content-Type", "application/json").end(body.encode());
  }
}
