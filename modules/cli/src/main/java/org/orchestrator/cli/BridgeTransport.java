package org.orchestrator.cli;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.orchestrator.contracts.bus.BridgeWire;

/**
 * The TCP event-bus bridge, spoken by hand: each frame is a 4-byte big-endian length and a JSON
 * object ({@code type, address, replyAddress, headers, body}). Replies come back as
 * {@code {type: "message", address: <replyAddress>, body}} or {@code {type: "err", ...}}.
 */
final class BridgeTransport implements Transport {

  private static final long TIMEOUT_MS = 60_000;
  /** The server's answers are small; a longer frame means something else answered on the port. */
  private static final long MAX_FRAME_BYTES = 16 * 1024 * 1024;

  private final Vertx vertx;
  /** Held for the life of the transport: Vert.x closes a client that is no longer referenced. */
  private final NetClient client;
  private final NetSocket socket;
  private final String token;
  private final Map<String, Promise<JsonObject>> pending = new ConcurrentHashMap<>();
  /** The pushes {@link #nextChange} listens to; subscribed on first use. */
  private static final java.util.List<String> PUSHED = java.util.List.of("maintenance.bridge.phase",
      "maintenance.bridge.progress");
  private boolean subscribed;
  private Promise<Void> change;

  private BridgeTransport(Vertx vertx, NetClient client, NetSocket socket, String token) {
    this.vertx = vertx;
    this.client = client;
    this.socket = socket;
    this.token = token;
  }

  static Future<Transport> connect(Vertx vertx, String host, int port, String token, NetClientOptions options) {
    NetClient client = vertx.createNetClient(options);
    return client.connect(port, host)
        .recover(failure -> Future.failedFuture(new CliFailure(MaintenanceCli.EXIT_UNREACHABLE,
            "cannot reach the event-bus bridge at " + host + ":" + port + ": " + failure.getMessage())))
        .map(socket -> {
          BridgeTransport transport = new BridgeTransport(vertx, client, socket, token);
          socket.handler(transport.frames());
          socket.closeHandler(closed -> transport.failAll("the bridge closed the connection"));
          return transport;
        });
  }

  private Handler<Buffer> frames() {
    return BridgeWire.reader(null, MAX_FRAME_BYTES, payload -> onFrame(payload.toJsonObject()),
        length -> {
          failAll("the bridge sent a frame of " + length + " bytes");
          socket.close();
        });
  }

  private void onFrame(JsonObject frame) {
    String address = frame.getString("address");
    if ("err".equals(frame.getString("type")) && address != null && PUSHED.contains(address)) {
      return; // a subscription refused or ended: wait() falls back to asking every few seconds
    }
    if ("err".equals(frame.getString("type"))) {
      CliFailure failure = CliFailure.fromServer(frame.getInteger("failureCode", 1500), frame.getString("message"));
      if (address != null && pending.containsKey(address)) {
        pending.remove(address).tryFail(failure);
      } else {
        pending.values().forEach(p -> p.tryFail(failure));
        pending.clear();
      }
      return;
    }
    if (address != null && PUSHED.contains(address)) {
      Promise<Void> waiting = change;
      change = null;
      if (waiting != null) {
        waiting.tryComplete();
      }
      return;
    }
    Promise<JsonObject> waiting = address == null ? null : pending.remove(address);
    if (waiting != null) {
      waiting.tryComplete(frame.getJsonObject("body", new JsonObject()));
    }
  }

  @Override
  public Future<JsonObject> call(String operation, JsonObject body) {
    String replyAddress = "cli." + UUID.randomUUID();
    Promise<JsonObject> promise = Promise.promise();
    pending.put(replyAddress, promise);
    JsonObject frame = new JsonObject().put("type", "send").put("address", "maintenance.bridge." + operation)
        .put("replyAddress", replyAddress)
        .put("headers", new JsonObject().put("Authorization", "Bearer " + token))
        .put("body", body);
    write(frame);
    long timer = vertx.setTimer(TIMEOUT_MS, id -> {
      Promise<JsonObject> late = pending.remove(replyAddress);
      if (late != null) {
        late.tryFail(new CliFailure(MaintenanceCli.EXIT_UNREACHABLE, "no answer from the bridge"));
      }
    });
    return promise.future().andThen(done -> vertx.cancelTimer(timer));
  }

  @Override
  public Future<Void> nextChange(Vertx vertx, long maxWaitMs) {
    if (!subscribed) {
      subscribed = true;
      PUSHED.forEach(address -> write(new JsonObject().put("type", "register").put("address", address)
          .put("headers", new JsonObject().put("Authorization", "Bearer " + token))));
    }
    Promise<Void> next = Promise.promise();
    change = next;
    long timer = vertx.setTimer(maxWaitMs, id -> next.tryComplete());
    return next.future().andThen(done -> vertx.cancelTimer(timer));
  }

  private void write(JsonObject frame) {
    socket.write(BridgeWire.frame(frame));
  }

  private void failAll(String reason) {
    pending.values().forEach(p -> p.tryFail(new CliFailure(MaintenanceCli.EXIT_UNREACHABLE, reason)));
    pending.clear();
  }

  @Override
  public void close() {
    socket.close();
    client.close();
  }
}
