package org.orchestrator.http.routes;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.Function;
import org.orchestrator.contracts.identity.IdentityMessages.Robot;
import org.orchestrator.contracts.identity.IdentityMessages.Tenant;
import org.orchestrator.contracts.identity.IdentityMessages.User;

/** How message records look as API JSON (camelCase, ISO-8601 UTC instants). */
final class JsonViews {

  private JsonViews() {
  }

  static JsonObject tenant(Tenant tenant) {
    return new JsonObject().put("id", tenant.id()).put("name", tenant.name())
        .put("createdAt", tenant.createdAt().toString());
  }

  static JsonObject user(User user) {
    return new JsonObject().put("id", user.id()).put("username", user.username())
        .put("role", user.role().claim()).put("tenantId", user.tenantId())
        .put("createdAt", user.createdAt().toString());
  }

  static JsonObject robot(Robot robot) {
    return new JsonObject().put("id", robot.id()).put("name", robot.name()).put("tenantId", robot.tenantId())
        .put("createdAt", robot.createdAt().toString());
  }

  static <T> JsonObject items(List<T> items, Function<T, JsonObject> view) {
    JsonArray array = new JsonArray();
    items.forEach(item -> array.add(view.apply(item)));
    return new JsonObject().put("items", array);
  }
}
