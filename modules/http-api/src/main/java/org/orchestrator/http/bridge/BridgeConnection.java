package org.orchestrator.http.bridge;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import org.orchestrator.http.support.Requests;
import org.orchestrator.contracts.bus.RequestContext;
import org.orchestrator.contracts.bus.BridgeWire;
import java.util.HashMap;
import java.util.Map;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.FailureCode;
import org.orchestrator.platform.config.OrchestratorConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client of the bridge, on the bridge verticle's event loop: reads frames (a 4-byte big-endian
 * length, then that many bytes of JSON), answers each one, and holds the client's subscriptions.
 *
 * <p>What a client can hold is bounded: a declared length above {@code bridge.maxFrameBytes} is
 * answered and the connection closed before any of the body is read; at most
 * {@link #MAX_IN_FLIGHT} calls run at once (reading pauses meanwhile); a connection that sends no
 * whole frame for {@code bridge.idleTimeoutSeconds}, holds no subscription and waits for no answer
 * is closed; a connection that has not presented a valid host administrator token (a call or a
 * register that passed {@link BridgeVerticle#authorize}) within
 * {@code bridge.unauthenticatedTimeoutSeconds} of opening is closed whatever else it sends, so
 * pings do not let a stranger keep a slot; a subscription ends when the token that opened it
 * expires; a subscriber that stops reading is closed.
 */
final class BridgeConnection {

  /** Calls of one connection running at once; further frames wait in the socket. */
  static final int MAX_IN_FLIGHT = 8;

  private static final Logger LOG = LoggerFactory.getLogger(BridgeConnection.class);

  private final BridgeVerticle bridge;
  private final Vertx vertx;
  private final NetSocket socket;
  private final OrchestratorConfig.Bridge limits;
  private final RecordParser parser;
  private final String remote;
  /** The client address key whose share of the bridge this connection takes. */
  private final String address;
  /** Subscribed address -> the timer that ends it when its token expires. */
  private final Map<String, Long> subscriptions = new HashMap<>();
  private long idleTimer = -1;
  /** Closes the connection unless it authenticates first; -1 once it has. */
  private long authenticationTimer;
  private int inFlight;
  private boolean closed;

  BridgeConnection(BridgeVerticle bridge, Vertx vertx, NetSocket socket, OrchestratorConfig.Bridge limits,
      String address) {
    this.bridge = bridge;
    this.vertx = vertx;
    this.socket = socket;
    this.limits = limits;
    this.address = address;
    this.remote = String.valueOf(socket.remoteAddress());
    this.parser = BridgeWire.reader(socket, limits.maxFrameBytes(), this::record, length -> closeWith(
        error(null, FailureCode.BAD_REQUEST, "frame of " + length + " bytes is longer than the bridge's "
            + "limit of " + limits.maxFrameBytes() + " bytes; closing the connection")));
    parser.exceptionHandler(failure -> {
      LOG.warn("bridge client {}: connection failed: {}", remote, failure.toString());
      socket.close();
    });
    socket.closeHandler(closed -> ended());
    armIdleTimer();
    authenticationTimer = vertx.setTimer(limits.unauthenticatedTimeoutSeconds() * 1000L, id -> {
      authenticationTimer = -1;
      closeWith(error(null, FailureCode.UNAUTHORIZED, "not authenticated within " + limits.unauthenticatedTimeoutSeconds()
          + " s (bridge.unauthenticatedTimeoutSeconds): send headers.Authorization = \"Bearer <host administrator "
          + "token>\" with a call or register; closing the connection"));
    });
  }

  /** The client address key whose share this connection takes. */
  String address() {
    return address;
  }

  /** The client presented a valid host administrator token: it may hold its connection as long as it uses it. */
  private void authenticated() {
    if (authenticationTimer >= 0) {
      vertx.cancelTimer(authenticationTimer);
      authenticationTimer = -1;
    }
  }

  /** Sends an event of a subscribed address; a client too slow to read it is disconnected. */
  void deliver(String address, JsonObject body) {
    if (closed || !subscriptions.containsKey(address)) {
      return;
    }
    if (socket.writeQueueFull()) {
      LOG.warn("bridge client {}: does not read its events on {}; closing", remote, address);
      socket.close();
      return;
    }
    write(new JsonObject().put("type", "message").put("address", address).put("body", body));
  }

  /** Refuses a connection beyond the limit: an error frame, then closed. */
  static void refuse(NetSocket socket, String message) {
    LOG.info("bridge client {}: err {} {}", socket.remoteAddress(), FailureCode.UNAVAILABLE.errorCode(), message);
    socket.end(frame(error(null, FailureCode.UNAVAILABLE, message)));
  }

  void close() {
    socket.close();
  }

  private void record(Buffer payload) {
    if (closed) {
      return;
    }
    armIdleTimer();
    onFrame(payload);
  }

  private void onFrame(Buffer bytes) {
    JsonObject json = null;
    BridgeFrame frame;
    try {
      json = BridgeFrame.decode(bytes);
      frame = BridgeFrame.of(json);
    } catch (Failure bad) {
      answer(error(BridgeFrame.replyAddressOf(json), bad.code(), bad.getMessage()));
      return;
    }
    switch (frame.type()) {
      case "ping" -> write(new JsonObject().put("type", "pong"));
      case "register" -> register(frame);
      case "unregister" -> unregister(frame);
      default -> call(frame);
    }
  }

  /** A send or publish: the operation of an inbound address, answered on the reply address if there is one. */
  private void call(BridgeFrame frame) {
    if (!BridgeVerticle.INBOUND.contains(frame.address())) {
      answer(accessDenied(frame));
      return;
    }
    inFlight++;
    if (inFlight >= MAX_IN_FLIGHT) {
      parser.pause();
    }
    // each call a request of its own (id bridge-...), as the host's: its log lines can be followed
    RequestContext.newRequest(vertx, "bridge", () -> {
      RequestContext.enterClient(socket.remoteAddress() == null ? null : socket.remoteAddress().hostAddress());
      return bridge.authorize(frame.authorization())
          .compose(grant -> {
            authenticated();
            RequestContext.enterTenant(Requests.tenantLabel(grant.caller()));
            return bridge.call(frame.address(), grant, frame.body());
          });
    })
        .onComplete(reply -> {
          if (frame.replyAddress() != null) {
            write(new JsonObject().put("type", "message").put("address", frame.replyAddress()).put("body", reply));
          }
        }, failure -> answer(error(frame, failure)))
        .onComplete(done -> {
          inFlight--;
          if (inFlight == MAX_IN_FLIGHT - 1 && !closed) {
            parser.resume();
          }
        });
  }

  private void register(BridgeFrame frame) {
    if (!BridgeVerticle.OUTBOUND.contains(frame.address())) {
      answer(accessDenied(frame));
      return;
    }
    bridge.authorize(frame.authorization()).onComplete(grant -> {
      long lifetime = grant.expiresAtMillis() - System.currentTimeMillis();
      if (closed) {
        return;
      }
      if (lifetime <= 0) {
        answer(refusedRegister(frame, Failure.unauthorized("the token has expired; sign in again")));
        return;
      }
      authenticated();
      cancelSubscription(frame.address());
      subscriptions.put(frame.address(), vertx.setTimer(lifetime, id -> expire(frame.address())));
      cancelIdleTimer();
    }, failure -> answer(refusedRegister(frame, failure)));
  }

  private void unregister(BridgeFrame frame) {
    if (!BridgeVerticle.OUTBOUND.contains(frame.address())) {
      answer(accessDenied(frame));
    } else if (!cancelSubscription(frame.address())) {
      answer(error(frame, Failure.badRequest("not registered to " + frame.address())));
    } else if (subscriptions.isEmpty()) {
      armIdleTimer();
    }
  }

  private void expire(String address) {
    if (subscriptions.remove(address) == null || closed) {
      return;
    }
    answer(error(address, FailureCode.UNAUTHORIZED, "the token of this subscription to " + address
        + " has expired; register again with a fresh token"));
    if (subscriptions.isEmpty()) {
      armIdleTimer();
    }
  }

  private boolean cancelSubscription(String address) {
    Long timer = subscriptions.remove(address);
    if (timer != null) {
      vertx.cancelTimer(timer);
    }
    return timer != null;
  }

  private void armIdleTimer() {
    cancelIdleTimer();
    if (closed || !subscriptions.isEmpty()) {
      return;
    }
    idleTimer = vertx.setTimer(limits.idleTimeoutSeconds() * 1000L, id -> {
      idleTimer = -1;
      if (inFlight > 0) {
        armIdleTimer(); // waiting for our answer is not idleness
        return;
      }
      closeWith(error(null, FailureCode.BAD_REQUEST, "no frame for " + limits.idleTimeoutSeconds()
          + " s; closing the connection"));
    });
  }

  private void cancelIdleTimer() {
    if (idleTimer >= 0) {
      vertx.cancelTimer(idleTimer);
      idleTimer = -1;
    }
  }

  private void closeWith(JsonObject err) {
    log(err);
    parser.pause();
    socket.end(frame(err));
    ended();
  }

  /** An error frame for this client, and one line in the log (never a stack trace: the client erred). */
  private void answer(JsonObject err) {
    log(err);
    write(err);
  }

  private void log(JsonObject err) {
    LOG.info("bridge client {}: err {} {}", remote, err.getInteger("failureCode"), err.getString("message"));
  }

  private void ended() {
    if (closed) {
      return;
    }
    closed = true;
    cancelIdleTimer();
    authenticated(); // its timer is not needed any more
    subscriptions.values().forEach(vertx::cancelTimer);
    subscriptions.clear();
    bridge.disconnected(this);
  }

  /** Writes a frame; a client that does not read what it is sent is closed, never buffered for. */
  private void write(JsonObject json) {
    if (closed) {
      return;
    }
    if (socket.writeQueueFull()) {
      LOG.info("bridge client {}: closed, it does not read what it is sent", remote);
      socket.close();
      return;
    }
    socket.write(frame(json));
  }

  private static JsonObject accessDenied(BridgeFrame frame) {
    return error(frame.replyAddress(), FailureCode.BAD_REQUEST, "access_denied: " + frame.address()
        + " is not a bridge address for " + frame.type());
  }

  /**
   * A refused register has no reply address: the error names the address it subscribed to, so a
   * client can tell it from the answer to one of its calls.
   */
  private JsonObject refusedRegister(BridgeFrame frame, Throwable failure) {
    JsonObject err = error(frame, failure);
    return err.containsKey("address") ? err : err.put("address", frame.address());
  }

  private JsonObject error(BridgeFrame frame, Throwable failure) {
    if (failure instanceof Failure known) {
      return error(frame.replyAddress(), known.code(), known.getMessage()).put("sourceAddress", frame.address());
    }
    LOG.error("bridge client {}: {} on {} failed", remote, frame.type(), frame.address(), failure);
    return error(frame.replyAddress(), FailureCode.INTERNAL, "internal error").put("sourceAddress", frame.address());
  }

  private static JsonObject error(String address, FailureCode code, String message) {
    JsonObject err = new JsonObject().put("type", "err").put("failureCode", code.errorCode()).put("code", code.name())
        .put("message", message);
    return address == null ? err : err.put("address", address);
  }

  private static Buffer frame(JsonObject json) {
    return BridgeWire.frame(json);
  }
}
