package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.orchestrator.dbadmin.EmbeddedPostgresServer;

/**
 * PostgreSQL restarts while Draining: the node reports not-ready, keeps the gate closed (the phase
 * is in memory), and recovers by itself when the database returns; nothing acknowledged is lost.
 */
@Timeout(120)
class DatabaseRestartTest {

  @Test
  void theNodeWaitsOutADatabaseRestartWithTheGateClosed() throws Exception {
    Path cluster = Files.createTempDirectory("restart-pg");
    int port = ServerProcess.freePort();
    EmbeddedPostgresServer postgres = EmbeddedPostgresServer.start(cluster, port);
    try (TestNode node = TestNode.start(postgres.endpoint("public"), Files.createTempDirectory("restart-node"))) {
      Api api = node.api();
      String host = api.signInHostAdmin().await();
      Tenants.Fixture tenant = Tenants.create(api, host, "survives", 0).await();
      new Maintenance(api, host).start("phase=Draining&reason=db%20restart").await();

      postgres.close();
      Eventually.until(node.vertx(), () -> api.get("/health/ready", null).map(r -> r.statusCode()),
          status -> status == 503, 20_000).await();
      assertEquals(503, api.get("/api/Jobs", tenant.adminToken()).await().statusCode(), "the gate stays closed");
      assertEquals("MAINTENANCE", api.get("/api/Jobs", tenant.adminToken()).await().bodyAsJsonObject().getString("code"));

      postgres = EmbeddedPostgresServer.start(cluster, port);
      Eventually.until(node.vertx(), () -> api.get("/health/ready", null).map(r -> r.statusCode()),
          status -> status == 200, 60_000).await();
      JsonObject setting = new Maintenance(api, host).get(null).await();
      assertEquals("Draining", setting.getString("state"));
      assertEquals("db restart", setting.getString("reason"));
      new Maintenance(api, host).end().await();
      assertEquals(200, api.get("/api/Jobs", tenant.adminToken()).await().statusCode(), "served again after End");
    } finally {
      postgres.close();
    }
  }
}
