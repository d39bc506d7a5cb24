package org.orchestrator.cli;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URI;

/** The HTTP maintenance API (UiPath's paths), for when the bridge is not reachable. */
final class HttpTransport implements Transport {

  private final WebClient client;
  private final URI url;
  private final String token;

  HttpTransport(WebClient client, URI url, String token) {
    this.client = client;
    this.url = url;
    this.token = token;
  }

  @Override
  public Future<JsonObject> call(String operation, JsonObject body) {
    if (operation.equals("plan")) {
      return send(client.postAbs(url.resolve("/api/Maintenance/Plans").toString()).bearerTokenAuthentication(token)
          .sendJsonObject(body));
    }
    if (operation.equals("cancel-plan")) {
      return send(client.deleteAbs(url.resolve("/api/Maintenance/Plans/" + body.getLong("id")).toString())
          .bearerTokenAuthentication(token).send());
    }
    if (operation.equals("set-exemptions")) {
      return send(client.putAbs(url.resolve("/api/Maintenance/Exemptions").toString()).bearerTokenAuthentication(token)
          .sendJsonObject(body));
    }
    HttpRequest<Buffer> request = switch (operation) {
      case "exemptions" -> client.getAbs(url.resolve("/api/Maintenance/Exemptions").toString());
      case "plans" -> client.getAbs(url.resolve("/api/Maintenance/Plans").toString());
      case "status" -> client.getAbs(url.resolve("/api/Maintenance/Get").toString());
      case "start" -> client.postAbs(url.resolve("/api/Maintenance/Start").toString());
      case "end" -> client.postAbs(url.resolve("/api/Maintenance/End").toString());
      case "preview" -> client.getAbs(url.resolve("/api/Maintenance/Preview").toString());
      case "history" -> client.getAbs(url.resolve("/api/Maintenance/History").toString());
      default -> throw new IllegalArgumentException(operation);
    };
    body.forEach(entry -> {
      if (entry.getValue() != null) {
        request.addQueryParam(entry.getKey(), entry.getValue().toString());
      }
    });
    return send(request.bearerTokenAuthentication(token).send());
  }

  private Future<JsonObject> send(Future<HttpResponse<Buffer>> sent) {
    return sent
        .recover(failure -> Future.failedFuture(new CliFailure(MaintenanceCli.EXIT_UNREACHABLE,
            "cannot reach " + url + ": " + failure.getMessage())))
        .compose(HttpTransport::result);
  }

  private static Future<JsonObject> result(HttpResponse<Buffer> response) {
    int status = response.statusCode();
    if (status == 204) {
      return Future.succeededFuture(new JsonObject().put("ok", true));
    }
    JsonObject body = response.body() == null ? new JsonObject() : response.bodyAsJsonObject();
    if (status >= 200 && status < 300) {
      return Future.succeededFuture(body);
    }
    String message = body.getString("message", "HTTP " + status);
    if (body.containsKey("jobs")) {
      message += " " + body.getJsonArray("jobs").encode();
    }
    return Future.failedFuture(CliFailure.fromServer(status, message));
  }

  @Override
  public void close() {
  }
}
