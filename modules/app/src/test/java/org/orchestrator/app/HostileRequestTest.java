package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
 * Requests an attacker writes by hand (issue 30), against a real node (raw sockets where the request
 * itself is the attack): forms on reads (item 7), webhook receivers on special-purpose addresses
 * (item 12), JSON that is not strict JSON text, cursors no page gave, and the pages' policy (item
 * 13). After each test: no stack trace and no error in the log.
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
   * Item 13: JSON is UTF-8 text without comments, sent as {@code application/json} (charset utf-8
   * at most). A lone surrogate was stored as {@code ?}, comments and {@code application/jsonx}
   * were accepted; each is now a 400 JSON error and nothing is stored.
   */
  @Test
  void loneSurrogatesCommentsAndLookalikeJsonTypesAre400() {
    Api api = node.api();
    String host = api.signInHostAdmin().await();
    Tenants.Fixture tenant = Tenants.create(api, host, "strict-json", 1).await();
    String admin = tenant.adminToken();
    String robot = tenant.robots().get(0).token();
    String asset = "{\"name\": \"%s\", \"type\": \"Text\", \"value\": \"%s\"}";
    java.util.Map<String, io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer>> refused =
        new java.util.LinkedHashMap<>();
    refused.put("lone high surrogate", json(api, admin, "application/json", asset.formatted("s1", "a\\ud800b")));
    refused.put("lone low surrogate", json(api, admin, "application/json", asset.formatted("s2", "a\\udc00b")));
    refused.put("surrogates in the wrong order", json(api, admin, "application/json",
        asset.formatted("s3", "\\udc00\\ud800")));
    refused.put("high surrogate then a letter escape", json(api, admin, "application/json",
        asset.formatted("s4", "\\ud800\\u0041")));
    refused.put("lone surrogate in a name", json(api, admin, "application/json", asset.formatted("s\\uDBFF", "v")));
    // U+D800 encoded in UTF-8's pattern as if it were a character, and NUL in an overlong two-byte form: neither is UTF-8
    refused.put("surrogate bytes", api.postRaw("/api/Assets", admin, "application/json",
        bytes("{\"name\": \"s5\", \"type\": \"Text\", \"value\": \"a", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            "b\"}")).await());
    refused.put("overlong NUL bytes", api.postRaw("/api/Assets", admin, "application/json",
        bytes("{\"name\": \"s6\", \"type\": \"Text\", \"value\": \"a", new byte[] {(byte) 0xC0, (byte) 0x80}, "b\"}"))
        .await());
    refused.put("block comment", json(api, admin, "application/json",
        "{\"name\": \"c1\" /* a comment */, \"type\": \"Text\", \"value\": \"v\"}"));
    refused.put("line comment", json(api, admin, "application/json",
        "// a comment\n{\"name\": \"c2\", \"type\": \"Text\", \"value\": \"v\"}"));
    refused.put("application/jsonx", json(api, admin, "application/jsonx", asset.formatted("t1", "v")));
    refused.put("application/json-patch+json", json(api, admin, "application/json-patch+json",
        asset.formatted("t2", "v")));
    refused.put("application/json with charset latin-1", json(api, admin, "application/json; charset=iso-8859-1",
        asset.formatted("t3", "v")));
    refused.put("application/json with a made-up parameter", json(api, admin, "application/json; x=1",
        asset.formatted("t4", "v")));
    refused.put("robot heartbeat as application/jsonx", json(api, robot, "application/jsonx", "{}", "/api/robot/heartbeat"));
    refused.put("robot heartbeat with a comment", json(api, robot, "application/json", "{/**/}", "/api/robot/heartbeat"));
    refused.put("robot log line with a lone surrogate", json(api, robot, "application/json",
        "[{\"jobId\": 1, \"level\": \"Info\", \"message\": \"\\ud800\", \"timeStamp\": \"2026-11-24T10:00:00Z\"}]",
        "/api/robot/logs"));
    List<String> problems = new ArrayList<>();
    refused.forEach((what, reply) -> {
      if (reply.statusCode() != 400 || !String.valueOf(reply.getHeader("Content-Type")).startsWith("application/json")
          || !"BAD_REQUEST".equals(reply.bodyAsJsonObject().getString("code"))) {
        problems.add(what + " -> " + reply.statusCode() + " " + reply.bodyAsString());
      }
    });
    assertEquals(List.of(), problems);
    assertEquals(0, api.get("/api/Assets", admin).await().bodyAsJsonObject().getJsonArray("items").size(),
        "nothing stored");
    // what stays accepted: a surrogate pair, escaped or not; the charset parameter, in any case
    for (String[] fine : new String[][] {{"p1", "application/json", "\\ud83d\\ude00"}, {"p2", "application/json",
        "\uD83D\uDE00"}, {"p3", "application/json; charset=utf-8", "a/b \\/ c"}, {"p4", "application/json;charset=\"UTF-8\"", "v"}}) {
      io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer> reply =
          json(api, admin, fine[1], asset.formatted(fine[0], fine[2]));
      assertEquals(201, reply.statusCode(), fine[0] + " " + fine[1] + ": " + reply.bodyAsString());
    }
    assertEquals("\uD83D\uDE00", api.get("/api/Assets", admin).await().bodyAsJsonObject().getJsonArray("items")
        .getJsonObject(0).getString("value"), "a pair is one character, stored as it was sent");
  }

  /** Item 13: the assets list's cursor is an asset name, like the other lists' cursors checked (400). */
  @Test
  void anAssetsCursorThatNoPageGaveIs400() {
    Api api = node.api();
    String host = api.signInHostAdmin().await();
    Tenants.Fixture tenant = Tenants.create(api, host, "cursors", 0).await();
    String admin = tenant.adminToken();
    for (String name : new String[] {"alpha", "beta", "gamma"}) {
      assertEquals(201, api.post("/api/Assets", admin, new io.vertx.core.json.JsonObject().put("name", name)
          .put("type", "Text").put("value", "v")).await().statusCode());
    }
    io.vertx.core.json.JsonObject first = api.get("/api/Assets?size=2", admin).await().bodyAsJsonObject();
    assertEquals("beta", first.getString("next"));
    assertEquals(1, api.get("/api/Assets?size=2&after=beta", admin).await().bodyAsJsonObject().getJsonArray("items")
        .size(), "the cursor a page gave");
    List<String> problems = new ArrayList<>();
    for (String junk : new String[] {"%27%20OR%201%3D1%20--", "..%2F..%2Fetc", "%3Cscript%3E", "a%09b", "%E2%80%AE",
        "x".repeat(129)}) {
      io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer> reply =
          api.get("/api/Assets?after=" + junk, admin).await();
      if (reply.statusCode() != 400 || !reply.bodyAsJsonObject().getString("message", "").contains("after")) {
        problems.add(junk + " -> " + reply.statusCode() + " " + reply.bodyAsString());
      }
    }
    assertEquals(List.of(), problems);
  }

  /**
   * Item 13: the sign-in page, the console and the maintenance panel forbid framing and anything
   * not from this origin (Content-Security-Policy, X-Frame-Options); and they need nothing else: no
   * inline script, style or event handler.
   */
  @Test
  void thePagesSendAStrictContentSecurityPolicyAndCannotBeFramed() {
    List<String> problems = new ArrayList<>();
    for (String page : new String[] {"/identity", "/identity/", "/identity/index.html", "/console/",
        "/console/index.html", "/console/maintenance/", "/console/maintenance/index.html"}) {
      RawHttp.Reply reply = raw.exchange("GET", page, List.of("Accept: text/html"), new byte[0]);
      String policy = String.valueOf(reply.header("Content-Security-Policy"));
      if (reply.status() != 200) {
        problems.add(page + " -> " + reply.status());
      }
      for (String directive : new String[] {"default-src 'none'", "script-src 'self'", "style-src 'self'",
          "connect-src 'self'", "img-src 'self'", "form-action 'self'", "base-uri 'none'", "frame-ancestors 'none'"}) {
        if (!policy.contains(directive)) {
          problems.add(page + ": no " + directive + " in " + policy);
        }
      }
      if (policy.contains("unsafe-")) {
        problems.add(page + ": " + policy);
      }
      if (!"DENY".equals(reply.header("X-Frame-Options"))) {
        problems.add(page + ": X-Frame-Options " + reply.header("X-Frame-Options"));
      }
      String html = reply.body().toString(StandardCharsets.UTF_8);
      java.util.regex.Matcher inline = java.util.regex.Pattern.compile(
          "<script(?![^>]*\\ssrc=)[^>]*>|<style|\\sstyle=|\\son[a-z]+=|javascript:", java.util.regex.Pattern.CASE_INSENSITIVE)
          .matcher(html);
      if (inline.find()) {
        problems.add(page + ": inline " + inline.group() + " (the policy forbids it)");
      }
    }
    assertEquals(List.of(), problems);
  }

  private static io.vertx.core.buffer.Buffer bytes(String before, byte[] middle, String after) {
    return io.vertx.core.buffer.Buffer.buffer(before).appendBytes(middle).appendString(after);
  }

  private static io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer> json(Api api, String token,
      String contentType, String body) {
    return json(api, token, contentType, body, "/api/Assets");
  }

  private static io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer> json(Api api, String token,
      String contentType, String body, String path) {
    return api.postRaw(path, token, contentType, io.vertx.core.buffer.Buffer.buffer(body)).await();
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
