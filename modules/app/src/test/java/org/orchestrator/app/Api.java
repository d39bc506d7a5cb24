package org.orchestrator.app;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

/** A thin real-HTTP client for tests: JSON in, {@link HttpResponse} out, nothing asserted here. */
public final class Api {

  private final WebClient client;

  public Api(Vertx vertx, int port) {
    this(vertx, port, 5);
  }

  /** @param connections connections kept open to the server (load generation wants more) */
  public Api(Vertx vertx, int port, int connections) {
    this(vertx, port, connections, null);
  }

  /** @param localAddress the loopback address requests come from (127.0.0.2 is another client) */
  public Api(Vertx vertx, int port, int connections, String localAddress) {
    this.client = WebClient.create(vertx, new WebClientOptions()
        .setDefaultHost("127.0.0.1").setDefaultPort(port).setKeepAlive(true).setLocalAddress(localAddress),
        new io.vertx.core.http.PoolOptions().setHttp1MaxSize(connections));
  }

  /** Over a client of the caller's making (its default host and port the node's): TLS, say. */
  public Api(WebClient client) {
    this.client = client;
  }

  /** Signs a user in (no tenant: the host) and returns the access token. */
  public Future<String> signIn(String tenant, String username, String password) {
    return token(tenant, username, password).compose(response -> response.statusCode() == 200
        ? Future.succeededFuture(response.bodyAsJsonObject().getString("access_token"))
        : Future.failedFuture("sign-in of " + username + " failed: " + response.statusCode() + " "
            + response.bodyAsString()));
  }

  /**
   * How many items a list holds, walking its pages by cursor ({@code path} without paging
   * parameters; lists answer no count of their own).
   */
  public Future<Long> count(String path, String token) {
    return countFrom(path + (path.contains("?") ? "&" : "?") + "size=1000", null, token, 0);
  }

  private Future<Long> countFrom(String path, String after, String token, long before) {
    String page = after == null ? path : path + "&after=" + java.net.URLEncoder.encode(after,
        java.nio.charset.StandardCharsets.UTF_8);
    return get(page, token).compose(response -> expect(response, 200)).compose(body -> {
      long counted = before + body.getJsonArray("items").size();
      String next = body.getString("next");
      return next == null ? Future.succeededFuture(counted) : countFrom(path, next, token, counted);
    });
  }

  public Future<String> signInHostAdmin() {
    return signIn(null, "admin", TestNode.ADMIN_PASSWORD);
  }

  /** The raw password-grant response (form encoded, as OAuth clients send it). */
  public Future<HttpResponse<Buffer>> token(String tenant, String username, String password) {
    MultiMap form = MultiMap.caseInsensitiveMultiMap()
        .add("grant_type", "password").add("username", username).add("password", password);
    if (tenant != null) {
      form.add("tenant", tenant);
    }
    return client.post("/identity/connect/token").timeout(30_000).sendForm(form);
  }

  public Future<HttpResponse<Buffer>> robotToken(String clientId, String secret) {
    return client.post("/identity/connect/token").timeout(30_000).sendForm(MultiMap.caseInsensitiveMultiMap()
        .add("grant_type", "client_credentials").add("client_id", clientId).add("client_secret", secret));
  }

  public Future<HttpResponse<Buffer>> get(String path, String token) {
    return request(HttpMethod.GET, path, token).send();
  }

  public Future<HttpResponse<Buffer>> post(String path, String token, JsonObject body) {
    return request(HttpMethod.POST, path, token).sendJsonObject(body);
  }

  /** POST with a raw body and content type (for malformed input). */
  public Future<HttpResponse<Buffer>> postRaw(String path, String token, String contentType, Buffer body) {
    return request(HttpMethod.POST, path, token).putHeader("Content-Type", contentType).sendBuffer(body);
  }

  public Future<HttpResponse<Buffer>> send(HttpMethod method, String path, String token) {
    return request(method, path, token).send();
  }

  public HttpRequest<Buffer> request(HttpMethod method, String path, String token) {
    // no test may wait forever on a server that accepted a connection and never answers
    HttpRequest<Buffer> request = client.request(method, path).timeout(30_000);
    if (token != null) {
      request.bearerTokenAuthentication(token);
    }
    return request;
  }

  /** Creates a tenant as the host admin and returns its id. */
  public Future<Long> createTenant(String hostToken, String name) {
    return post("/api/Tenants", hostToken, new JsonObject().put("name", name))
        .compose(response -> expect(response, 201).map(body -> body.getLong("id")));
  }

  /** Creates a user and returns the reply body. */
  public Future<JsonObject> createUser(String token, Long tenantId, String username, String password,
      String role) {
    JsonObject body = new JsonObject().put("username", username).put("password", password).put("role", role);
    if (tenantId != null) {
      body.put("tenantId", tenantId);
    }
    return post("/api/Users", token, body).compose(response -> expect(response, 201));
  }

  /** The JSON body when the status is as expected, else a failure naming what came back. */
  public static Future<JsonObject> expect(HttpResponse<Buffer> response, int status) {
    if (response.statusCode() != status) {
      return Future.failedFuture("expected " + status + " but got " + response.statusCode() + ": "
          + response.bodyAsString());
    }
    return Future.succeededFuture(response.body() == null || response.body().length() == 0
        ? new JsonObject() : response.bodyAsJsonObject());
  }
}
