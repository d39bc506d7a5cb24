package org.orchestrator.app;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** Maintenance calls as the host administrator, for tests. */
public final class Maintenance {

  private final Api api;
  private final String host;

  public Maintenance(Api api, String hostToken) {
    this.api = api;
    this.host = hostToken;
  }

  /** POST /api/Maintenance/Start?{query}; fails unless 204. */
  public Future<Void> start(String query) {
    return api.post("/api/Maintenance/Start?" + query, host, new JsonObject())
        .compose(response -> Api.expect(response, 204)).mapEmpty();
  }

  public Future<Void> end() {
    return api.post("/api/Maintenance/End", host, new JsonObject())
        .compose(response -> Api.expect(response, 204)).mapEmpty();
  }

  /** GET /api/Maintenance/Get[?tenantId=]. */
  public Future<JsonObject> get(Long tenantId) {
    return api.get("/api/Maintenance/Get" + (tenantId == null ? "" : "?tenantId=" + tenantId), host)
        .compose(response -> Api.expect(response, 200));
  }

  /** The drain progress as Get reports it. */
  public Future<JsonObject> progress() {
    return get(null).map(setting -> setting.getJsonObject("progress", new JsonObject()));
  }
}
