package org.orchestrator.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the tool tells a script: its exit codes and messages for each way a call can end, against
 * a real HTTP server on loopback that answers as the orchestrator's API documents (the whole tool
 * against a real node is {@code MaintenanceCliTest} in app).
 */
class MaintenanceCliExitCodesTest {

  private static Vertx vertx;
  private static int port;
  private static final List<String> requests = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    HttpServer server = vertx.createHttpServer().requestHandler(request -> {
      requests.add(request.method() + " " + request.uri() + " " + request.getHeader("Authorization"));
      String token = request.getHeader("Authorization");
      if (!"Bearer good".equals(token)) {
        request.response().setStatusCode(401).putHeader("Content-Type", "application/json")
            .end(error("UNAUTHORIZED", "a valid bearer token is required", 1401));
      } else if (request.path().equals("/api/Maintenance/Start")) {
        request.response().setStatusCode(409).putHeader("Content-Type", "application/json")
            .end(error("CONFLICT", "cannot suspend: 3 jobs are still running", 1409));
      } else if (request.path().equals("/api/Maintenance/Get")) {
        request.response().putHeader("Content-Type", "application/json")
            .end(new JsonObject().put("state", "Draining").put("reason", "patch night").encode());
      } else {
        request.response().setStatusCode(404).end();
      }
    }).listen(0, "127.0.0.1").await();
    port = server.actualPort();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  private static String error(String code, String message, int errorCode) {
    return new JsonObject().put("code", code).put("message", message).put("errorCode", errorCode).encode();
  }

  private record Outcome(int exit, String out, String err) {
  }

  private static Outcome run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = MaintenanceCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Outcome(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static String url() {
    return "http://127.0.0.1:" + port;
  }

  @Test
  void helpListsTheExitCodes() {
    Outcome help = run("--help");
    assertEquals(0, help.exit());
    assertTrue(help.out().matches("(?s).*Exit codes:.*2 +refused by the server.*64 +usage error.*"), help.out());
  }

  @Test
  void aMistypedCommandLineIsAUsageError() {
    Outcome unknown = run("--no-such-option", "status");
    assertEquals(MaintenanceCli.EXIT_USAGE, unknown.exit());
    assertTrue(unknown.err().contains("--no-such-option"), unknown.err());
    assertEquals(MaintenanceCli.EXIT_USAGE, run("cancel-plan", "not-a-number").exit());
  }

  @Test
  void aStatusIsPrintedAndTheTokenSent() {
    Outcome status = run("--http", "--url", url(), "--token", "good", "status", "--json");
    assertEquals(0, status.exit(), status.err());
    assertEquals("Draining", new JsonObject(status.out()).getString("state"));
    assertTrue(requests.contains("GET /api/Maintenance/Get Bearer good"), requests.toString());
  }

  @Test
  void aRefusalIsExitTwoWithTheServersWords() {
    Outcome refused = run("--http", "--url", url(), "--token", "good", "suspend");
    assertEquals(MaintenanceCli.EXIT_REFUSED, refused.exit(), refused.err());
    assertTrue(refused.err().contains("cannot suspend: 3 jobs are still running"), refused.err());
  }

  @Test
  void aBadTokenIsExitThree() {
    Outcome unauthorized = run("--http", "--url", url(), "--token", "stale", "status");
    assertEquals(MaintenanceCli.EXIT_UNAUTHORIZED, unauthorized.exit(), unauthorized.err());
    assertTrue(unauthorized.err().contains("a valid bearer token is required"), unauthorized.err());
  }

  @Test
  void noServerIsExitFive() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    Outcome unreachable = run("--http", "--url", "http://127.0.0.1:" + closed, "--token", "good", "status");
    assertEquals(MaintenanceCli.EXIT_UNREACHABLE, unreachable.exit(), unreachable.err());
  }
}
