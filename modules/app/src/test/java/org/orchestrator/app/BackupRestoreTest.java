package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.orchestrator.dbadmin.testing.TestDatabase;
import org.orchestrator.platform.database.DatabaseEndpoint;

/**
 * scripts/backup.sh and scripts/restore.sh, run as an operator runs them (bash, the server's settings
 * from config/orchestrator.yaml and ORCH_* variables, paths with spaces), against the embedded
 * default: a node with tenants, jobs, a schedule and robot logs is taken through Draining to
 * Suspended and backed up while it runs; a node started on the restore finds the same phase, tenants,
 * jobs, schedules and logs. And what the scripts refuse: a missing, garbage or truncated file, a
 * target that is not empty or in use, a destination that exists, settings that name nothing. An
 * external database (ORCH_PG_URL, ORCH_PG_SCHEMA) goes the same way into another database.
 */
@Timeout(600)
class BackupRestoreTest {

  private static final Path ROOT = checkout();

  private static Path work;
  private static Path sourceDir;
  private static TestNode source;
  private static Path backup;
  private static Run backedUp;
  private static JsonObject expected;
  private static long finishedJob;

  /** What a script did. */
  record Run(int exit, String out, String err) {

    @Override
    public String toString() {
      return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }

    /** The line of standard output that starts with {@code prefix} (after indentation). */
    String line(String prefix) {
      return out.lines().map(String::trim).filter(line -> line.startsWith(prefix)).findFirst().orElse("(none)");
    }
  }

  @BeforeAll
  static void backUpASuspendedNode() throws Exception {
    requireClientTools();
    work = Files.createTempDirectory("orchestrator backup test");
    sourceDir = work.resolve("source data");
    source = TestNode.start(null, sourceDir);
    Api api = source.api();
    String host = api.signInHostAdmin().await();
    Tenants.Fixture acme = Tenants.create(api, host, "acme", 1).await();
    Tenants.create(api, host, "globex", 0).await();
    Tenants.Robot robot = acme.robots().get(0);

    finishedJob = robot.runJob(acme.adminToken()).await();
    JsonArray lines = new JsonArray();
    for (int i = 0; i < 3; i++) {
      lines.add(new JsonObject().put("jobId", finishedJob).put("level", "Info").put("message", "step " + i + " done")
          .put("timeStamp", Instant.now().toString()));
    }
    Api.expect(robot.logs(lines).await(), 200).await();
    Api.expect(robot.report(finishedJob, "Successful").await(), 200).await();
    long faulted = robot.runJob(acme.adminToken()).await();
    Api.expect(robot.report(faulted, "Faulted").await(), 200).await();
    // pending: created after the robot's last heartbeat, so nobody was given them
    Api.expect(api.post("/api/Jobs", acme.adminToken(), new JsonObject().put("processName", "waits")
        .put("robotId", robot.id())).await(), 201).await();
    Api.expect(api.post("/api/Jobs", acme.adminToken(), new JsonObject().put("processName", "any robot")).await(), 201)
        .await();
    Api.expect(api.post("/api/Schedules", acme.adminToken(), new JsonObject().put("name", "new year")
        .put("processName", "report").put("cron", "0 3 1 1 *").put("timeZone", "UTC")).await(), 201).await();
    expected = contents(api, host, api.signIn("acme", "admin", "admin-password").await());
    assertEquals(4, expected.getJsonArray("jobs").size(), expected.encodePrettily());

    Maintenance maintenance = new Maintenance(api, host);
    maintenance.start("phase=Draining&reason=backup").await();
    Eventually.until(source.vertx(), maintenance::progress, progress -> progress.getInteger("remaining") == 0,
        30_000).await();
    maintenance.start("phase=Suspended").await();
    assertEquals("Suspended", maintenance.get(null).await().getString("state"));

    // from another directory, with a relative --out: the file lands where the caller meant
    backup = work.resolve("backups dir").resolve("first backup.dump");
    backedUp = script(work, Map.of("ORCH_DATA_DIR", sourceDir.toString()), "backup.sh",
        "--out", "backups dir/first backup.dump");
    assertEquals(0, backedUp.exit(), backedUp.toString());
  }

  @AfterAll
  static void stop() throws IOException {
    if (source != null) {
      source.close();
    }
    if (work != null) {
      // the clusters of the source and the restores: some 40 MB each
      try (var paths = Files.walk(work)) {
        for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(path);
        }
      }
    }
  }

  @Test
  void theBackupIsOneWholePrivateFileThatSaysWhatItHolds() throws IOException {
    assertTrue(Files.isRegularFile(backup), backedUp.toString());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(backup)),
        "it holds password hashes and credentials");
    try (var names = Files.list(backup.getParent())) {
      assertEquals(List.of("first backup.dump"), names.map(p -> p.getFileName().toString()).toList(),
          "no temporary file is left beside it");
    }
    assertTrue(backedUp.out().contains("backup: " + backup + " ("), backedUp.toString());
    assertTrue(backedUp.line("holds:").startsWith("holds: phase Suspended (window "), backedUp.toString());
    assertTrue(backedUp.line("holds:").contains("tenants 2,"), backedUp.toString());
    assertTrue(backedUp.line("holds:").contains("jobs 4 (Faulted 1, Pending 2, Successful 1)"), backedUp.toString());
    assertTrue(backedUp.line("holds:").contains("robot logs 3"), backedUp.toString());
    assertTrue(backedUp.line("archive:").contains("7 functions of schema public"), backedUp.toString());
    assertTrue(backedUp.err().contains("running orchestrator's embedded PostgreSQL"), backedUp.toString());
  }

  @Test
  void aNodeOnTheRestoredDatabaseFindsTheSamePhaseTenantsJobsSchedulesAndLogs() throws Exception {
    Path target = work.resolve("restored data");
    Run restored = script(ROOT, Map.of(), "restore.sh", backup.toString(), "--data-dir", target.toString());
    assertEquals(0, restored.exit(), restored.toString());
    assertEquals(backedUp.line("holds:"), restored.line("holds:"), "the restore holds what the backup held");

    try (TestNode node = TestNode.start(null, target)) {
      Api api = node.api();
      String host = api.signInHostAdmin().await();
      Maintenance maintenance = new Maintenance(api, host);
      JsonObject setting = maintenance.get(null).await();
      assertEquals("Suspended", setting.getString("state"), setting.encodePrettily());
      assertEquals("backup", setting.getString("reason"), setting.encodePrettily());
      assertEquals(503, api.get("/api/Tenants", host).await().statusCode(), "the gate is closed as it was");

      maintenance.end().await();
      JsonObject found = contents(api, host, api.signIn("acme", "admin", "admin-password").await());
      assertEquals(expected, found);
    }
  }

  @Test
  void restoreRefusesWhatIsNotAWholeBackupAndTouchesNothing() throws Exception {
    Path target = work.resolve("never written");
    Path garbage = Files.writeString(work.resolve("garbage.dump"), "not a backup\n");
    Path plain = Files.writeString(work.resolve("plain.sql"), "--\n-- PostgreSQL database dump\n--\n");
    byte[] whole = Files.readAllBytes(backup);
    Path truncated = Files.write(work.resolve("truncated.dump"), java.util.Arrays.copyOf(whole, whole.length - 200));

    Run missing = restore(work.resolve("no such backup.dump"), target);
    assertEquals(2, missing.exit(), missing.toString());
    assertTrue(missing.err().contains("no such file: " + work.resolve("no such backup.dump")), missing.toString());
    Run notABackup = restore(garbage, target);
    assertEquals(2, notABackup.exit(), notABackup.toString());
    assertTrue(notABackup.err().contains("is not a backup: not a pg_dump custom-format archive"), notABackup.toString());
    Run sql = restore(plain, target);
    assertEquals(2, sql.exit(), sql.toString());
    assertTrue(sql.err().contains("plain SQL dump"), sql.toString());
    Run cut = restore(truncated, target);
    assertEquals(2, cut.exit(), cut.toString());
    assertTrue(cut.err().contains("is damaged or incomplete"), cut.toString());
    Run usage = script(ROOT, Map.of(), "restore.sh");
    assertEquals(2, usage.exit(), usage.toString());
    assertTrue(usage.err().contains("Missing required parameter: 'FILE'"), usage.toString());

    assertFalse(Files.exists(target), "nothing was created for a file that is not a whole backup");
  }

  @Test
  void restoreRefusesATargetInUseOrNotEmptyAndBackupWorksWithoutARunningServer() throws Exception {
    Run inUse = restore(backup, sourceDir);
    assertEquals(2, inUse.exit(), inUse.toString());
    assertTrue(inUse.err().contains("is using the data directory " + sourceDir), inUse.toString());

    Path target = work.resolve("restored twice");
    Run first = restore(backup, target);
    assertEquals(0, first.exit(), first.toString());
    Run second = restore(backup, target);
    assertEquals(2, second.exit(), second.toString());
    assertTrue(second.err().contains("is not empty"), second.toString());
    assertTrue(second.err().contains("flyway_"), second.toString());

    // no orchestrator runs on it: the backup starts the cluster itself, and stops it after
    Path again = work.resolve("from a stopped server.dump");
    Run stopped = script(ROOT, Map.of("ORCH_DATA_DIR", target.toString()), "backup.sh", "--out", again.toString());
    assertEquals(0, stopped.exit(), stopped.toString());
    assertTrue(stopped.err().contains("no orchestrator runs on it"), stopped.toString());
    assertEquals(backedUp.line("holds:"), stopped.line("holds:"));
    assertFalse(Files.exists(target.resolve("postgres/postmaster.pid")), "the cluster was stopped again");
  }

  @Test
  void backupRefusesOrFailsInOneClearLine() throws Exception {
    Run exists = script(ROOT, Map.of("ORCH_DATA_DIR", sourceDir.toString()), "backup.sh", "--out", backup.toString());
    assertEquals(2, exists.exit(), exists.toString());
    assertTrue(exists.err().contains("exists already: a backup never replaces a file"), exists.toString());

    Run noCluster = script(ROOT, Map.of("ORCH_DATA_DIR", work.resolve("empty dir").toString()), "backup.sh");
    assertEquals(2, noCluster.exit(), noCluster.toString());
    assertTrue(noCluster.err().contains("no embedded PostgreSQL cluster in " + work.resolve("empty dir/postgres")),
        noCluster.toString());
    assertFalse(Files.exists(work.resolve("empty dir")), "nothing was created");

    Run unreachable = script(ROOT, Map.of("ORCH_PG_URL", "postgresql://postgres@127.0.0.1:" + ServerProcess.freePort()
        + "/orchestrator"), "backup.sh", "--out", work.resolve("never.dump").toString());
    assertEquals(1, unreachable.exit(), unreachable.toString());
    assertTrue(unreachable.err().contains("cannot connect to postgresql://postgres@127.0.0.1:"), unreachable.toString());
    assertFalse(Files.exists(work.resolve("never.dump")));

    Run noTools = script(ROOT, Map.of("ORCH_DATA_DIR", sourceDir.toString(), "ORCH_PG_BIN",
        work.resolve("no tools").toString()), "backup.sh", "--out", work.resolve("never.dump").toString());
    assertEquals(1, noTools.exit(), noTools.toString());
    assertTrue(noTools.err().contains("holds no pg_dump"), noTools.toString());

    Run both = script(ROOT, Map.of("ORCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/x"), "backup.sh",
        "--data-dir", sourceDir.toString());
    assertEquals(2, both.exit(), both.toString());
    assertTrue(both.err().contains("--data-dir names an embedded database"), both.toString());

    Run unknown = script(ROOT, Map.of(), "backup.sh", "--bogus");
    assertEquals(2, unknown.exit(), unknown.toString());
    assertTrue(unknown.err().contains("Unknown option: '--bogus'"), unknown.toString());
  }

  @Test
  void anExternalDatabaseIsBackedUpAndRestoredIntoAnotherDatabaseFromTheSameSettings() throws Exception {
    DatabaseEndpoint schema = TestDatabase.newSchema("backup_external");
    String targetDatabase = schema.schema() + "_restored";
    try (TestNode node = TestNode.start(schema, work.resolve("external node data"))) {
      Api api = node.api();
      String host = api.signInHostAdmin().await();
      Tenants.create(api, host, "initech", 1).await();
      Path file = work.resolve("external " + schema.schema() + ".dump");
      Map<String, String> settings = Map.of("ORCH_PG_URL", schema.url(), "ORCH_PG_SCHEMA", schema.schema());
      Run backedUpExternal = script(ROOT, settings, "backup.sh", "--out", file.toString());
      assertEquals(0, backedUpExternal.exit(), backedUpExternal.toString());
      assertTrue(backedUpExternal.line("holds:").contains("tenants 1, users 2, robots 1"), backedUpExternal.toString());

      TestDatabase.execute(schema, "CREATE DATABASE " + targetDatabase);
      try {
        DatabaseEndpoint target = new DatabaseEndpoint(schema.host(), schema.port(), targetDatabase, schema.user(),
            schema.password(), schema.schema());
        Run restored = script(ROOT, Map.of("ORCH_PG_URL", target.url(), "ORCH_PG_SCHEMA", schema.schema()),
            "restore.sh", file.toString());
        assertEquals(0, restored.exit(), restored.toString());
        assertEquals(backedUpExternal.line("holds:"), restored.line("holds:"));
        // the schema the backup holds, or nothing: another schema is refused, not renamed
        Run otherSchema = script(ROOT, Map.of("ORCH_PG_URL", target.url(), "ORCH_PG_SCHEMA", "elsewhere"),
            "restore.sh", file.toString());
        assertEquals(2, otherSchema.exit(), otherSchema.toString());
        assertTrue(otherSchema.err().contains("the backup holds schema " + schema.schema()), otherSchema.toString());
      } finally {
        TestDatabase.execute(schema, "DROP DATABASE IF EXISTS " + targetDatabase);
      }
    }
  }

  /** Tenants, the acme tenant's jobs and schedules, and the finished job's log lines, as the API shows them. */
  private static JsonObject contents(Api api, String hostToken, String tenantToken) {
    JsonArray tenants = project(Api.expect(api.get("/api/Tenants", hostToken).await(), 200).await(), "id", "name");
    JsonArray jobs = project(Api.expect(api.get("/api/Jobs?size=100", tenantToken).await(), 200).await(),
        "id", "state", "processName", "robotId", "createdAt", "endedAt");
    JsonArray schedules = project(Api.expect(api.get("/api/Schedules", tenantToken).await(), 200).await(),
        "id", "name", "processName", "cron", "timeZone", "enabled");
    JsonArray logs = project(Api.expect(api.get("/api/RobotLogs?jobId=" + finishedJob + "&size=100", tenantToken)
        .await(), 200).await(), "id", "jobId", "robotId", "level", "message", "timeStamp");
    return new JsonObject().put("tenants", tenants).put("jobs", jobs).put("schedules", schedules).put("logs", logs);
  }

  private static JsonArray project(JsonObject page, String... fields) {
    JsonArray items = new JsonArray();
    for (Object item : page.getJsonArray("items")) {
      JsonObject projected = new JsonObject();
      for (String field : fields) {
        projected.put(field, ((JsonObject) item).getValue(field));
      }
      items.add(projected);
    }
    return items;
  }

  private static Run restore(Path file, Path dataDir) throws Exception {
    return script(ROOT, Map.of(), "restore.sh", file.toString(), "--data-dir", dataDir.toString());
  }

  /**
   * Runs {@code scripts/<name>} with bash from {@code directory}, with no ORCH_* setting but
   * {@code settings}: the settings come from the checkout's config/orchestrator.yaml as the server's
   * do. The tool runs from this build's classes (ORCH_CLASSPATH), not from a jar.
   */
  private static Run script(Path directory, Map<String, String> settings, String name, String... args)
      throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", ROOT.resolve("scripts").resolve(name).toString()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile("script", ".out");
    Path err = Files.createTempFile("script", ".err");
    ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(key -> key.startsWith("ORCH_"));
    env.putAll(settings);
    env.put("ORCH_CLASSPATH", System.getProperty("java.class.path"));
    env.put("PATH", Path.of(System.getProperty("java.home"), "bin") + java.io.File.pathSeparator
        + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    Process process = builder.start();
    if (!process.waitFor(300, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(name + " did not end in 300 s: " + Files.readString(err));
    }
    Run run = new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
    Files.delete(out);
    Files.delete(err);
    return run;
  }

  private static void requireClientTools() {
    String missing = null;
    try {
      org.orchestrator.dbadmin.backup.PgClientTools.find("pg_dump", System.getenv());
      org.orchestrator.dbadmin.backup.PgClientTools.find("pg_restore", System.getenv());
    } catch (org.orchestrator.dbadmin.backup.BackupFailure e) {
      missing = e.getMessage() + "; scripts/test.sh installs them (postgresql-client) when it runs as root";
    }
    // in CI the install script runs as root, so missing client tools are a fault, not a reason to skip
    if (missing != null && "true".equals(System.getenv("CI"))) {
      org.junit.jupiter.api.Assertions.fail(missing + " (CI=true: required)");
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(missing == null, missing + "; skipped");
  }

  private static Path checkout() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("scripts/backup.sh"))) {
        return dir;
      }
    }
    throw new IllegalStateException("no checkout with scripts/backup.sh above " + Path.of("").toAbsolutePath());
  }
}
