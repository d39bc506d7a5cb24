package org.orchestrator.platform.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {

  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @Test
  void fileValuesAreOverriddenByTheEnvironment() throws Exception {
    Path file = Files.createTempFile("orchestrator", ".yaml");
    Files.writeString(file, """
        dataDir: /var/lib/orchestrator
        http:
          port: 9000
        database:
          url: postgresql://file@db:5432/file
          poolSize: 3
        """);
    OrchestratorConfig config = ConfigLoader.load(vertx, Map.of(
        "ORCH_CONFIG", file.toString(),
        "ORCH_HTTP_PORT", "9100",
        "ORCH_PG_URL", "postgresql://env@db:5432/env",
        "ORCH_HOST_ADMIN_PASSWORD", "from-env")).await();
    assertEquals(9100, config.http().port());
    assertEquals("postgresql://env@db:5432/env", config.database().url());
    assertEquals(3, config.database().poolSize(), "the file's value stays where the environment is silent");
    assertEquals(Path.of("/var/lib/orchestrator"), config.dataDir());
    assertEquals("from-env", config.security().hostAdminPassword());
    assertTrue(!config.security().toString().contains("from-env"), "the password is never printed");
  }

  @Test
  void theEdgesLimitsHaveEnvironmentOverrides() {
    OrchestratorConfig defaults = ConfigLoader.load(vertx, Map.of("ORCH_CONFIG_UNUSED", "x")).await();
    assertEquals(1_024, defaults.http().maxConnectionsPerAddress());
    assertEquals(8_192, defaults.http().maxUnauthenticatedBodyBytes());
    assertEquals(Runtime.getRuntime().maxMemory() / 8, defaults.http().bodyBytesInFlight());
    assertEquals(16, defaults.bridge().maxConnectionsPerAddress());
    assertEquals(10, defaults.bridge().unauthenticatedTimeoutSeconds());
    OrchestratorConfig config = ConfigLoader.load(vertx, Map.of(
        "ORCH_HTTP_MAX_CONNECTIONS_PER_ADDRESS", "4096",
        "ORCH_HTTP_MAX_UNAUTHENTICATED_BODY_BYTES", "16384",
        "ORCH_HTTP_MAX_BODY_BYTES_IN_FLIGHT", "8589934592",
        "ORCH_BRIDGE_MAX_CONNECTIONS_PER_ADDRESS", "64",
        "ORCH_BRIDGE_UNAUTHENTICATED_TIMEOUT_SECONDS", "30")).await();
    assertEquals(4_096, config.http().maxConnectionsPerAddress());
    assertEquals(16_384, config.http().maxUnauthenticatedBodyBytes());
    assertEquals(8L << 30, config.http().bodyBytesInFlight());
    assertEquals(64, config.bridge().maxConnectionsPerAddress());
    assertEquals(30, config.bridge().unauthenticatedTimeoutSeconds());
  }

  @Test
  void withoutFileOrEnvironmentTheDefaultsRunEmbedded() {
    OrchestratorConfig config = ConfigLoader.load(vertx, Map.of("ORCH_CONFIG_UNUSED", "x")).await();
    assertEquals(8080, config.http().port());
    assertNull(config.database().url());
    assertTrue(config.database().embedded());
    assertEquals(210_000, config.security().passwordIterations());
  }

  @Test
  void badValuesAreNamed() {
    IllegalArgumentException port = assertThrows(IllegalArgumentException.class,
        () -> ConfigLoader.load(vertx, Map.of("ORCH_HTTP_PORT", "eighty")).await());
    assertTrue(port.getMessage().contains("ORCH_HTTP_PORT"), port.getMessage());
    IllegalArgumentException file = assertThrows(IllegalArgumentException.class,
        () -> ConfigLoader.load(vertx, Map.of("ORCH_CONFIG", "/no/such/file.yaml")).await());
    assertTrue(file.getMessage().contains("/no/such/file.yaml"), file.getMessage());
  }

  @Test
  void theShippedFileAndTheEnvironmentSetTlsAndTrustedProxies() {
    String shipped = Path.of("../../config/orchestrator.yaml").toAbsolutePath().normalize().toString();
    OrchestratorConfig plain = ConfigLoader.load(vertx, Map.of("ORCH_CONFIG", shipped)).await();
    assertFalse(plain.http().tls().enabled());
    assertEquals("http://localhost:8080", plain.http().clientUrl());
    assertEquals(java.util.List.of(), plain.http().trustedProxies());
    assertEquals("X-Forwarded-For", plain.http().forwardedHeader());
    assertFalse(plain.bridge().tls());
    OrchestratorConfig behind = ConfigLoader.load(vertx, Map.of("ORCH_CONFIG", shipped,
        "ORCH_TRUSTED_PROXIES", "10.0.0.10/32, fd00::/8,", "ORCH_TLS_CERT", "/etc/tls/cert.pem",
        "ORCH_TLS_KEY", "/etc/tls/key.pem", "ORCH_BRIDGE_TLS", "true")).await();
    assertEquals(java.util.List.of("10.0.0.10/32", "fd00::/8"), behind.http().trustedProxies());
    assertEquals(Path.of("/etc/tls/cert.pem"), behind.http().tls().certFile());
    assertEquals("https://localhost:8080", behind.http().clientUrl());
    assertTrue(behind.bridge().tls());
    IllegalArgumentException half = assertThrows(IllegalArgumentException.class,
        () -> ConfigLoader.load(vertx, Map.of("ORCH_CONFIG", shipped, "ORCH_TLS_CERT", "/etc/tls/cert.pem")).await());
    assertTrue(half.getMessage().contains("go together"), half.getMessage());
    IllegalArgumentException flag = assertThrows(IllegalArgumentException.class,
        () -> ConfigLoader.load(vertx, Map.of("ORCH_BRIDGE_TLS", "yes")).await());
    assertTrue(flag.getMessage().contains("ORCH_BRIDGE_TLS must be true or false"), flag.getMessage());
  }

  /** The return settings: the shipped defaults, and clear refusals of values that make no sense. */
  @Test
  void theReturnSettingsHaveDefaultsAndLimits() {
    OrchestratorConfig defaults = OrchestratorConfig.fromJson(new io.vertx.core.json.JsonObject());
    assertEquals(200.0, defaults.jobs().startsPerSecond());
    assertEquals(200, defaults.jobs().startBurst());
    assertEquals(10, defaults.maintenance().robotReturnSpreadSeconds());
    for (io.vertx.core.json.JsonObject bad : java.util.List.of(
        new io.vertx.core.json.JsonObject().put("jobs", new io.vertx.core.json.JsonObject().put("startsPerSecond", -1)),
        new io.vertx.core.json.JsonObject().put("jobs", new io.vertx.core.json.JsonObject().put("startsPerSecond", "fast")),
        new io.vertx.core.json.JsonObject().put("jobs", new io.vertx.core.json.JsonObject().put("startBurst", 0)),
        new io.vertx.core.json.JsonObject().put("maintenance",
            new io.vertx.core.json.JsonObject().put("robotReturnSpreadSeconds", 3_601)))) {
      IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
          () -> OrchestratorConfig.fromJson(bad));
      assertTrue(refused.getMessage().matches("(jobs|maintenance)\\.[a-zA-Z]+ must be .*"), refused.getMessage());
    }
  }
}
