package org.orchestrator.dbadmin.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.orchestrator.platform.database.DatabaseEndpoint;
import org.orchestrator.dbadmin.EmbeddedPostgresServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One real PostgreSQL per test JVM, a fresh schema per test class.
 *
 * <p>Which server: {@code ORCH_TEST_PG_URL} if set; else the machine's server on 127.0.0.1:5432
 * (database {@code test}, user {@code postgres}) if it answers; else an embedded server in a
 * temporary directory. {@code ORCH_TEST_EMBEDDED=true} forces the embedded one. Schemas created
 * here are dropped when the JVM exits.
 */
public final class TestDatabase {

  private static final Logger LOG = LoggerFactory.getLogger(TestDatabase.class);
  private static final String LOCAL_URL = "postgresql://postgres@127.0.0.1:5432/test";

  private static DatabaseEndpoint server;
  private static final List<String> SCHEMAS = new CopyOnWriteArrayList<>();

  private TestDatabase() {
  }

  /** The server every test of this JVM uses (schema {@code public}). */
  public static synchronized DatabaseEndpoint server() {
    if (server == null) {
      server = locate();
      Runtime.getRuntime().addShutdownHook(new Thread(TestDatabase::dropSchemas, "drop-test-schemas"));
    }
    return server;
  }

  /** A new empty schema on the shared server. */
  public static DatabaseEndpoint newSchema(String label) {
    String schema = ("t_" + label + "_" + UUID.randomUUID().toString().substring(0, 8))
        .toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    DatabaseEndpoint endpoint = server().withSchema(schema);
    execute(endpoint, "CREATE SCHEMA " + schema);
    SCHEMAS.add(schema);
    return endpoint;
  }

  /** Runs one SQL statement over JDBC (for test set-up and inspection, not for code under test). */
  public static void execute(DatabaseEndpoint endpoint, String sql) {
    try (Connection connection = DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.user(),
        endpoint.password()); Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("failed: " + sql, e);
    }
  }

  private static DatabaseEndpoint locate() {
    String url = System.getenv("ORCH_TEST_PG_URL");
    if (url != null && !url.isBlank()) {
      LOG.info("tests use ORCH_TEST_PG_URL");
      return DatabaseEndpoint.fromUrl(url, "public");
    }
    if (!"true".equals(System.getenv("ORCH_TEST_EMBEDDED"))) {
      DatabaseEndpoint local = DatabaseEndpoint.fromUrl(LOCAL_URL, "public");
      if (answers(local)) {
        LOG.info("tests use the local PostgreSQL at {}", local);
        return local;
      }
    }
    return startEmbedded();
  }

  private static DatabaseEndpoint startEmbedded() {
    try {
      Path cluster = Files.createTempDirectory("orchestrator-test-pg");
      EmbeddedPostgresServer embedded = EmbeddedPostgresServer.start(cluster);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          embedded.close();
        } catch (IOException e) {
          LOG.warn("could not stop the embedded test database", e);
        }
      }, "stop-test-pg"));
      LOG.info("tests use an embedded PostgreSQL at {}", embedded.endpoint("public"));
      return embedded.endpoint("public");
    } catch (IOException e) {
      throw new IllegalStateException("no PostgreSQL for the tests: none at 127.0.0.1:5432 and the "
          + "embedded one did not start", e);
    }
  }

  private static boolean answers(DatabaseEndpoint endpoint) {
    DriverManager.setLoginTimeout(2);
    try (Connection ignored = DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.user(),
        endpoint.password())) {
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  private static void dropSchemas() {
    for (String schema : SCHEMAS) {
      try {
        execute(server.withSchema("public"), "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
      } catch (RuntimeException e) {
        // the embedded server may already be gone; its directory is temporary anyway
      }
    }
  }
}
