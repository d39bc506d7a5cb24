package org.orchestrator.http.bridge;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.eventbus.bridge.tcp.BridgeEvent;
import io.vertx.ext.eventbus.bridge.tcp.TcpEventBusBridge;
import java.util.List;
import java.util.function.BiFunction;
import org.orchestrator.contracts.Caller;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.FailureCode;
import org.orchestrator.contracts.bus.Addresses;
import org.orchestrator.http.maintenance.MaintenanceCalls;
import org.orchestrator.platform.config.OrchestratorConfig;
import org.orchestrator.platform.phase.PhaseWatch;
import org.orchestrator.platform.security.SigningKeys;
import org.orchestrator.platform.security.TokenAuth;
import org.orchestrator.platform.security.TokenClaims;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scripted maintenance through Vert.x's TCP event-bus bridge (4-byte big-endian length + JSON
 * frames). Only the addresses below cross it; messages on them are JSON, converted to and from the
 * internal records here. Every inbound message must carry
 * {@code headers.Authorization: "Bearer <host admin JWT>"}: a {@code send} without one is answered
 * {@code {"type":"err","failureCode":1401|1403,"message":...}} on its reply address and does nothing;
 * a {@code register} without one is refused by the bridge with the same error frame, then
 * {@code access_denied}. Addresses outside the lists below are refused by the bridge itself.
 */
public final class BridgeVerticle extends VerticleBase {

  public static final String STATUS = "maintenance.bridge.status";
  public static final String START = "maintenance.bridge.start";
  public static final String END = "maintenance.bridge.end";
  public static final String PREVIEW = "maintenance.bridge.preview";
  public static final String HISTORY = "maintenance.bridge.history";
  /** Outbound: the phase, as JSON, on every change. */
  public static final String PHASE = "maintenance.bridge.phase";
  /** Outbound: the drain progress, as JSON, every second in maintenance. */
  public static final String PROGRESS = "maintenance.bridge.progress";
  public static final List<String> INBOUND = List.of(STATUS, START, END, PREVIEW, HISTORY);
  public static final List<String> OUTBOUND = List.of(PHASE, PROGRESS);

  private static final Logger LOG = LoggerFactory.getLogger(BridgeVerticle.class);
  private static final String UNAUTHORIZED =
      "unauthorized: send headers.Authorization = \"Bearer <host administrator token>\"";
  private static final String FORBIDDEN = "maintenance over the bridge is for the host administrator";

  private final OrchestratorConfig config;
  private final SigningKeys keys;
  private TcpEventBusBridge bridge;
  private int port;

  public BridgeVerticle(OrchestratorConfig config, SigningKeys keys) {
    this.config = config;
    this.keys = keys;
  }

  /** The configured port (the bridge does not report the port it bound, so tests pick a free one). */
  public int actualPort() {
    return port;
  }

  @Override
  public Future<?> start() {
    JWTAuth jwt = TokenAuth.provider(vertx, keys, config.security());
    EventBus bus = vertx.eventBus();
    BridgeOptions options = new BridgeOptions();
    INBOUND.forEach(address -> options.addInboundPermitted(new PermittedOptions().setAddress(address)));
    OUTBOUND.forEach(address -> options.addOutboundPermitted(new PermittedOptions().setAddress(address)));
    return PhaseWatch.start(vertx).compose(phase -> {
      MaintenanceCalls calls = new MaintenanceCalls(bus, phase);
      List<Future<Void>> ready = List.of(
          serve(bus, jwt, STATUS, (caller, body) -> calls.get(caller, body.getLong("tenantId"))),
          serve(bus, jwt, START, (caller, body) -> calls.start(caller, body.getString("phase"),
                  text(body, "killJobs"), text(body, "force"), body.getString("killAfter"), text(body, "autoSuspend"),
                  body.getString("reason"))
              .compose(started -> started.refused()
                  ? Future.failedFuture(new Failure(FailureCode.CONFLICT, started.refusal().getString("message")
                      + " " + started.refusal().getJsonArray("jobs").encode()))
                  : Future.succeededFuture(new JsonObject().put("ok", true)))),
          serve(bus, jwt, END, (caller, body) -> calls.end(caller).map(ended -> new JsonObject().put("ok", true))),
          serve(bus, jwt, PREVIEW, (caller, body) -> calls.preview(caller, body.getString("duration"))),
          serve(bus, jwt, HISTORY, (caller, body) -> calls.history(caller, body.getLong("tenantId"),
              body.getInteger("page", 1), body.getInteger("size", 50))));
      Addresses.PHASE_CHANGED.subscribe(bus, snapshot -> bus.publish(PHASE, MaintenanceCalls.phaseJson(snapshot)));
      Addresses.PHASE_PROGRESS_UPDATED.subscribe(bus,
          progress -> bus.publish(PROGRESS, MaintenanceCalls.progress(progress, null)));
      return Future.all(ready);
    }).compose(ready -> TcpEventBusBridge.create(vertx, options, new io.vertx.core.net.NetServerOptions(),
            event -> authorize(jwt, event))
        .listen(config.bridge().port(), config.bridge().host()))
        .onSuccess(listening -> {
          bridge = listening;
          port = config.bridge().port();
          LOG.info("event-bus bridge listening on {}:{}", config.bridge().host(), config.bridge().port());
        });
  }

  @Override
  public Future<?> stop() {
    return bridge == null ? Future.succeededFuture() : bridge.close();
  }

  /**
   * Subscriptions need a host administrator's valid token in the frame's headers. Sends and
   * publishes pass: their consumers check the token and answer the refusal on the reply address.
   */
  private void authorize(JWTAuth jwt, BridgeEvent event) {
    if (event.type() != BridgeEventType.REGISTER) {
      event.complete(true);
      return;
    }
    JsonObject frame = event.getRawMessage();
    JsonObject headers = frame == null ? null : frame.getJsonObject("headers");
    String authorization = headers == null ? null : headers.getString("Authorization");
    caller(jwt, authorization).onComplete(caller -> {
      if (caller.isHostAdmin()) {
        event.complete(true);
      } else {
        refuse(event, FailureCode.FORBIDDEN, FORBIDDEN);
      }
    }, failure -> refuse(event, FailureCode.UNAUTHORIZED, UNAUTHORIZED));
  }

  private static void refuse(BridgeEvent event, FailureCode code, String message) {
    JsonObject frame = event.getRawMessage();
    JsonObject err = new JsonObject().put("type", "err").put("failureCode", code.errorCode())
        .put("code", code.name()).put("message", message);
    if (frame != null && frame.getString("replyAddress") != null) {
      err.put("address", frame.getString("replyAddress"));
    }
    Buffer json = err.toBuffer();
    event.socket().write(Buffer.buffer(4 + json.length()).appendInt(json.length()).appendBuffer(json));
    event.complete(false);
  }

  private Future<Void> serve(EventBus bus, JWTAuth jwt, String address,
      BiFunction<Caller, JsonObject, Future<JsonObject>> operation) {
    MessageConsumer<JsonObject> consumer = bus.consumer(address, message -> caller(jwt,
            message.headers().get("Authorization"))
        .recover(failure -> Future.failedFuture(Failure.unauthorized(UNAUTHORIZED)))
        .compose(caller -> {
          if (!caller.isHostAdmin()) {
            return Future.failedFuture(Failure.forbidden(FORBIDDEN));
          }
          JsonObject body = message.body() == null ? new JsonObject() : message.body();
          return operation.apply(caller, body);
        })
        .onComplete(message::reply, failure -> fail(message, failure)));
    return consumer.completion();
  }

  private static Future<Caller> caller(JWTAuth jwt, String authorization) {
    if (authorization == null || !authorization.startsWith("Bearer ")) {
      return Future.failedFuture(Failure.unauthorized("no bearer token"));
    }
    return jwt.authenticate(new TokenCredentials(authorization.substring("Bearer ".length()).trim()))
        .map(user -> TokenClaims.caller(user.principal()))
        .recover(failure -> Future.failedFuture(Failure.unauthorized("invalid token")));
  }

  private static void fail(Message<JsonObject> message, Throwable failure) {
    if (failure instanceof Failure f) {
      message.fail(f.code().errorCode(), f.getMessage());
    } else {
      LOG.error("bridge call on {} failed", message.address(), failure);
      message.fail(FailureCode.INTERNAL.errorCode(), "internal error");
    }
  }

  /** A flag as text whether the script sent a boolean or a string. */
  private static String text(JsonObject body, String name) {
    Object value = body.getValue(name);
    return value == null ? null : value.toString();
  }
}
