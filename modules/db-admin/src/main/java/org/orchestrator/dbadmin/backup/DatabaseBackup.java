package org.orchestrator.dbadmin.backup;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Backup and restore of the orchestrator's schema with pg_dump and pg_restore (custom format).
 *
 * <p>A backup is one consistent snapshot: a read-only repeatable-read transaction exports its
 * snapshot, pg_dump dumps exactly that snapshot, and the summary printed with it is read in the same
 * transaction. It is written to a hidden temporary file beside the destination (mode 0600: it holds
 * password hashes and credentials), synced, checked with pg_restore, and only then linked to its name,
 * which it never replaces: a backup file is whole or absent.
 *
 * <p>A restore reads the whole archive once before it touches the target, writes only into a
 * schema that holds nothing yet, and runs in one transaction: it restores everything or nothing.
 */
public final class DatabaseBackup {

  /** A backup written: the file, what it holds, and where from. */
  public record Written(BackupArchive archive, SchemaSummary summary, PgClientTools.Tool pgDump) {
  }

  /** A restore done: the archive, and what the target holds now. */
  public record Restored(BackupArchive archive, SchemaSummary summary) {
  }

  private DatabaseBackup() {
  }

  /** Dumps {@code database}'s schema to {@code destination}, which must not exist yet. */
  public static Written backup(DatabaseAccess database, PgClientTools.Tool pgDump, PgClientTools.Tool pgRestore,
      Path destination) {
    checkDestination(destination);
    Path directory = destination.toAbsolutePath().getParent();
    try {
      if (!Files.isDirectory(directory)) {
        Files.createDirectories(directory);
        restrict(directory, "rwx------");
      }
    } catch (IOException e) {
      throw BackupFailure.failed("cannot create the directory " + directory + ": " + e.getMessage(), e);
    }
    String schema = database.endpoint().schema();
    try (Connection connection = database.connect()) {
      connection.setAutoCommit(false);
      connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      connection.setReadOnly(true);
      String snapshot;
      try (Statement statement = connection.createStatement();
           ResultSet row = statement.executeQuery("SELECT pg_export_snapshot()")) {
        row.next();
        snapshot = row.getString(1);
      }
      SchemaSummary summary = SchemaSummary.read(connection, schema);
      if (!summary.holdsOrchestrator()) {
        throw BackupFailure.refused(database.description() + " holds no orchestrator tables (no flyway_* history): "
            + "nothing to back up (database.schema, ORCH_PG_SCHEMA)");
      }
      PgClientTools.requireAtLeast(pgDump, summary.serverMajor(), "the server it must read (PostgreSQL "
          + summary.serverVersion() + ")");
      Path partial = directory.resolve("." + destination.getFileName() + ".partial-" + ProcessHandle.current().pid());
      Thread removePartial = new Thread(() -> deleteQuietly(partial), "remove-partial-backup");
      Runtime.getRuntime().addShutdownHook(removePartial);
      try {
        Files.deleteIfExists(partial);
        Files.createFile(partial);
        restrict(partial, "rw-------");
        List<String> arguments = new ArrayList<>(List.of("--format=custom", "--schema=" + pattern(schema),
            "--snapshot=" + snapshot, "--file=" + partial));
        arguments.addAll(database.connectionArguments());
        PgClientTools.Result dumped = PgClientTools.run(pgDump.command(arguments), database.endpoint().password(),
            false);
        if (dumped.exitCode() != 0) {
          throw BackupFailure.failed("pg_dump failed, no backup written: " + dumped.error());
        }
        try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.WRITE)) {
          channel.force(true);
        }
        BackupArchive archive = BackupArchive.open(partial, pgRestore);
        if (!schema.equals(archive.schema())) {
          throw BackupFailure.failed("the archive pg_dump wrote holds schema " + archive.schema() + ", not " + schema);
        }
        publish(partial, destination);
        return new Written(BackupArchive.parse(destination, String.join("\n", archive.toc())), summary, pgDump);
      } finally {
        deleteQuietly(partial);
        try {
          Runtime.getRuntime().removeShutdownHook(removePartial);
        } catch (IllegalStateException shuttingDown) {
          // the hook runs now
        }
      }
    } catch (SQLException e) {
      throw BackupFailure.failed("reading " + database.description() + " failed: " + e.getMessage(), e);
    } catch (IOException e) {
      throw BackupFailure.failed("writing " + destination + " failed: " + e.getMessage(), e);
    }
  }

  /** Refuses a destination that exists: a backup never replaces a file. */
  public static void checkDestination(Path destination) {
    if (Files.exists(destination)) {
      throw BackupFailure.refused(destination + " exists already: a backup never replaces a file; choose another "
          + "name (--out)");
    }
  }

  /**
   * Restores {@code archive} into {@code database}, whose schema must hold nothing yet (a new data
   * directory, a new database or schema): everything or nothing, in one transaction.
   */
  public static Restored restore(BackupArchive archive, DatabaseAccess database, PgClientTools.Tool pgRestore) {
    String schema = database.endpoint().schema();
    try (Connection connection = database.connect()) {
      SchemaSummary before = SchemaSummary.read(connection, schema);
      if (!before.objects().isEmpty()) {
        throw BackupFailure.refused(database.description() + " is not empty (" + before.objects().size()
            + " tables, sequences or functions: " + before.someObjects(5) + "): restore writes only into an empty "
            + "schema; use a new data directory (--data-dir) or database, or drop the schema yourself");
      }
      if (before.serverMajor() < archive.dumpedFromMajor()) {
        throw BackupFailure.refused("the backup comes from PostgreSQL " + archive.dumpedFrom() + ", the target runs "
            + before.serverVersion() + ": restore into a server at least as new");
      }
      try (Statement statement = connection.createStatement()) {
        statement.execute("CREATE SCHEMA IF NOT EXISTS " + SchemaSummary.quote(schema));
      }
      Path list = Files.createTempFile("orchestrator-restore", ".list");
      try {
        Files.write(list, archive.restoreList());
        List<String> arguments = new ArrayList<>(List.of("--use-list=" + list, "--single-transaction",
            "--exit-on-error", "--no-owner", "--no-privileges"));
        arguments.addAll(database.connectionArguments());
        arguments.add(archive.file().toString());
        PgClientTools.Result restored = PgClientTools.run(pgRestore.command(arguments),
            database.endpoint().password(), false);
        if (restored.exitCode() != 0) {
          throw BackupFailure.failed("pg_restore failed, nothing was restored (one transaction): " + restored.error());
        }
      } finally {
        deleteQuietly(list);
      }
      SchemaSummary after = SchemaSummary.read(connection, schema);
      if (!after.holdsOrchestrator()) {
        throw BackupFailure.failed("pg_restore reported success but " + database.description()
            + " holds no orchestrator tables");
      }
      return new Restored(archive, after);
    } catch (SQLException e) {
      throw BackupFailure.failed("restoring into " + database.description() + " failed: " + e.getMessage(), e);
    } catch (IOException e) {
      throw BackupFailure.failed("restore failed: " + e.getMessage(), e);
    }
  }

  /** {@code partial} under {@code destination}'s name, never over an existing file, durably. */
  private static void publish(Path partial, Path destination) throws IOException {
    try {
      // a hard link fails when the name exists: no window in which another file could be replaced
      Files.createLink(destination, partial);
    } catch (FileAlreadyExistsException e) {
      throw BackupFailure.refused(destination + " appeared while the backup was written: a backup never replaces a "
          + "file; choose another name (--out)");
    } catch (UnsupportedOperationException | FileSystemException noLinks) {
      if (Files.exists(destination)) {
        throw BackupFailure.refused(destination + " exists already: a backup never replaces a file");
      }
      Files.move(partial, destination, StandardCopyOption.ATOMIC_MOVE);
    }
    try (FileChannel directory = FileChannel.open(destination.toAbsolutePath().getParent(), StandardOpenOption.READ)) {
      directory.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // not every platform syncs a directory; the file itself is synced
    }
  }

  /** A schema name as a pg_dump pattern: quoted, so it matches exactly that name. */
  private static String pattern(String schema) {
    return "\"" + schema.replace("\"", "\"\"") + "\"";
  }

  private static void restrict(Path path, String permissions) throws IOException {
    try {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
    } catch (UnsupportedOperationException notPosix) {
      // Windows: the directory's own access rules apply
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // left behind, under a hidden .partial name
    }
  }
}
