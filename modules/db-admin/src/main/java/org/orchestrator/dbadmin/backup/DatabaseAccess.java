package org.orchestrator.dbadmin.backup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.orchestrator.dbadmin.DataDirectory;
import org.orchestrator.dbadmin.EmbeddedPostgresServer;
import org.orchestrator.platform.StartupFailure;
import org.orchestrator.platform.database.DatabaseEndpoint;

/**
 * The orchestrator's database as a tool beside the server finds it, from the server's own settings:
 * an external one ({@code database.url}, {@code ORCH_PG_URL}) as it is; the embedded one in
 * {@code <dataDir>/postgres} either through the running orchestrator (which holds the data
 * directory's lock; its PostgreSQL writes its port to {@code postmaster.pid}) or, when no
 * orchestrator runs there, by taking the lock and starting the cluster for the tool's own use, as
 * the server would. While the tool holds the lock, a server started on the same data directory is
 * refused. {@link #close()} stops what was started and gives the lock back.
 */
public final class DatabaseAccess implements AutoCloseable {

  private final DatabaseEndpoint endpoint;
  private final String description;
  private final DataDirectory lock;
  private final EmbeddedPostgresServer started;
  private final Thread stopOnExit;
  private boolean closed;

  private DatabaseAccess(DatabaseEndpoint endpoint, String description, DataDirectory lock,
      EmbeddedPostgresServer started) {
    this.endpoint = endpoint;
    this.description = description;
    this.lock = lock;
    this.started = started;
    if (lock != null) {
      // Ctrl-C: stop the PostgreSQL this tool started (else the next start finds an orphan to stop)
      stopOnExit = new Thread(this::closeQuietly, "stop-embedded-postgres");
      Runtime.getRuntime().addShutdownHook(stopOnExit);
    } else {
      stopOnExit = null;
    }
  }

  /** An external database ({@code database.url}), for reading or writing. */
  public static DatabaseAccess external(String url, String schema) {
    DatabaseEndpoint endpoint;
    try {
      endpoint = DatabaseEndpoint.fromUrl(url, schema);
    } catch (IllegalArgumentException e) {
      throw BackupFailure.refused(e.getMessage() + " (database.url, ORCH_PG_URL)");
    }
    return new DatabaseAccess(endpoint, "schema " + schema + " of postgresql://" + endpoint.user() + "@"
        + endpoint.host() + ":" + endpoint.port() + "/" + endpoint.database() + " (database.url, ORCH_PG_URL)", null, null);
  }

  /**
   * The embedded database of {@code dataDir}, to read: through the running orchestrator, or started
   * here when none runs. Refused when the data directory holds no cluster.
   */
  public static DatabaseAccess embeddedToRead(Path dataDir, String schema) {
    Path cluster = dataDir.resolve("postgres");
    if (!Files.isRegularFile(cluster.resolve("PG_VERSION"))) {
      throw BackupFailure.refused("no embedded PostgreSQL cluster in " + cluster
          + " (dataDir, ORCH_DATA_DIR, --data-dir): nothing to back up there");
    }
    DataDirectory lock;
    try {
      lock = DataDirectory.claim(dataDir);
    } catch (StartupFailure held) {
      return running(dataDir, cluster, schema);
    } catch (IOException e) {
      throw BackupFailure.failed("cannot lock the data directory " + dataDir + ": " + e.getMessage(), e);
    }
    return start(lock, cluster, schema, "no orchestrator runs on it: started for this backup, stopped after");
  }

  /**
   * The embedded database of {@code dataDir}, to write: created when the directory is new. Refused
   * while an orchestrator (or another backup or restore) uses the directory.
   */
  public static DatabaseAccess embeddedToWrite(Path dataDir, String schema) {
    DataDirectory lock;
    try {
      lock = DataDirectory.claim(dataDir);
    } catch (StartupFailure held) {
      throw BackupFailure.refused("an orchestrator (or another backup or restore) is using the data directory "
          + dataDir + ": stop it first; restore writes only into a database no node runs on");
    } catch (IOException e) {
      throw BackupFailure.failed("cannot create or lock the data directory " + dataDir + ": " + e.getMessage(), e);
    }
    return start(lock, dataDir.resolve("postgres"), schema, "started for this restore, stopped after");
  }

  private static DatabaseAccess start(DataDirectory lock, Path cluster, String schema, String why) {
    try {
      EmbeddedPostgresServer server = EmbeddedPostgresServer.start(cluster);
      DatabaseEndpoint endpoint = server.endpoint(schema);
      return new DatabaseAccess(endpoint, "schema " + schema + " of the embedded PostgreSQL in " + cluster + " ("
          + endpoint.host() + ":" + endpoint.port() + "; " + why + ")", lock, server);
    } catch (IOException | RuntimeException e) {
      try {
        lock.close();
      } catch (IOException ignored) {
        // the lock dies with the process anyway
      }
      throw BackupFailure.failed("cannot start the embedded PostgreSQL in " + cluster + ": " + e.getMessage(), e);
    }
  }

  /** The running orchestrator's embedded PostgreSQL, found through the cluster's {@code postmaster.pid}. */
  private static DatabaseAccess running(Path dataDir, Path cluster, String schema) {
    Path pidFile = cluster.resolve("postmaster.pid");
    List<String> lines;
    try {
      lines = Files.isRegularFile(pidFile) ? Files.readAllLines(pidFile) : List.of();
    } catch (IOException e) {
      lines = List.of();
    }
    // postmaster.pid: pid, data directory, start time, port, socket directory, listen address, shared memory, status
    Optional<ProcessHandle> postmaster = lines.isEmpty() ? Optional.empty()
        : parse(lines.get(0)).flatMap(ProcessHandle::of).filter(ProcessHandle::isAlive);
    Optional<Long> port = lines.size() < 4 ? Optional.empty() : parse(lines.get(3));
    String status = lines.size() < 8 ? "" : lines.get(7).trim();
    if (postmaster.isEmpty() || port.isEmpty() || !(status.isEmpty() || status.equals("ready"))) {
      throw BackupFailure.failed("an orchestrator holds the data directory " + dataDir
          + " but its embedded PostgreSQL is not running" + (status.isEmpty() ? "" : " (" + status + ")")
          + ": it is starting or stopping; try again once it is up, or stop it");
    }
    DatabaseEndpoint endpoint = new DatabaseEndpoint("127.0.0.1", port.get().intValue(), "postgres", "postgres",
        null, schema);
    return new DatabaseAccess(endpoint, "schema " + schema + " of the running orchestrator's embedded PostgreSQL in "
        + cluster + " (127.0.0.1:" + port.get() + ", from postmaster.pid)", null, null);
  }

  public DatabaseEndpoint endpoint() {
    return endpoint;
  }

  /** Which database this is, for the operator: schema, server, and which setting chose it. */
  public String description() {
    return description;
  }

  /** A JDBC connection (the caller closes it). */
  public Connection connect() {
    Properties properties = new Properties();
    properties.setProperty("user", endpoint.user());
    if (endpoint.password() != null) {
      properties.setProperty("password", endpoint.password());
    }
    properties.setProperty("connectTimeout", "10");
    properties.setProperty("ApplicationName", "orchestrator-backup");
    try {
      return DriverManager.getConnection(endpoint.jdbcUrl(), properties);
    } catch (SQLException e) {
      throw BackupFailure.failed("cannot connect to " + endpoint.describe() + ": " + e.getMessage(), e);
    }
  }

  /** The arguments that point pg_dump or pg_restore at this database (the password goes through the environment). */
  public List<String> connectionArguments() {
    return List.of("--host=" + endpoint.host(), "--port=" + endpoint.port(), "--username=" + endpoint.user(),
        // as a connection string, so that a database name holding '=' is not read as one
        "--dbname=dbname='" + endpoint.database().replace("\\", "\\\\").replace("'", "\\'") + "'", "--no-password");
  }

  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    if (stopOnExit != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(stopOnExit);
      } catch (IllegalStateException shuttingDown) {
        // this is the hook
      }
    }
    try {
      if (started != null) {
        started.close();
      }
    } finally {
      if (lock != null) {
        lock.close();
      }
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (IOException | RuntimeException e) {
      // the JVM is ending
    }
  }

  private static Optional<Long> parse(String line) {
    try {
      return Optional.of(Long.parseLong(line.trim()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
