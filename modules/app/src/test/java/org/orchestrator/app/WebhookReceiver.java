package org.orchestrator.app;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A tenant's receiver, as a tenant would write one: a real HTTP server that checks each delivery's
 * signature against the raw body and keeps what arrived. {@code /hook} answers 204; {@code /silent}
 * never answers; {@code /huge} answers 200 with megabytes. {@link #down()} closes its port, {@link
 * #up()} opens it again on the same one.
 */
final class WebhookReceiver {

  /** One delivery as it arrived: the headers that matter, the parsed body, whether the signature held. */
  record Received(String event, String deliveryId, JsonObject body, boolean signatureValid) {
  }

  private final Vertx vertx;
  private final String secret;
  private final int port;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private HttpServer server;

  WebhookReceiver(Vertx vertx, String secret, int port) {
    this.vertx = vertx;
    this.secret = secret;
    this.port = port;
  }

  String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  List<Received> received() {
    return List.copyOf(received);
  }

  WebhookReceiver up() {
    server = vertx.createHttpServer().requestHandler(request -> {
      if (request.path().equals("/silent")) {
        return; // never answers
      }
      if (request.path().equals("/huge")) {
        request.response().setStatusCode(200).setChunked(true);
        Buffer chunk = Buffer.buffer("x".repeat(64 * 1024));
        for (int i = 0; i < 64 && !request.response().closed(); i++) {
          request.response().write(chunk);
        }
        request.response().end();
        return;
      }
      request.body().onSuccess(body -> {
        received.add(new Received(request.getHeader("X-Orchestrator-Event"),
            request.getHeader("X-Orchestrator-Delivery"), body.toJsonObject(),
            sign(body.getBytes()).equals(request.getHeader("X-Orchestrator-Signature"))));
        request.response().setStatusCode(204).end();
      });
    });
    server.listen(port, "127.0.0.1").await();
    return this;
  }

  void down() {
    if (server != null) {
      server.close().await();
      server = null;
    }
  }

  /** What a receiver computes: {@code sha256=} + hex HMAC-SHA256(secret, raw body). */
  String sign(byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
