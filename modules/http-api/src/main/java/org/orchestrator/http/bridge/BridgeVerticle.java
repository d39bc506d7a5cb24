package org.orchestrator.http.bridge;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import org.orchestrator.http.support.ServerCertificate;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import org.orchestrator.contracts.Caller;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.PageRequest;
import org.orchestrator.contracts.FailureCode;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.http.maintenance.MaintenanceCalls;
import org.orchestrator.http.support.ClientAddresses;
import org.orchestrator.platform.StartupFailure;
import org.orchestrator.platform.config.OrchestratorConfig;
import org.orchestrator.platform.phase.PhaseWatch;
import org.orchestrator.platform.security.SigningKeys;
import org.orchestrator.platform.security.TokenAuth;
import org.orchestrator.platform.security.TokenClaims;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scripted maintenance over TCP, in the wire format of Vert.x's TCP event-bus bridge (a 4-byte
 * big-endian length, then a JSON frame), served by hand: see docs/decisions.md for why it does not
 * use {@code TcpEventBusBridge}. Only the addresses below exist; their bodies are JSON, converted to
 * and from the internal records here. Every {@code send} and {@code register} must carry
 * {@code headers.Authorization: "Bearer <host admin JWT>"}; without one it is answered
 * {@code {"type":"err","failureCode":1401|1403,"message":...}} and does nothing. A subscription
 * ends when its token expires. What one connection may hold is bounded by {@link BridgeConnection};
 * how many connections: {@code bridge.maxConnections} in all, {@code bridge.maxConnectionsPerAddress}
 * from one client address (further ones get {@code err} 1503 and are closed at once).
 */
public final class BridgeVerticle extends VerticleBase {

  public static final String STATUS = "maintenance.bridge.status";
  public static final String START = "maintenance.bridge.start";
  public static final String END = "maintenance.bridge.end";
  public static final String PREVIEW = "maintenance.bridge.preview";
  public static final String HISTORY = "maintenance.bridge.history";
  /** Plans a window: body {@code {drainAt, killAfter?, autoSuspend?, expectedEnd?, reason}}. */
  public static final String PLAN = "maintenance.bridge.plan";
  public static final String PLANS = "maintenance.bridge.plans";
  /** Cancels a plan: body {@code {id}}. */
  public static final String CANCEL_PLAN = "maintenance.bridge.cancel-plan";
  /** Outbound: the phase, as JSON, on every change. */
  public static final String PHASE = "maintenance.bridge.phase";
  /** Outbound: the drain progress, as JSON, every second in maintenance. */
  public static final String PROGRESS = "maintenance.bridge.progress";
  public static final List<String> INBOUND = List.of(STATUS, START, END, PREVIEW, HISTORY, PLAN, PLANS, CANCEL_PLAN);
  public static final List<String> OUTBOUND = List.of(PHASE, PROGRESS);

  private static final Logger LOG = LoggerFactory.getLogger(BridgeVerticle.class);
  private static final String UNAUTHORIZED =
      "unauthorized: send headers.Authorization = \"Bearer <host administrator token>\"";
  private static final String FORBIDDEN = "maintenance over the bridge is for the host administrator";

  /** Who a valid host token speaks for, and until when (epoch milliseconds). */
  record Grant(Caller caller, long expiresAtMillis) {
  }

  private final OrchestratorConfig config;
  private final SigningKeys keys;
  private final Set<BridgeConnection> connections = new LinkedHashSet<>();
  /** Open connections by client address key; an address leaves the map with its last connection. */
  private final Map<String, Integer> addresses = new HashMap<>();
  private Map<String, BiFunction<Caller, JsonObject, Future<JsonObject>>> operations;
  private JWTAuth jwt;
  private NetServer server;

  public BridgeVerticle(OrchestratorConfig config, SigningKeys keys) {
    this.config = config;
    this.keys = keys;
  }

  /** The port the bridge listens on. */
  public int actualPort() {
    return server == null ? -1 : server.actualPort();
  }

  @Override
  public Future<?> start() {
    jwt = TokenAuth.provider(vertx, keys, config.security());
    EventBus bus = vertx.eventBus();
    OrchestratorConfig.Bridge limits = config.bridge();
    return PhaseWatch.start(vertx).compose(phase -> {
      MaintenanceCalls calls = new MaintenanceCalls(bus, phase);
      operations = Map.of(
          STATUS, (caller, body) -> calls.get(caller, BridgeFrame.integer(body, "tenantId")),
          START, (caller, body) -> calls.start(caller, BridgeFrame.string(body, "phase"),
                  BridgeFrame.flag(body, "killJobs"), BridgeFrame.flag(body, "force"),
                  BridgeFrame.string(body, "killAfter"), BridgeFrame.flag(body, "autoSuspend"),
                  BridgeFrame.string(body, "reason"), BridgeFrame.integer(body, "tenantId"))
              .compose(started -> started.refused()
                  ? Future.failedFuture(new Failure(FailureCode.CONFLICT, started.refusal().getString("message")
                      + " " + started.refusal().getJsonArray("jobs").encode()))
                  : Future.succeededFuture(new JsonObject().put("ok", true))),
          END, (caller, body) -> calls.end(caller, BridgeFrame.integer(body, "tenantId"))
              .map(ended -> new JsonObject().put("ok", true)),
          PREVIEW, (caller, body) -> calls.preview(caller, BridgeFrame.string(body, "duration"),
              BridgeFrame.integer(body, "tenantId")),
          HISTORY, (caller, body) -> calls.history(caller, BridgeFrame.integer(body, "tenantId"),
              new PageRequest(BridgeFrame.smallInteger(body, "page", 1), BridgeFrame.smallInteger(body, "size", 50),
                  BridgeFrame.string(body, "after"))),
          PLAN, calls::plan,
          PLANS, (caller, body) -> calls.plans(caller),
          CANCEL_PLAN, (caller, body) -> {
            Long id = BridgeFrame.integer(body, "id");
            if (id == null) {
              throw Failure.badRequest("id is required: the plan to cancel");
            }
            return calls.cancelPlan(caller, id);
          });
      Addresses.PHASE_CHANGED.subscribe(bus, snapshot -> deliver(PHASE, MaintenanceCalls.phaseJson(snapshot)));
      Addresses.PHASE_PROGRESS_UPDATED.subscribe(bus,
          progress -> deliver(PROGRESS, MaintenanceCalls.progress(progress, null)));
      NetServerOptions options = new NetServerOptions().setHost(limits.host()).setPort(limits.port());
      if (limits.tls()) {
        if (!config.http().tls().enabled()) {
          throw new StartupFailure("bridge.tls (ORCH_BRIDGE_TLS) needs the HTTP API's certificate: set "
              + "http.tls.certFile and http.tls.keyFile (ORCH_TLS_CERT, ORCH_TLS_KEY)");
        }
        certificate = new ServerCertificate(vertx, config.http().tls(), "the event-bus bridge",
            new java.util.concurrent.atomic.AtomicReference<>());
        certificate.secure(options);
      }
      server = vertx.createNetServer(options).connectHandler(socket -> connected(socket, limits));
      return StartupFailure.naming(server.listen(), "the event-bus bridge", limits.host(), limits.port(),
          "bridge.port, ORCH_BRIDGE_PORT; -1 turns the bridge off");
    }).onSuccess(listening -> {
      LOG.info("event-bus bridge listening on {}:{}{}", limits.host(), actualPort(), limits.tls() ? " (TLS)" : "");
      if (certificate != null) {
        certificate.watch(options -> server.updateSSLOptions(options, true));
      }
    });
  }

  private ServerCertificate certificate;

  @Override
  public Future<?> stop() {
    if (certificate != null) {
      certificate.stop();
    }
    List.copyOf(connections).forEach(BridgeConnection::close);
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void connected(NetSocket socket, OrchestratorConfig.Bridge limits) {
    if (connections.size() >= limits.maxConnections()) {
      BridgeConnection.refuse(socket, "the bridge has " + connections.size() + " connections open, its limit; "
          + "try again later");
      return;
    }
    String address = ClientAddresses.key(socket.remoteAddress());
    int held = addresses.getOrDefault(address, 0);
    if (held >= limits.maxConnectionsPerAddress()) {
      BridgeConnection.refuse(socket, "this address has " + held + " connections open, its share "
          + "(bridge.maxConnectionsPerAddress); try again later");
      return;
    }
    addresses.put(address, held + 1);
    connections.add(new BridgeConnection(this, vertx, socket, limits, address));
  }

  void disconnected(BridgeConnection connection) {
    if (connections.remove(connection)) {
      addresses.computeIfPresent(connection.address(), (key, held) -> held <= 1 ? null : held - 1);
    }
  }

  private void deliver(String address, JsonObject body) {
    List.copyOf(connections).forEach(connection -> connection.deliver(address, body));
  }

  /** Runs an inbound address's operation for the host administrator a grant speaks for. */
  Future<JsonObject> call(String address, Grant grant, JsonObject body) {
    try {
      return operations.get(address).apply(grant.caller(), body);
    } catch (RuntimeException bad) {
      return Future.failedFuture(bad); // a Failure the operation throws (bad input) fails the call
    }
  }

  /** The host administrator a {@code Bearer} token speaks for; fails 1401 (no valid token) or 1403. */
  Future<Grant> authorize(String authorization) {
    if (authorization == null || !authorization.startsWith("Bearer ")) {
      return Future.failedFuture(Failure.unauthorized(UNAUTHORIZED));
    }
    return jwt.authenticate(new TokenCredentials(authorization.substring("Bearer ".length()).trim()))
        .map(user -> {
          Caller caller = TokenClaims.caller(user.principal());
          Long expires = TokenClaims.expiresAtSeconds(user);
          return new Grant(caller, expires == null
              ? System.currentTimeMillis() + config.security().tokenTtlSeconds() * 1000L : expires * 1000);
        })
        .recover(failure -> Future.failedFuture(Failure.unauthorized(UNAUTHORIZED)))
        .compose(grant -> grant.caller().isHostAdmin() ? Future.succeededFuture(grant)
            : Future.failedFuture(Failure.forbidden(FORBIDDEN)));
  }
}
