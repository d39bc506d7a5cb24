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
import org.orchestrator.contracts.Caller;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.PageRequest;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.contracts.phase.MaintenanceJson;
import org.orchestrator.http.maintenance.MaintenanceCalls;
import org.orchestrator.http.maintenance.MaintenanceOperation;
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

  /** Outbound: the phase, as JSON, on every change. */
  public static final String PHASE = "maintenance.bridge.phase";
  /** Outbound: the drain progress, as JSON, every second in maintenance. */
  public static final String PROGRESS = "maintenance.bridge.progress";
  /** Inbound: the addresses of {@link MaintenanceOperation#table}, one per maintenance operation of the contract. */
  public static final List<String> INBOUND = MaintenanceOperation.table(null).stream()
      .map(MaintenanceOperation::address).toList();
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
  private Map<String, MaintenanceOperation> operations;
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
      MaintenanceCalls calls = new MaintenanceCalls(bus);
      operations = new HashMap<>();
      MaintenanceOperation.table(calls).forEach(operation -> operations.put(operation.address(), operation));
      Addresses.PHASE_CHANGED.subscribe(bus, snapshot -> deliver(PHASE, MaintenanceJson.phaseJson(snapshot)));
      Addresses.PHASE_PROGRESS_UPDATED.subscribe(bus,
          progress -> deliver(PROGRESS, MaintenanceJson.progress(progress, null)));
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

  /**
   * Runs an inbound address's operation for the host administrator a grant speaks for: its answer,
   * or {@code {ok: true}} for one with nothing to say; a refusal's jobs follow its message.
   */
  Future<JsonObject> call(String address, Grant grant, JsonObject body) {
    Future<JsonObject> answer;
    try {
      answer = operations.get(address).call().apply(grant.caller(), new FrameInput(body));
    } catch (RuntimeException bad) {
      return Future.failedFuture(bad); // a Failure the operation throws (bad input) fails the call
    }
    return answer.map(json -> json == null ? new JsonObject().put("ok", true) : json)
        .recover(failure -> Future.failedFuture(failure instanceof MaintenanceOperation.Refusal refusal
            ? new Failure(refusal.failure().code(), refusal.getMessage()
                + (refusal.extra().containsKey("jobs") ? " " + refusal.extra().getJsonArray("jobs").encode() : ""))
            : failure));
  }

  /** An operation's input from a frame's body, each field checked for its type. */
  private record FrameInput(JsonObject body) implements MaintenanceOperation.Input {

    @Override
    public String string(String name) {
      return BridgeFrame.string(body, name);
    }

    @Override
    public String flag(String name) {
      return BridgeFrame.flag(body, name);
    }

    @Override
    public Long integer(String name) {
      return BridgeFrame.integer(body, name);
    }

    @Override
    public PageRequest page() {
      return new PageRequest(BridgeFrame.smallInteger(body, "page", 1), BridgeFrame.smallInteger(body, "size", 50),
          BridgeFrame.string(body, "after"));
    }

    @Override
    public JsonObject body() {
      return body;
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
