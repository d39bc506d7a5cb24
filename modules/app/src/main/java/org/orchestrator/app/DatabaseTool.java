package org.orchestrator.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.orchestrator.dbadmin.backup.BackupArchive;
import org.orchestrator.dbadmin.backup.BackupFailure;
import org.orchestrator.dbadmin.backup.DatabaseAccess;
import org.orchestrator.dbadmin.backup.DatabaseBackup;
import org.orchestrator.dbadmin.backup.PgClientTools;
import org.orchestrator.platform.config.ConfigLoader;
import org.orchestrator.platform.config.OrchestratorConfig;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code scripts/backup.sh} and {@code scripts/restore.sh}: a pg_dump (custom format) of the
 * orchestrator's schema, and its restore into an empty database. Both find the database from the
 * server's own settings ({@code config/orchestrator.yaml} or {@code ORCH_CONFIG}, {@code ORCH_DATA_DIR},
 * {@code ORCH_PG_URL}, {@code ORCH_PG_SCHEMA}), read from the server's working directory as
 * {@code scripts/run.sh} does; paths on the command line are the user's, read from where the script
 * was called ({@code -Dorchestrator.userDir}). Exit codes: 0 done, 2 usage or refused (bad input, a
 * missing or damaged file, a target that is not empty or in use), 1 failed.
 */
public final class DatabaseTool {

  private DatabaseTool() {
  }

  public static void main(String[] args) {
    quietLogging();
    System.exit(run(args, System.getenv(), System.out, System.err));
  }

  /** Runs {@code backup ...} or {@code restore ...}; returns the exit code. */
  static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err) {
    if (args.length == 0 || !(args[0].equals("backup") || args[0].equals("restore"))) {
      err.println("usage: DatabaseTool backup|restore [options] (scripts/backup.sh, scripts/restore.sh)");
      return BackupFailure.REFUSED;
    }
    Tool tool = args[0].equals("backup") ? new Backup() : new Restore();
    tool.environment = environment;
    tool.out = out;
    tool.err = err;
    CommandLine line = new CommandLine(tool);
    line.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
    line.setParameterExceptionHandler((e, ignored) -> {
      err.println(tool.name() + ": " + e.getMessage() + " (--help lists the options)");
      return BackupFailure.REFUSED;
    });
    line.setExecutionExceptionHandler((e, commandLine, result) -> {
      if (e instanceof BackupFailure failure) {
        err.println(tool.name() + ": " + failure.getMessage());
        return failure.exitCode();
      }
      err.println(tool.name() + ": failed: " + e);
      return BackupFailure.FAILED;
    });
    String[] rest = new String[args.length - 1];
    System.arraycopy(args, 1, rest, 0, rest.length);
    return line.execute(rest);
  }

  abstract static class Tool implements Callable<Integer> {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;

    Map<String, String> environment;
    PrintStream out;
    PrintStream err;

    @Option(names = "--data-dir", paramLabel = "DIR",
        description = "the data directory whose embedded PostgreSQL to use (default: the server's dataDir, "
            + "ORCH_DATA_DIR)")
    Path dataDir;

    abstract String name();

    /** The server's settings, with {@code --data-dir} in place of its dataDir. */
    OrchestratorConfig settings() {
      Map<String, String> env = new HashMap<>(environment);
      if (dataDir != null) {
        env.put("ORCH_DATA_DIR", user(dataDir).toString());
      }
      Vertx vertx = Vertx.vertx();
      try {
        OrchestratorConfig config = ConfigLoader.load(vertx, env).await();
        if (dataDir != null && !config.database().embedded()) {
          throw BackupFailure.refused("--data-dir names an embedded database, but the settings name an external one "
              + "(database.url, ORCH_PG_URL): leave out one of them");
        }
        return config;
      } catch (BackupFailure e) {
        throw e;
      } catch (RuntimeException e) {
        throw BackupFailure.refused("the settings do not load: " + e.getMessage());
      } finally {
        vertx.close().await();
      }
    }

    /** A path from the command line, read from the directory the script was called in. */
    Path user(Path path) {
      Path base = Path.of(System.getProperty("orchestrator.userDir", System.getProperty("user.dir")));
      return base.resolve(path).toAbsolutePath().normalize();
    }
  }

  @Command(name = "backup.sh", sortOptions = false,
      description = {"Writes a consistent pg_dump (custom format) of the orchestrator's schema: the embedded "
          + "PostgreSQL of the data directory (through the running server, or started for the backup when none "
          + "runs) or the external one of ORCH_PG_URL. The file is written under a temporary name and appears "
          + "only when complete; it is never replaced. Take it while Suspended (docs/operations.md)."},
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {"0:written", "2:usage, or nothing to back up, or the file exists", "1:failed"})
  static final class Backup extends Tool {

    @Option(names = "--out", paramLabel = "FILE",
        description = "where to write it (default: backups/orchestrator-<UTC time>.dump beside the data directory)")
    Path file;

    @Override
    String name() {
      return "backup";
    }

    @Override
    public Integer call() throws Exception {
      OrchestratorConfig config = settings();
      Path destination = file != null ? user(file) : config.dataDir().resolveSibling("backups").resolve(
          "orchestrator-" + ("public".equals(config.database().schema()) ? "" : config.database().schema() + "-")
              + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss'Z'").format(ZonedDateTime.now(ZoneOffset.UTC)) + ".dump");
      DatabaseBackup.checkDestination(destination);
      PgClientTools.Tool pgDump = PgClientTools.find("pg_dump", environment);
      PgClientTools.Tool pgRestore = PgClientTools.find("pg_restore", environment);
      try (DatabaseAccess database = config.database().embedded()
          ? DatabaseAccess.embeddedToRead(config.dataDir(), config.database().schema())
          : DatabaseAccess.external(config.database().url(), config.database().schema())) {
        err.println("backup: " + database.description() + "; " + pgDump);
        DatabaseBackup.Written written = DatabaseBackup.backup(database, pgDump, pgRestore, destination);
        BackupArchive archive = written.archive();
        out.println("backup: " + archive.file() + " (" + BackupArchive.size(archive.bytes()) + ")");
        out.println("  holds: " + written.summary().describe());
        out.println("  archive: " + archive.describe());
        if (!"Suspended".equals(written.summary().phase())) {
          err.println("backup: note: taken in phase " + written.summary().phase() + ", not Suspended: it is "
              + "consistent, but work done after it is not in it (the runbook takes it while Suspended)");
        }
      }
      return 0;
    }
  }

  @Command(name = "restore.sh", sortOptions = false,
      description = {"Restores a backup of scripts/backup.sh into an empty database: the embedded PostgreSQL of "
          + "--data-dir (or of the settings' data directory; created when new; no orchestrator may run on it), or "
          + "the external one of ORCH_PG_URL, in the schema of database.schema (ORCH_PG_SCHEMA). Refuses a target "
          + "that holds tables already; restores everything or nothing (one transaction)."},
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {"0:restored", "2:usage, a missing or damaged file, or a target not empty or in use",
          "1:failed"})
  static final class Restore extends Tool {

    @Parameters(paramLabel = "FILE", description = "the backup (custom-format pg_dump archive)")
    Path file;

    @Override
    String name() {
      return "restore";
    }

    @Override
    public Integer call() throws Exception {
      Path backup = user(file);
      BackupArchive.checkFile(backup);
      OrchestratorConfig config = settings();
      PgClientTools.Tool pgRestore = PgClientTools.find("pg_restore", environment);
      BackupArchive archive = BackupArchive.open(backup, pgRestore);
      err.println("restore: " + backup + " (" + BackupArchive.size(archive.bytes()) + "): " + archive.describe());
      String schema = config.database().schema();
      if (!archive.schema().equals(schema)) {
        throw BackupFailure.refused("the backup holds schema " + archive.schema() + ", the target settings name schema "
            + schema + " (database.schema, ORCH_PG_SCHEMA): set ORCH_PG_SCHEMA=" + archive.schema()
            + " for the restore and for the nodes that use it");
      }
      try (DatabaseAccess database = config.database().embedded()
          ? DatabaseAccess.embeddedToWrite(config.dataDir(), schema)
          : DatabaseAccess.external(config.database().url(), schema)) {
        err.println("restore: into " + database.description() + "; " + pgRestore);
        DatabaseBackup.Restored restored = DatabaseBackup.restore(archive, database, pgRestore);
        out.println("restored: " + backup + " into " + database.description());
        out.println("  holds: " + restored.summary().describe());
        out.println("  next: start the orchestrator on it" + (config.database().embedded()
            ? " (ORCH_DATA_DIR=" + config.dataDir() + ")" : "")
            + "; tokens signed before stay valid only with the same signing key (copy jwt/ of the old data "
            + "directory, or ORCH_KEY_DIR), else everyone signs in again");
      }
      return 0;
    }
  }

  /** Warnings and errors only, to stderr: standard output is the tool's answer. */
  private static void quietLogging() {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    context.reset();
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern("%level %logger{0}: %msg%n");
    encoder.start();
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(context);
    appender.setTarget("System.err");
    appender.setEncoder(encoder);
    appender.start();
    ch.qos.logback.classic.Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.WARN);
    root.addAppender(appender);
  }
}
