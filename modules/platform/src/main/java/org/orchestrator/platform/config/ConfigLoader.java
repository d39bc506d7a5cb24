package org.orchestrator.platform.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Builds the configuration from, in rising precedence: the defaults in the code, the YAML file
 * ({@code config/orchestrator.yaml}, or the file {@code ORCH_CONFIG} names) and the environment
 * variables below. The only place that reads the environment; callers pass it in.
 *
 * <table>
 *   <caption>Environment overrides</caption>
 *   <tr><td>ORCH_CONFIG</td><td>path of the YAML file</td></tr>
 *   <tr><td>ORCH_DATA_DIR</td><td>dataDir</td></tr>
 *   <tr><td>ORCH_HTTP_HOST, ORCH_HTTP_PORT</td><td>http.host, http.port</td></tr>
 *   <tr><td>ORCH_PG_URL, ORCH_PG_POOL_SIZE, ORCH_PG_SCHEMA</td><td>database.*</td></tr>
 *   <tr><td>ORCH_HOST_ADMIN_PASSWORD</td><td>security.hostAdminPassword</td></tr>
 *   <tr><td>ORCH_TOKEN_TTL_SECONDS</td><td>security.tokenTtlSeconds</td></tr>
 *   <tr><td>ORCH_BRIDGE_PORT</td><td>bridge.port (-1: off)</td></tr>
 *   <tr><td>ORCH_KEY_DIR</td><td>security.keyDirectory (shared by the nodes of a deployment)</td></tr>
 *   <tr><td>ORCH_HTTP_MAX_CONNECTIONS_PER_ADDRESS</td><td>http.maxConnectionsPerAddress</td></tr>
 *   <tr><td>ORCH_HTTP_MAX_UNAUTHENTICATED_BODY_BYTES</td><td>http.maxUnauthenticatedBodyBytes</td></tr>
 *   <tr><td>ORCH_HTTP_MAX_BODY_BYTES_IN_FLIGHT</td><td>http.maxBodyBytesInFlight</td></tr>
 *   <tr><td>ORCH_BRIDGE_MAX_CONNECTIONS_PER_ADDRESS</td><td>bridge.maxConnectionsPerAddress</td></tr>
 *   <tr><td>ORCH_TRUSTED_PROXIES</td><td>http.trustedProxies (comma-separated)</td></tr>
 *   <tr><td>ORCH_TLS_CERT, ORCH_TLS_KEY</td><td>http.tls.certFile, http.tls.keyFile</td></tr>
 *   <tr><td>ORCH_BRIDGE_TLS</td><td>bridge.tls</td></tr>
 *   <tr><td>ORCH_BRIDGE_UNAUTHENTICATED_TIMEOUT_SECONDS</td><td>bridge.unauthenticatedTimeoutSeconds</td></tr>
 *   <tr><td>ORCH_ARCHIVE_DIR</td><td>retention.archiveDir</td></tr>
 *   <tr><td>ORCH_RETENTION_INTERVAL_SECONDS</td><td>retention.intervalSeconds</td></tr>
 * </table>
 */
public final class ConfigLoader {

  public static final String DEFAULT_FILE = "config/orchestrator.yaml";

  /** Environment variable -> dotted path in the configuration tree. */
  private static final Map<String, String> ENVIRONMENT = Map.ofEntries(
      Map.entry("ORCH_DATA_DIR", "dataDir"),
      Map.entry("ORCH_HTTP_HOST", "http.host"),
      Map.entry("ORCH_HTTP_PORT", "http.port"),
      Map.entry("ORCH_PG_URL", "database.url"),
      Map.entry("ORCH_PG_POOL_SIZE", "database.poolSize"),
      Map.entry("ORCH_PG_SCHEMA", "database.schema"),
      Map.entry("ORCH_HOST_ADMIN_PASSWORD", "security.hostAdminPassword"),
      Map.entry("ORCH_TOKEN_TTL_SECONDS", "security.tokenTtlSeconds"),
      Map.entry("ORCH_BRIDGE_PORT", "bridge.port"),
      Map.entry("ORCH_KEY_DIR", "security.keyDirectory"),
      Map.entry("ORCH_HTTP_MAX_CONNECTIONS_PER_ADDRESS", "http.maxConnectionsPerAddress"),
      Map.entry("ORCH_HTTP_MAX_UNAUTHENTICATED_BODY_BYTES", "http.maxUnauthenticatedBodyBytes"),
      Map.entry("ORCH_HTTP_MAX_BODY_BYTES_IN_FLIGHT", "http.maxBodyBytesInFlight"),
      Map.entry("ORCH_BRIDGE_MAX_CONNECTIONS_PER_ADDRESS", "bridge.maxConnectionsPerAddress"),
      Map.entry("ORCH_BRIDGE_UNAUTHENTICATED_TIMEOUT_SECONDS", "bridge.unauthenticatedTimeoutSeconds"),
      Map.entry("ORCH_ARCHIVE_DIR", "retention.archiveDir"),
      Map.entry("ORCH_RETENTION_INTERVAL_SECONDS", "retention.intervalSeconds"),
      Map.entry("ORCH_TRUSTED_PROXIES", "http.trustedProxies"),
      Map.entry("ORCH_TLS_CERT", "http.tls.certFile"),
      Map.entry("ORCH_TLS_KEY", "http.tls.keyFile"),
      Map.entry("ORCH_BRIDGE_TLS", "bridge.tls"));

  private ConfigLoader() {
  }

  /** Loads the configuration tree as JSON (file, then environment). */
  public static Future<JsonObject> loadJson(Vertx vertx, Map<String, String> environment) {
    Path file = Path.of(environment.getOrDefault("ORCH_CONFIG", DEFAULT_FILE));
    if (environment.containsKey("ORCH_CONFIG") && !Files.isRegularFile(file)) {
      return Future.failedFuture(new IllegalArgumentException("ORCH_CONFIG names no file: " + file));
    }
    ConfigRetrieverOptions options = new ConfigRetrieverOptions().setScanPeriod(-1);
    if (Files.isRegularFile(file)) {
      options.addStore(new ConfigStoreOptions().setType("file").setFormat("yaml")
          .setConfig(new JsonObject().put("path", file.toAbsolutePath().toString())));
    }
    options.addStore(new ConfigStoreOptions().setType("json").setConfig(fromEnvironment(environment)));
    ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
    return retriever.getConfig().andThen(ignored -> retriever.close());
  }

  /** Loads and types the configuration. */
  public static Future<OrchestratorConfig> load(Vertx vertx, Map<String, String> environment) {
    return loadJson(vertx, environment).map(OrchestratorConfig::fromJson);
  }

  static JsonObject fromEnvironment(Map<String, String> environment) {
    JsonObject tree = new JsonObject();
    ENVIRONMENT.forEach((variable, path) -> {
      String value = environment.get(variable);
      if (value != null && !value.isEmpty()) {
        put(tree, path, typed(variable, value));
      }
    });
    return tree;
  }

  private static Object typed(String variable, String value) {
    boolean bytes = variable.contains("_BYTES");
    if (bytes || variable.endsWith("_PORT") || variable.endsWith("_SIZE") || variable.endsWith("_SECONDS")
        || variable.endsWith("_PER_ADDRESS")) {
      try {
        return bytes ? (Object) Long.parseLong(value.trim()) : (Object) Integer.parseInt(value.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(variable + " must be a whole number, got '" + value + "'");
      }
    }
    if (variable.equals("ORCH_BRIDGE_TLS")) {
      if (!value.trim().equalsIgnoreCase("true") && !value.trim().equalsIgnoreCase("false")) {
        throw new IllegalArgumentException(variable + " must be true or false, got '" + value + "'");
      }
      return Boolean.parseBoolean(value.trim());
    }
    return value;
  }

  private static void put(JsonObject tree, String path, Object value) {
    String[] parts = path.split("\\.");
    JsonObject node = tree;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonObject child = node.getJsonObject(parts[i]);
      if (child == null) {
        child = new JsonObject();
        node.put(parts[i], child);
      }
      node = child;
    }
    node.put(parts[parts.length - 1], value);
  }
}
