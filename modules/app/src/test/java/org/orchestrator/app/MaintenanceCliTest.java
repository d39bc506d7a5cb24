package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    Eventually.until(node.vertx(), () -> api.get("/api/Jobs?state=Running&size=1", tenant.adminToken())
        .map(r -> r.bodyAsJsonObject().getLong("total")), n -> n == 4, 20_000).await();

    Run started = cli("start", "--phase", "draining", "--kill-after", "10m", "--reason", "upgrade");
    assertEquals(0, started.exit(), started.err());
    Run refused = cli("suspend");
    assertEquals(MaintenanceCli.EXIT_REFUSED, refused.exit(), "Suspended with jobs still running: " + refused.err());
    assertTrue(refused.err().contains("still running"), refused.err());

    Run waited = cli("wait", "--until", "drained", "--timeout", "30s", "--per-tenant");
    assertEquals(0, waited.exit(), waited.err());
    assertTrue(waited.out().contains("reached: drained"));
    assertTrue(waited.err().contains("jobs remaining"), "a progress bar: " + waited.err());

    assertEquals(0, cli("suspend").exit());
    Run status = cli("status");
    assertTrue(status.out().contains("state: Suspended (upgrade)"), status.out());
    Run log = cli("log", "--tenant", Long.toString(tenant.id()));
    assertEquals(0, log.exit(), log.err());
    assertTrue(log.out().contains("stops attempted: 4"), log.out());

    Run ended = cli("--http", "end");
    assertEquals(0, ended.exit(), ended.err());
    assertEquals(MaintenanceCli.EXIT_REFUSED, cli("end").exit(), "End when not in maintenance");
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
}
