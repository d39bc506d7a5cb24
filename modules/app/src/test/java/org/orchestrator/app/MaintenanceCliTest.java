package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.orchestrator.cli.MaintenanceCli;
import org.orchestrator.simulator.RobotFleet;
import org.orchestrator.simulator.RobotSettings;

/** The operator tool against a real server with simulated robots: start, wait, suspend, end; exit codes. */
@Timeout(120)
class MaintenanceCliTest {

  private static TestNode node;
  private static Tenants.Fixture tenant;
  private static RobotFleet fleet;

  record Run(int exit, String out, String err) {
  }

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start("cli");
    Api api = node.api();
    tenant = Tenants.create(api, api.signInHostAdmin().await(), "cli", 4).await();
    fleet = RobotFleet.deploy(node.vertx(), URI.create("http://127.0.0.1:" + node.port()),
        tenant.robots().stream().map(Tenants.Robot::credentials).toList(),
        RobotSettings.defaults().withHeartbeat(Duration.ofMillis(100)).withJobDuration(Duration.ofMinutes(5))
            .withStopGrace(Duration.ofMillis(1500))).await();
  }

  @AfterAll
  static void stop() throws Exception {
    fleet.close().await();
    node.close();
  }

  private static Run cli(String... args) {
    List<String> all = new ArrayList<>(List.of("--url", "http://127.0.0.1:" + node.port(),
        "--bridge", "127.0.0.1:" + node.bridgePort(), "--password", TestNode.ADMIN_PASSWORD));
    all.addAll(List.of(args));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = MaintenanceCli.run(all.toArray(String[]::new), new PrintStream(out, true), new PrintStream(err, true));
    return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void startWaitSuspendEndDriveTheServer() throws Exception {
    Api api = node.api();
    for (Tenants.Robot robot : tenant.robots()) {
      Api.expect(api.post("/api/Jobs", tenant.adminToken(), new JsonObject().put("processName", "long")
          .put("robotId", robot.id())).await(), 201).await();
    }
    Eventually.until(node.vertx(), () -> api.count("/api/Jobs?state=Running", tenant.adminToken()), n -> n == 4, 20_000).await();

    Run started = cli("start", "--phase", "draining", "--kill-after", "10m", "--reason", "upgrade");
    assertEquals(0, started.exit(), started.err());
    Run refused = cli("suspend");
    assertEquals(MaintenanceCli.EXIT_REFUSED, refused.exit(), "Suspended with jobs still running: " + refused.err());
    assertTrue(refused.err().contains("still running"), refused.err());

    Run waited = cli("wait", "--until", "drained", "--timeout", "30s", "--per-tenant");
    assertEquals(0, waited.exit(), waited.err());
    assertTrue(waited.out().contains("reached: drained"));
    assertTrue(waited.err().contains("jobs remaining"), "a progress bar: " + waited.err());
    assertTrue(!waited.err().contains("\r"), "into a file or pipe the bar prints lines, no carriage returns");
    assertTrue(waited.err().contains("cli: "), "--per-tenant names the tenant: " + waited.err());
    assertTrue(waited.err().contains("kill deadline in "), "the deadline counts down: " + waited.err());
    // into a file, a line per change of the phase or the counts, not one a second as the clocks tick
    List<String> changes = waited.err().lines().filter(line -> line.contains("jobs remaining"))
        .map(line -> line.replaceAll(", ~\\d+ s|, kill deadline in \\d+ s", "")).toList();
    for (int i = 1; i < changes.size(); i++) {
      assertNotEquals(changes.get(i - 1), changes.get(i), "a line only when something changed: " + waited.err());
    }

    assertEquals(0, cli("suspend").exit());
    Run status = cli("status");
    assertTrue(status.out().contains("state: Suspended (upgrade)"), status.out());
    Run log = cli("log", "--tenant", "cli");
    assertEquals(0, log.exit(), log.err());
    assertTrue(log.out().contains("stops attempted: 4"), log.out());
    // a table of the window's jobs, each with what became of it, not raw JSON
    assertTrue(log.out().contains("jobs (4):\n  JOB        PROCESS                        OUTCOME            STATE\n"), log.out());
    assertEquals(4, log.out().lines().filter(line -> line.matches("  \\d+ +long +Stopped +Stopped")).count(), log.out());
    assertTrue(!log.out().contains("[{"), "no raw JSON: " + log.out());

    Run ended = cli("--http", "end");
    assertEquals(0, ended.exit(), ended.err());
    // the tenant's record of the window ended keeps what the window was
    Run history = cli("log", "--tenant", "cli");
    assertTrue(history.out().lines().anyMatch(line -> line.matches("  \\d+ +\\S+ +\\S+ +4 +0 +\\d+  admin / upgrade")),
        history.out());
    JsonObject record = Api.expect(api.get("/api/Maintenance/History?tenantId=" + tenant.id(), tenant.adminToken())
        .await(), 200).await().getJsonArray("items").getJsonObject(0);
    assertEquals("upgrade", record.getString("reason"), record.encode());
    assertEquals("PT10M", record.getString("killAfter"), record.encode());
    assertEquals(List.of("Draining", "Suspended", "None"), record.getJsonArray("timeline").stream()
        .map(step -> ((JsonObject) step).getString("phase")).toList(), record.encode());
    assertEquals(4, record.getJsonArray("jobs").size(), record.encode());
    Run after = cli("status");
    assertTrue(after.out().startsWith("state: None (not in maintenance)\nlast window: upgrade, "), after.out());
    assertTrue(after.out().contains("stops attempted: 4"), "the last window's counts, told as its: " + after.out());
    assertTrue(after.out().matches("(?s).*\nreturn after End: \\d+ of \\d+ robots back, \\d+ jobs waiting to be handed out.*"),
        "the fleet's return: " + after.out());
    assertTrue(!after.out().contains("remaining jobs"), "nothing is draining: " + after.out());
    assertEquals(MaintenanceCli.EXIT_REFUSED, cli("end").exit(), "End when not in maintenance");
  }

  @Test
  void planPlansAndCancelPlanOverTheBridgeAndOverHttp() {
    for (boolean http : new boolean[] {false, true}) {
      List<String> via = http ? List.of("--http") : List.of();
      List<String> plan = new ArrayList<>(via);
      plan.addAll(List.of("plan", "--drain-at", "+2h", "--expected-end", "+90m", "--kill-after", "15m",
          "--auto-suspend", "--reason", "cli plan"));
      Run planned = cli(plan.toArray(String[]::new));
      assertEquals(0, planned.exit(), planned.err());
      assertTrue(planned.out().matches("(?s)plan \\d+: Planned, drains at .*, expected end .*, kill after PT15M, "
          + "auto-suspend \\(cli plan\\)\\s*"), planned.out());
      String id = planned.out().replaceAll("(?s)^plan (\\d+):.*", "$1");

      List<String> list = new ArrayList<>(via);
      list.add("plans");
      Run listed = cli(list.toArray(String[]::new));
      assertEquals(0, listed.exit(), listed.err());
      assertTrue(listed.out().contains("plan " + id + ": Planned"), listed.out());

      List<String> cancel = new ArrayList<>(via);
      cancel.addAll(List.of("cancel-plan", id));
      Run cancelled = cli(cancel.toArray(String[]::new));
      assertEquals(0, cancelled.exit(), cancelled.err());
      assertTrue(cancelled.out().startsWith("plan " + id + ": Cancelled"), cancelled.out());
      Run again = cli(cancel.toArray(String[]::new));
      assertEquals(MaintenanceCli.EXIT_REFUSED, again.exit(), "cancelled once: " + again.err());
    }
    assertEquals(MaintenanceCli.EXIT_USAGE, cli("plan", "--drain-at", "soon", "--reason", "x").exit());
    assertEquals(MaintenanceCli.EXIT_REFUSED, cli("plan", "--drain-at", "2020-01-01T00:00:00Z", "--reason", "x").exit(),
        "a moment in the past is refused by the server");
  }

  @Test
  void exemptionsAreAddedListedAndRemovedOverTheBridgeAndOverHttp() {
    for (boolean http : new boolean[] {false, true}) {
      List<String> via = http ? List.of("--http") : List.of();
      List<String> add = new ArrayList<>(via);
      add.addAll(List.of("exemptions", "add", "--tenant", "cli", "--process", "Payroll run", "--reason", "month end"));
      Run added = cli(add.toArray(String[]::new));
      assertEquals(0, added.exit(), added.err());
      assertTrue(added.out().contains("tenant " + tenant.id() + " (cli)  Payroll run  (month end)"), added.out());
      assertTrue(added.out().contains("in effect now: none (only while Draining)"), added.out());
      List<String> list = new ArrayList<>(via);
      list.addAll(List.of("exemptions", "--json"));
      Run listed = cli(list.toArray(String[]::new));
      assertEquals(0, listed.exit(), listed.err());
      assertEquals("Payroll run", new io.vertx.core.json.JsonObject(listed.out()).getJsonArray("items")
          .getJsonObject(0).getString("processName"), listed.out());
      List<String> remove = new ArrayList<>(via);
      remove.addAll(List.of("exemptions", "remove", "--tenant", "cli", "--process", "Payroll run"));
      Run removed = cli(remove.toArray(String[]::new));
      assertEquals(0, removed.exit(), removed.err());
      assertTrue(removed.out().contains("no exempt processes"), removed.out());
      Run again = cli(remove.toArray(String[]::new));
      assertEquals(MaintenanceCli.EXIT_REFUSED, again.exit(), "not exempt any more: " + again.out());
    }
    Run bad = cli("exemptions", "add", "--tenant", "cli", "--process", "p", "--reason", "r".repeat(501));
    assertEquals(MaintenanceCli.EXIT_REFUSED, bad.exit(), "the server refuses a reason too long: " + bad.err());
  }

  @Test
  void exitCodesAreAsDocumented() {
    Run timeout = cli("wait", "--until", "suspended", "--timeout", "2s");
    assertEquals(MaintenanceCli.EXIT_TIMEOUT, timeout.exit(), timeout.err());
    assertEquals(MaintenanceCli.EXIT_REFUSED, cli("start", "--phase", "sideways").exit());
    assertEquals(MaintenanceCli.EXIT_USAGE, cli("start").exit());
    assertEquals(MaintenanceCli.EXIT_USAGE, cli("wait", "--until", "drained", "--timeout", "soon").exit());
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    int wrongPassword = MaintenanceCli.run(new String[] {"--url", "http://127.0.0.1:" + node.port(), "--bridge",
        "127.0.0.1:" + node.bridgePort(), "--password", "wrong", "status"}, new PrintStream(sink), new PrintStream(sink));
    assertEquals(MaintenanceCli.EXIT_UNAUTHORIZED, wrongPassword);
    int badToken = MaintenanceCli.run(new String[] {"--bridge", "127.0.0.1:" + node.bridgePort(), "--token", "x",
        "status"}, new PrintStream(sink), new PrintStream(sink));
    assertEquals(MaintenanceCli.EXIT_UNAUTHORIZED, badToken);
    int unreachable = MaintenanceCli.run(new String[] {"--bridge", "127.0.0.1:1", "--token", "x", "status"},
        new PrintStream(sink), new PrintStream(sink));
    assertEquals(MaintenanceCli.EXIT_UNREACHABLE, unreachable);
  }

  /**
   * The tool as a user runs it: its own process from the built jar, the server named only by the
   * same settings the server reads (config/orchestrator.yaml, ORCH_HTTP_PORT, ORCH_BRIDGE_PORT).
   */
  @Test
  void oneTenantsWindowOverTheBridgeAndOverHttp() throws Exception {
    for (List<String> transport : List.of(List.<String>of(), List.of("--http"))) {
      List<String> start = new ArrayList<>(transport);
      start.addAll(List.of("start", "--phase", "draining", "--tenant", "cli", "--reason", "moving its database"));
      Run started = cli(start.toArray(String[]::new));
      assertEquals(0, started.exit(), started.err());
      assertTrue(started.out().contains("maintenance of tenant cli: draining"), started.out());
      List<String> status = new ArrayList<>(transport);
      status.addAll(List.of("status", "--tenant", "cli"));
      Run own = cli(status.toArray(String[]::new));
      assertEquals(0, own.exit(), own.err());
      assertTrue(own.out().contains("its own window: state: Draining (moving its database)"), own.out());
      Run platform = cli(transport.isEmpty() ? new String[] {"status"} : new String[] {"--http", "status"});
      assertTrue(platform.out().contains("state: None") && platform.out().contains("in its own window: Draining"),
          platform.out());
      List<String> end = new ArrayList<>(transport);
      end.addAll(List.of("end", "--tenant", "cli"));
      Run ended = cli(end.toArray(String[]::new));
      assertEquals(0, ended.exit(), ended.err());
    }
    Run nobody = cli("end", "--tenant", "cli");
    assertEquals(MaintenanceCli.EXIT_REFUSED, nobody.exit(), nobody.err());
  }

  @Test
  void theToolFindsItsServerFromTheServersSettingsAndSaysWhichItIs() throws Exception {
    Run status = process(List.of("status"));
    assertEquals(0, status.exit(), status.err());
    assertTrue(status.err().contains("server http://localhost:" + node.port() + ", bridge 127.0.0.1:"
        + node.bridgePort()), status.err());
    assertTrue(status.out().contains("state: None"), status.out());

    Run byName = process(List.of("log", "--tenant", "cli"));
    assertEquals(0, byName.exit(), "a tenant by its name: " + byName.err());

    Run missingFile = process(List.of("--password-file", "/nonexistent/initial-admin-password", "status"));
    assertEquals(MaintenanceCli.EXIT_USAGE, missingFile.exit(), missingFile.err());
    assertTrue(missingFile.err().contains("no password file /nonexistent/initial-admin-password"), missingFile.err());
    assertTrue(!missingFile.err().contains("Exception"), "no exception names: " + missingFile.err());

    Run help = process(List.of("start", "--help"));
    assertEquals(0, help.exit(), help.err());
    assertTrue(help.out().contains("--phase"), help.out());

    Run notInMaintenance = process(List.of("wait", "--until", "drained", "--timeout", "5m"));
    assertEquals(MaintenanceCli.EXIT_REFUSED, notInMaintenance.exit(), "at once, not after 5 minutes: "
        + notInMaintenance.err());
    assertTrue(notInMaintenance.err().contains("not in maintenance"), notInMaintenance.err());
  }

  private static Run process(List<String> args) throws Exception {
    java.nio.file.Path root = java.nio.file.Path.of("../..").toAbsolutePath().normalize();
    List<String> command = new ArrayList<>(List.of(java.nio.file.Path.of(System.getProperty("java.home"), "bin",
        "java").toString(), "-jar", root.resolve("modules/cli/target/maintenance-cli.jar").toString()));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).directory(root.resolve("modules/app").toFile());
    builder.environment().put("ORCH_CONFIG", root.resolve("config/orchestrator.yaml").toString());
    builder.environment().put("ORCH_HTTP_PORT", Integer.toString(node.port()));
    builder.environment().put("ORCH_BRIDGE_PORT", Integer.toString(node.bridgePort()));
    builder.environment().put("ORCH_PASSWORD", TestNode.ADMIN_PASSWORD);
    builder.environment().remove("ORCH_URL");
    builder.environment().remove("ORCH_BRIDGE");
    java.io.File out = java.io.File.createTempFile("cli-out", ".txt");
    java.io.File err = java.io.File.createTempFile("cli-err", ".txt");
    Process process = builder.redirectOutput(out).redirectError(err).start();
    if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the tool did not finish within 60 s: " + args);
    }
    return new Run(process.exitValue(), java.nio.file.Files.readString(out.toPath()),
        java.nio.file.Files.readString(err.toPath()));
  }
}
