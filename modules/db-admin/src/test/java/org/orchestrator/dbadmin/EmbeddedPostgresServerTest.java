package org.orchestrator.dbadmin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.orchestrator.platform.database.DatabaseEndpoint;

/** The embedded default is durable: what is committed survives a power cut, as the docs promise. */
class EmbeddedPostgresServerTest {

  @Test
  void theEmbeddedServerFsyncsEveryCommit() throws Exception {
    Path cluster = Files.createTempDirectory("durable-pg");
    try (EmbeddedPostgresServer server = EmbeddedPostgresServer.start(cluster)) {
      DatabaseEndpoint endpoint = server.endpoint("public");
      try (Connection connection = DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.user(),
          endpoint.password()); Statement statement = connection.createStatement()) {
        for (String setting : new String[] {"fsync", "synchronous_commit", "full_page_writes"}) {
          try (ResultSet shown = statement.executeQuery("SHOW " + setting)) {
            shown.next();
            assertEquals("on", shown.getString(1), setting);
          }
        }
      }
    }
  }
}
