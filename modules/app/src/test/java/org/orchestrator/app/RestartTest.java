package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

/**
 * The embedded default keeps everything across a stop and a start on the same data directory:
 * rows, the signing key (tokens stay valid) and the host admin.
 */
@org.junit.jupiter.api.Timeout(300)
class RestartTest {

  @Test
  void dataWrittenBeforeAStopIsThereAfterTheNextStart() throws Exception {
    Path dataDir = Files.createTempDirectory("orchestrator-restart");
    String token;
    long tenantId;
    try (TestNode first = TestNode.start(null, dataDir)) {
      Api api = first.api();
      token = api.signInHostAdmin().await();
      tenantId = api.createTenant(token, "survivor").await();
    }
    assertTrue(Files.isDirectory(dataDir.resolve("postgres")), "the embedded cluster lives in the data dir");
    assertEquals("rw-------", PosixFilePermissions.toString(
        Files.getPosixFilePermissions(dataDir.resolve("jwt/signing-key.pem"))));

    try (TestNode second = TestNode.start(null, dataDir)) {
      HttpResponse<Buffer> tenants = second.api().get("/api/Tenants", token).await();
      assertEquals(200, tenants.statusCode(), "a token issued before the restart is still valid");
      JsonObject survivor = tenants.bodyAsJsonObject().getJsonArray("items").getJsonObject(0);
      assertEquals(tenantId, survivor.getLong("id"));
      assertEquals("survivor", survivor.getString("name"));
      assertEquals(1, tenants.bodyAsJsonObject().getJsonArray("items").size());
    }
  }

  @Test
  void aSecondProcessCannotShareTheDataDirectory() throws Exception {
    Path dataDir = Files.createTempDirectory("orchestrator-shared");
    try (TestNode ignored = TestNode.start(null, dataDir)) {
      Exception refused = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
          () -> TestNode.start(null, dataDir).close());
      assertTrue(refused.getMessage().contains("another orchestrator"), refused.getMessage());
    }
  }

  @Test
  void aPortInUseIsNamedWithTheSettingThatChoseIt() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50,
        java.net.InetAddress.getByName("127.0.0.1"))) {
      io.vertx.core.json.JsonObject bridgeOnTakenPort = new io.vertx.core.json.JsonObject().put("bridge",
          new io.vertx.core.json.JsonObject().put("port", taken.getLocalPort()));
      Exception refused = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
          () -> TestNode.start("port-in-use", bridgeOnTakenPort).close());
      StringBuilder messages = new StringBuilder();
      for (Throwable t = refused; t != null; t = t.getCause()) {
        messages.append(t.getMessage()).append(" / ");
      }
      assertTrue(messages.toString().contains("cannot listen for the event-bus bridge on 127.0.0.1:"
          + taken.getLocalPort() + " (bridge.port, ORCH_BRIDGE_PORT"), messages.toString());
      assertTrue(messages.toString().contains("already in use"), messages.toString());
    }
  }
}
