package org.orchestrator.app;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

/**
 * Vert.x's core HTTP client for tests that must control the request line: the URI goes out byte
 * for byte as written (no re-encoding), one connection per request (no stale keep-alive
 * connection can stall a test), 20 s idle timeout.
 */
public final class RawHttp {

  /** A whole reply, body read. */
  public record Reply(int status, String contentType, Buffer body) {

    public JsonObject json() {
      return body.toJsonObject();
    }

    /** The {@code message} of a JSON error. */
    public String message() {
      return json().getString("message");
    }
  }

  private final HttpClient http;
  private final int port;
  private final String userAgent;

  /** @param userAgent sent with every request; null for Vert.x's default */
  public RawHttp(Vertx vertx, int port, String userAgent) {
    this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    this.port = port;
    this.userAgent = userAgent;
  }

  /** Sends {@code uri} as written, with a bearer token and a JSON body when not null. */
  public Reply send(HttpMethod method, String uri, String token, String jsonBody) {
    RequestOptions options = new RequestOptions().setMethod(method).setHost("127.0.0.1").setPort(port)
        .setURI(uri).setIdleTimeout(20_000);
    if (userAgent != null) {
      options.putHeader("User-Agent", userAgent);
    }
    if (token != null) {
      options.putHeader("Authorization", "Bearer " + token);
    }
    if (jsonBody != null) {
      options.putHeader("Content-Type", "application/json");
    }
    return http.request(options)
        .compose(request -> jsonBody == null ? request.send() : request.send(jsonBody))
        .compose(response -> response.body().map(body -> new Reply(response.statusCode(),
            response.getHeader("Content-Type"), body)))
        .await();
  }

  public void close() {
    http.close().await();
  }
}
