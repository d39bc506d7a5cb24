package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * Requests an attacker writes by hand (issue 30), over raw sockets against a real node: bodies on
 * reads, and no stack trace in the log for any of them.
 */
@Timeout(120)
class HostileRequestTest {

  private static TestNode node;
  private static RawHttp raw;
  private static final ListAppender<ILoggingEvent> LOGS = new ListAppender<>();

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start("hostile-request");
    raw = new RawHttp(node.vertx(), node.port(), null);
    LOGS.start();
    root().addAppender(LOGS);
  }

  @AfterEach
  void noStackTraceNorErrorLogged() {
    List<String> bad = new ArrayList<>();
    synchronized (LOGS) {
      LOGS.list.stream().filter(event -> event.getThrowableProxy() != null || event.getLevel().isGreaterOrEqual(Level.ERROR))
          .forEach(event -> bad.add(event.getLoggerName() + ": " + event.getFormattedMessage()));
      LOGS.list.clear();
    }
    assertEquals(List.of(), bad, "no stack trace and no error logged");
  }

  @AfterAll
  static void stop() throws Exception {
    root().detachAppender(LOGS);
    node.close();
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  /**
   * Item 12, through registration (the node refuses private receivers, the default): the addresses
   * issue 30 found accepted are refused with a 400 JSON error naming the reason, and nothing is
   * registered. Nothing is ever sent to them.
   */
  @Test
  void webhookRegistrationRefusesSpecialPurposeAndNonCanonicalAddresses() {
    Api api = node.api();
    String host = api.signInHostAdmin().await();
    Tenants.Fixture tenant = Tenants.create(api, host, "hooks", 0).await();
    List<String> problems = new ArrayList<>();
    for (String target : new String[] {"[::127.0.0.1]", "[::7f00:1]", "[64:ff9b::7f00:1]", "[2002:7f00:1::]",
        "[::ffff:0:7f00:1]", "0.0.0.1", "198.18.0.1", "192.0.0.1", "240.0.0.1", "0177.0.0.1"}) {
      io.vertx.core.json.JsonObject body = new io.vertx.core.json.JsonObject().put("url", "http://" + target + "/hook")
          .put("secret", "0123456789abcdef").put("events", new io.vertx.core.json.JsonArray().add("maintenance.draining"));
      io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer> reply =
          api.post("/api/Webhooks", tenant.adminToken(), body).await();
      if (reply.statusCode() != 400 || !reply.bodyAsJsonObject().getString("message", "").contains("url's host")) {
        problems.add(target + " -> " + reply.statusCode() + " " + reply.bodyAsString());
      }
    }
    assertEquals(List.of(), problems);
    assertEquals(0, api.get("/api/Webhooks", tenant.adminToken()).await().bodyAsJsonObject()
        .getJsonArray("items").size(), "nothing registered");
  }

  /** Item 7: a form or multipart body on GET, HEAD or OPTIONS, no token: never a 500. */
  @Test
  void aFormOrMultipartBodyOnAReadIsNeverA500() {
    String boundary = "----b0undary";
    byte[] form = "a=b&c=d".getBytes(StandardCharsets.UTF_8);
    byte[] multipart = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--" + boundary
        + "--\r\n").getBytes(StandardCharsets.UTF_8);
    List<String> problems = new ArrayList<>();
    for (String method : new String[] {"GET", "HEAD", "OPTIONS"}) {
      for (String target : new String[] {"/api/Jobs", "/health/ready", "/console/", "/identity", "/nowhere",
          "/api/Maintenance/Get"}) {
        RawHttp.Reply withForm = raw.exchange(method, target, List.of("Content-Type: application/x-www-form-urlencoded"),
            form);
        RawHttp.Reply withParts = raw.exchange(method, target,
            List.of("Content-Type: multipart/form-data; boundary=" + boundary), multipart);
        for (RawHttp.Reply reply : List.of(withForm, withParts)) {
          if (reply.status() >= 500) {
            problems.add(method + " " + target + " -> " + reply.status() + " " + reply.body());
          }
          if (reply.status() >= 400 && !"HEAD".equals(method) && !String.valueOf(reply.contentType())
              .startsWith("application/json")) {
            problems.add(method + " " + target + " -> " + reply.status() + " not JSON: " + reply.contentType());
          }
        }
      }
    }
    assertEquals(List.of(), problems);
    assertEquals(200, raw.exchange("GET", "/health/ready", List.of(), new byte[0]).status(), "still serving");
  }
}
