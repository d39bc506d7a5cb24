package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.orchestrator.app.RawHttp.Reply;
import org.orchestrator.cli.MaintenanceCli;
import org.slf4j.LoggerFactory;

/**
 * Every query and path value reaches its handler exactly as the client encoded it: decoded once,
 * {@code +} a space in a query and a plus in a path, {@code %2B} a plus, nothing read as JSON.
 * Requests go out through Vert.x's core HTTP client, which sends the URI byte for byte as written
 * here; each value is checked where the server stores or echoes it. The string parameters are
 * read from openapi.json, so a new one fails {@link #everyStringParameterOfTheContractIsChecked}
 * until it is checked here.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class QueryEncodingTest {

  /** What a client sent (raw, as it appears in the URI) and what it meant. */
  record Sample(String raw, String meant) {
  }

  /** A parameter of the contract, its schema resolved. */
  record ContractParameter(String operationId, String method, String path, String name, String in,
      JsonObject schema) {

    String key() {
      return operationId + ":" + name;
    }
  }

  /** The table first, then what else a reason, a name or a filter may hold. */
  private static final List<Sample> SAMPLES = List.of(
      new Sample("50%25%20done", "50% done"),
      new Sample("%2541", "%41"),
      new Sample("a%2Bb", "a+b"),
      new Sample("%22quoted%22", "\"quoted\""),
      new Sample("say%20%22hi%22", "say \"hi\""),
      new Sample("%2525", "%25"),
      new Sample("%25", "%"),
      new Sample("a+b", "a b"),
      new Sample("%2B", "+"),
      new Sample("%22q%22", "\"q\""),
      new Sample("x%26y%3Dz", "x&y=z"),
      new Sample("%26%3D", "&="),
      new Sample("a;b", "a;b"),
      new Sample("caf%C3%A9", "caf\u00e9"),
      new Sample("%C3%A9", "\u00e9"),
      new Sample("%E2%9C%93%F0%9F%98%80", "\u2713\uD83D\uDE00"),
      new Sample("%E4%B8%AD%E6%96%87", "\u4e2d\u6587"),
      new Sample("1.5", "1.5"),
      new Sample("%7B%7D", "{}"),
      new Sample("%5B1%5D", "[1]"),
      new Sample("%5C%22", "\\\""),
      new Sample("%27%27", "''"),
      new Sample("tab%09nl%0A", "tab\tnl\n"),
      new Sample("%3C%3E", "<>"),
      new Sample("", ""));

  private static TestNode node;
  private static RawHttp http;
  private static String host;
  private static Tenants.Fixture tenant;
  private static long jobId;
  private static JsonObject contract;
  private static Api api;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start("query-encoding");
    http = new RawHttp(node.vertx(), node.port(), null);
    api = node.api();
    host = api.signInHostAdmin().await();
    tenant = Tenants.create(api, host, "encoding", 1).await();
    jobId = Api.expect(api.post("/api/Jobs", tenant.adminToken(), new JsonObject().put("processName", "p")).await(), 201)
        .await().getLong("id");
    contract = new JsonObject(Buffer.buffer(QueryEncodingTest.class.getClassLoader()
        .getResourceAsStream("openapi.json").readAllBytes()));
  }

  /** A test that failed half-way must not leave the next one behind the maintenance gate. */
  @AfterEach
  void endMaintenance() {
    outOfMaintenance();
  }

  /** The tenant's lists are behind the gate: the maintenance checks before them leave a window open. */
  private static void outOfMaintenance() {
    if (!"None".equals(phase())) {
      assertEquals(204, http.send(HttpMethod.POST, "/api/Maintenance/End", host, null).status());
    }
  }

  @AfterAll
  static void stop() throws Exception {
    http.close();
    node.close();
  }

  private static String phase() {
    return http.send(HttpMethod.GET, "/api/Maintenance/Get", host, null).json().getString("state");
  }

  /** Every parameter of the contract, {@code $ref} schemas resolved. */
  private static List<ContractParameter> contractParameters() {
    List<ContractParameter> found = new ArrayList<>();
    JsonObject schemas = contract.getJsonObject("components").getJsonObject("schemas");
    JsonObject paths = contract.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      for (String method : paths.getJsonObject(path).fieldNames()) {
        JsonObject operation = paths.getJsonObject(path).getJsonObject(method);
        for (Object p : operation.getJsonArray("parameters", new JsonArray())) {
          JsonObject parameter = (JsonObject) p;
          JsonObject schema = parameter.getJsonObject("schema");
          if (schema.containsKey("$ref")) {
            schema = schemas.getJsonObject(schema.getString("$ref").substring("#/components/schemas/".length()));
          }
          found.add(new ContractParameter(operation.getString("operationId"), method, path,
              parameter.getString("name"), parameter.getString("in"), schema));
        }
      }
    }
    return found;
  }

  private static List<ContractParameter> contractParameters(String in, String type) {
    return contractParameters().stream()
        .filter(p -> p.in().equals(in) && type.equals(p.schema().getString("type"))).toList();
  }

  /** "operationId:name" of every string parameter {@code in} query or path, with its maxLength (or none). */
  private static Map<String, Integer> stringParameters(String in) {
    Map<String, Integer> found = new LinkedHashMap<>();
    contractParameters(in, "string").forEach(p -> found.put(p.key(), p.schema().getInteger("maxLength",
        Integer.MAX_VALUE)));
    return found;
  }

  /** One check per string query parameter: null when the sample arrived exactly, else what went wrong. */
  private static final Map<String, BiFunction<Sample, Integer, String>> QUERY_CHECKS = Map.ofEntries(
      Map.entry("maintenanceStart:reason", QueryEncodingTest::reasonIsStoredExactly),
      Map.entry("maintenanceStart:phase", (s, max) -> echoed(HttpMethod.POST, "/api/Maintenance/Start?phase=" + s.raw(),
          s.meant().isBlank() ? "phase is required: Draining or Suspended"
              : "phase must be Draining or Suspended, not '" + s.meant() + "'")),
      Map.entry("maintenanceStart:killJobs", (s, max) -> flagEchoed("killJobs", s)),
      Map.entry("maintenanceStart:force", (s, max) -> flagEchoed("force", s)),
      Map.entry("maintenanceStart:autoSuspend", (s, max) -> flagEchoed("autoSuspend", s)),
      Map.entry("maintenanceStart:killAfter", (s, max) -> s.meant().isEmpty() ? null : echoed(HttpMethod.POST,
          "/api/Maintenance/Start?phase=Draining&killAfter=" + s.raw(),
          "killAfter must be an ISO-8601 duration such as PT15M, not '" + s.meant() + "'")),
      Map.entry("maintenancePreview:duration", (s, max) -> s.meant().isEmpty() ? null : echoed(HttpMethod.GET,
          "/api/Maintenance/Preview?duration=" + s.raw(),
          "duration must be an ISO-8601 duration such as PT15M, not '" + s.meant() + "'")),
      Map.entry("listQueueItems:queue", QueryEncodingTest::queueFilterIsEchoedExactly),
      Map.entry("listJobs:state", QueryEncodingTest::stateIsReadExactly),
      Map.entry("listJobs:after", (s, max) -> cursorEchoed("/api/Jobs?after=", s)),
      Map.entry("listQueueItems:after", (s, max) -> cursorEchoed("/api/QueueItems?after=", s)),
      Map.entry("listRobotLogs:after", (s, max) -> cursorEchoed("/api/RobotLogs?after=", s)),
      Map.entry("listScheduleFires:after", (s, max) -> cursorEchoed("/api/Schedules/999999/Fires?after=", s)),
      Map.entry("maintenanceHistory:after", (s, max) -> cursorEchoed("/api/Maintenance/History?after=", s)),
      Map.entry("webhookDeliveries:after", (s, max) -> cursorEchoed("/api/Webhooks/999999/Deliveries?after=", s)),
      Map.entry("listAuditLogs:after", (s, max) -> cursorEchoed("/api/AuditLogs?after=", s)),
      Map.entry("listRetentionRuns:after", (s, max) -> cursorEchoed("/api/Retention/Runs?after=", s)),
      Map.entry("listAssets:after", QueryEncodingTest::assetCursorIsAPosition));

  @Test
  void everyStringParameterOfTheContractIsChecked() {
    assertEquals(new TreeSet<>(stringParameters("query").keySet()), new TreeSet<>(QUERY_CHECKS.keySet()));
    assertEquals(Set.of("robotAddQueueItem:queue", "robotTakeQueueItem:queue", "robotGetAsset:name"),
        stringParameters("path").keySet());
  }

  @Test
  void everyStringQueryValueArrivesExactlyAsEncoded() {
    List<String> problems = new ArrayList<>();
    int checked = 0;
    for (Map.Entry<String, Integer> parameter : stringParameters("query").entrySet()) {
      for (Sample sample : SAMPLES) {
        int max = parameter.getValue();
        if (sample.meant().length() > max || sample.meant().codePointCount(0, sample.meant().length()) > max) {
          continue; // the contract's maxLength refuses it, whatever the decoding
        }
        String problem = QUERY_CHECKS.get(parameter.getKey()).apply(sample, max);
        checked++;
        if (problem != null) {
          problems.add(parameter.getKey() + " sent " + sample.raw() + ": " + problem);
        }
      }
    }
    assertEquals(List.of(), problems);
    assertTrue(checked > 150, "checked " + checked);
  }

  private static String reasonIsStoredExactly(Sample sample, int max) {
    Reply start = http.send(HttpMethod.POST, "/api/Maintenance/Start?phase=Draining&reason=" + sample.raw(), host, null);
    if (start.status() != 204) {
      return "Start answered " + start.status() + " " + start.body();
    }
    try {
      Eventually.until(node.vertx(), () -> api.get("/api/Maintenance/Get", host),
          response -> Objects.equals(sample.meant(), response.bodyAsJsonObject().getString("reason")), 5_000).await();
      return null;
    } catch (RuntimeException e) {
      return "stored reason is not " + JsonArray.of(sample.meant()).encode() + ": "
          + http.send(HttpMethod.GET, "/api/Maintenance/Get", host, null).json().getString("reason");
    }
  }

  private static String flagEchoed(String name, Sample sample) {
    if (sample.meant().isEmpty()) {
      return null; // an empty flag is false, nothing to echo
    }
    return echoed(HttpMethod.POST, "/api/Maintenance/Start?phase=Draining&" + name + "=" + sample.raw(),
        name + " must be true or false, not '" + sample.meant() + "'");
  }

  private static String echoed(HttpMethod method, String uri, String message) {
    return echoed(method, uri, host, message);
  }

  private static String echoed(HttpMethod method, String uri, String token, String message) {
    Reply reply = http.send(method, uri, token, null);
    if (reply.status() != 400 || !message.equals(reply.message())) {
      return "expected 400 " + JsonArray.of(message).encode() + ", got " + reply.status() + " " + reply.body();
    }
    return null;
  }

  private static String queueFilterIsEchoedExactly(Sample sample, int max) {
    Reply reply = http.send(HttpMethod.GET, "/api/QueueItems?queue=" + sample.raw(), tenant.adminToken(), null);
    if (reply.status() != 200 || !sample.meant().equals(reply.json().getString("queue"))) {
      return "expected the filter " + JsonArray.of(sample.meant()).encode() + ", got " + reply.status() + " "
          + reply.body();
    }
    return null;
  }

  /** A list ordered by id or time refuses a cursor it never gave, quoting it as it arrived. */
  private static String cursorEchoed(String uri, Sample sample) {
    outOfMaintenance();
    if (sample.meant().isEmpty()) {
      Reply reply = http.send(HttpMethod.GET, uri, host(uri), null);
      return reply.status() == 400 ? null : "an empty cursor, yet " + reply.status() + " " + reply.body();
    }
    return echoed(HttpMethod.GET, uri + sample.raw(), host(uri),
        "after is the next cursor of a page this list gave, not '" + sample.meant() + "'");
  }

  private static String host(String uri) {
    return uri.startsWith("/api/Maintenance/") || uri.startsWith("/api/Retention") ? host : tenant.adminToken();
  }

  /**
   * Assets are ordered by name: any asset name is a place to start after; anything no asset can be
   * named is a cursor no page gave, refused (400) and quoted as it arrived (issue 30).
   */
  private static String assetCursorIsAPosition(Sample sample, int max) {
    outOfMaintenance();
    if (!sample.meant().isEmpty() && !ASSET_NAME.matcher(sample.meant()).matches()) {
      return echoed(HttpMethod.GET, "/api/Assets?after=" + sample.raw(), tenant.adminToken(),
          "after is the next cursor of a page this list gave, not '" + sample.meant() + "'");
    }
    Reply reply = http.send(HttpMethod.GET, "/api/Assets?after=" + sample.raw(), tenant.adminToken(), null);
    int expected = sample.meant().isEmpty() ? 400 : 200;
    return reply.status() == expected ? null : "expected " + expected + ", got " + reply.status() + " " + reply.body();
  }

  /** What an asset may be named (AssetService). */
  private static final java.util.regex.Pattern ASSET_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._-]{0,127}");

  private static String stateIsReadExactly(Sample sample, int max) {
    Reply reply = http.send(HttpMethod.GET, "/api/Jobs?state=" + sample.raw(), tenant.adminToken(), null);
    return reply.status() == 400 ? null : "not a job state, yet " + reply.status() + " " + reply.body();
  }

  @Test
  void theOperatorToolEncodesAReasonAsTheServerReadsIt() {
    String reason = "50% done; a+b & \"hi\" caf\u00e9 %41";
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = MaintenanceCli.run(new String[] {"--url", "http://127.0.0.1:" + node.port(), "--bridge",
        "127.0.0.1:" + node.bridgePort(), "--password", TestNode.ADMIN_PASSWORD, "--http", "start", "--phase",
        "draining", "--reason", reason}, new PrintStream(new ByteArrayOutputStream(), true),
        new PrintStream(err, true));
    assertEquals(0, exit, () -> err.toString(StandardCharsets.UTF_8));
    Eventually.until(node.vertx(), () -> api.get("/api/Maintenance/Get", host),
        response -> reason.equals(response.bodyAsJsonObject().getString("reason")), 5_000).await();
  }

  @Test
  void anEnumValueIsMatchedAsDecodedOnceAndNeverAsJson() {
    Reply encoded = http.send(HttpMethod.GET, "/api/Jobs?state=%50ending", tenant.adminToken(), null);
    assertEquals(200, encoded.status(), encoded.body()::toString);
    assertEquals(List.of(jobId), encoded.json().getJsonArray("items").stream()
        .map(item -> ((JsonObject) item).getLong("id")).toList());
    for (String refused : List.of("%22Pending%22", "Pend+ing", "Pending%20", "%2550ending", "Pending%00")) {
      Reply reply = http.send(HttpMethod.GET, "/api/Jobs?state=" + refused, tenant.adminToken(), null);
      assertEquals(400, reply.status(), () -> refused + " -> " + reply.body());
    }
  }

  @Test
  void aPathValueIsDecodedOnceWithPlusAsAPlus() {
    String robot = tenant.robots().get(0).token();
    Map<String, String> stored = Map.of("Q%2E1", "Q.1", "%51-x_y", "Q-x_y", "%41%42", "AB");
    stored.forEach((raw, meant) -> {
      Reply added = http.send(HttpMethod.POST, "/api/robot/queues/" + raw + "/items", robot, "{\"payload\": {}}");
      assertEquals(201, added.status(), () -> raw + " -> " + added.body());
      Reply listed = http.send(HttpMethod.GET, "/api/QueueItems?queue=" + URLEncoder.encode(meant, StandardCharsets.UTF_8),
          tenant.adminToken(), null);
      assertEquals(List.of(meant), listed.json().getJsonArray("items").stream()
          .map(item -> ((JsonObject) item).getString("queue")).toList(), raw);
    });
    for (String raw : List.of("a+b", "a%2Bb", "%2541", "a%2Fb", "caf%C3%A9", "%22Q%22", "Q%00")) {
      Reply refused = http.send(HttpMethod.POST, "/api/robot/queues/" + raw + "/items", robot, "{\"payload\": {}}");
      assertEquals(400, refused.status(), () -> raw + " -> " + refused.body());
      Reply notTaken = http.send(HttpMethod.POST, "/api/robot/queues/" + raw + "/next", robot, "{}");
      assertEquals(400, notTaken.status(), () -> raw + " next -> " + notTaken.body());
      Reply noAsset = http.send(HttpMethod.GET, "/api/robot/assets/" + raw, robot, null);
      assertEquals(400, noAsset.status(), () -> raw + " asset -> " + noAsset.body());
    }
    Reply all = http.send(HttpMethod.GET, "/api/QueueItems", tenant.adminToken(), null);
    assertEquals(stored.size(), all.json().getJsonArray("items").size(), "only the well-named items were stored");

    // an integer path value is echoed when refused: + stays a plus, %25 is a percent, once
    Map<String, String> echoed = new LinkedHashMap<>();
    echoed.put("+1", "id must be a whole number, not \"+1\"");
    echoed.put("%2B1", "id must be a whole number, not \"+1\"");
    echoed.put("1%20", "id must be a whole number, not \"1 \"");
    echoed.put("%2541", "id must be a whole number, not \"%41\"");
    echoed.put("%22" + jobId + "%22", "id must be a whole number, not \"\\\"" + jobId + "\\\"\"");
    echoed.put("1.0", "id must be a whole number, not \"1.0\"");
    echoed.put("9223372036854775808", "id is out of range");
    echoed.put("18446744073709551618", "id is out of range");
    echoed.put("-18446744073709551618", "id is out of range");
    for (String template : List.of("/api/Jobs/%s", "/api/Jobs/%s/Stop", "/api/Schedules/%s/Fires")) {
      echoed.forEach((raw, message) -> {
        String uri = String.format(Locale.ROOT, template, raw);
        Reply reply = http.send(uri.endsWith("Stop") ? HttpMethod.POST : HttpMethod.GET, uri, tenant.adminToken(), null);
        assertEquals(400, reply.status(), () -> uri + " -> " + reply.body());
        assertEquals(message, reply.message(), uri);
      });
    }
    Reply robotState = http.send(HttpMethod.POST, "/api/robot/jobs/18446744073709551618/state", robot,
        "{\"state\": \"Running\"}");
    assertEquals("id is out of range", robotState.message());
    String encodedId = String.valueOf(jobId).chars().mapToObj(c -> String.format(Locale.ROOT, "%%%02X", c))
        .reduce("", String::concat);
    Reply byEncodedId = http.send(HttpMethod.GET, "/api/Jobs/" + encodedId, tenant.adminToken(), null);
    assertEquals(200, byEncodedId.status(), byEncodedId.body()::toString);
    assertEquals(jobId, byEncodedId.json().getLong("id"));
  }

  @Test
  void integerQueryValuesAreDecimalAndInRangeOrRefused() {
    Reply largest = http.send(HttpMethod.GET, "/api/Maintenance/Get?tenantId=9223372036854775807", host, null);
    assertEquals(200, largest.status(), largest.body()::toString);
    assertEquals(Long.MAX_VALUE, largest.json().getLong("tenantId"));
    Reply paged = http.send(HttpMethod.GET, "/api/Maintenance/History?tenantId=" + tenant.id() + "&page=%32&size=%31%30", host, null);
    assertEquals(200, paged.status(), paged.body()::toString);
    assertEquals(10, paged.json().getInteger("size"));

    Map<String, String> refused = new LinkedHashMap<>();
    refused.put("18446744073709551618", "%s is out of range");
    refused.put("9223372036854775808", "%s is out of range");
    refused.put("-9223372036854775809", "%s is out of range");
    refused.put("+5", "%s must be a whole number, not \" 5\"");
    refused.put("%2B5", "%s must be a whole number, not \"+5\"");
    refused.put("1e3", "%s must be a whole number, not \"1e3\"");
    refused.put("%2231%22", "%s must be a whole number, not \"\\\"31\\\"\"");
    refused.put("", "%s must be a whole number, not \"\"");
    Set<String> operations = new TreeSet<>();
    for (ContractParameter parameter : contractParameters("query", "integer")) {
      operations.add(parameter.operationId());
      HttpMethod method = HttpMethod.valueOf(parameter.method().toUpperCase(Locale.ROOT));
      for (Map.Entry<String, String> value : refused.entrySet()) {
        String uri = parameter.path().replaceAll("\\{[^}]+}", "1") + "?" + parameter.name() + "=" + value.getKey();
        Reply reply = http.send(method, uri, host, null);
        assertEquals(400, reply.status(), () -> uri + " -> " + reply.body());
        assertEquals(String.format(Locale.ROOT, value.getValue(), parameter.name()), reply.message(), uri);
      }
    }
    assertEquals(Set.of("listAssets", "listAuditLogs", "listJobs", "listQueueItems", "listRobotLogs", "listScheduleFires",
        "listUsers", "maintenanceGet", "maintenanceHistory", "webhookDeliveries", "maintenanceStart", "maintenanceEnd",
        "maintenancePreview", "getRetention", "putRetention", "listRetentionRuns"), operations);
    assertEquals("None", phase(), "no refused value started anything");
  }

  @Test
  void aRepeatedQueryParameterIsRefusedByNameAndChangesNothing() {
    Reply twice = http.send(HttpMethod.POST, "/api/Maintenance/Start?phase=Draining&phase=Suspended", host, null);
    assertEquals(400, twice.status(), twice.body()::toString);
    assertEquals("phase is given 2 times; give it once", twice.message());
    Reply mixedCase = http.send(HttpMethod.POST, "/api/Maintenance/Start?phase=Draining&Phase=Draining", host, null);
    assertEquals(400, mixedCase.status(), mixedCase.body()::toString);
    assertTrue(mixedCase.message().startsWith("phase "), mixedCase.message());
    Reply reason = http.send(HttpMethod.POST, "/api/Maintenance/Start?phase=Draining&reason=a&reason=b", host, null);
    assertEquals("reason is given 2 times; give it once", reason.message());
    assertEquals("None", phase());
    Reply size = http.send(HttpMethod.GET, "/api/Jobs?size=1&size=2&size=3", tenant.adminToken(), null);
    assertEquals(400, size.status());
    assertEquals("size is given 3 times; give it once", size.message());
    // what the contract does not name is not read, so it may repeat
    assertEquals(200, http.send(HttpMethod.GET, "/api/Jobs?x=1&x=2", tenant.adminToken(), null).status());
  }

  @Test
  void malformedPercentEncodingIsA400WithOneLogLineAndNoStackTrace() {
    ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(
        org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.start();
    root.addAppender(captured);
    List<String> uris = List.of("/api/Jobs/" + jobId + "?%zz=1", "/api/Jobs/%zz", "/api/Jobs?state=%",
        "/api/Maintenance/Get?tenantId=%4", "/api/Maintenance/Start?phase=Draining&reason=%FF",
        "/api/Maintenance/Start?phase=Draining&reason=%C0%AF", "/api/Jobs?state=%C3", "/api/Jobs/%E9",
        "/health/live?%zz=1", "/api/Schedules/1/Fires?page=1&%G0=2");
    try {
      for (String uri : uris) {
        HttpMethod method = uri.contains("Start") ? HttpMethod.POST : HttpMethod.GET;
        Reply reply = http.send(method, uri, uri.contains("Maintenance") ? host : tenant.adminToken(), null);
        assertEquals(400, reply.status(), () -> uri + " -> " + reply.body());
        JsonObject body = reply.json();
        assertEquals("BAD_REQUEST", body.getString("code"), uri);
        assertEquals(1400, body.getInteger("errorCode"), uri);
        assertTrue(body.getString("message").contains("percent-encoded"), () -> uri + " -> " + body);
      }
    } finally {
      root.detachAppender(captured);
    }
    List<ILoggingEvent> events = captured.list.stream().filter(e -> e.getLoggerName().startsWith("org.orchestrator.http")
        || e.getLoggerName().startsWith("io.vertx")).toList();
    assertEquals(List.of(), events.stream().filter(e -> e.getThrowableProxy() != null)
        .map(ILoggingEvent::getFormattedMessage).toList(), "no stack trace");
    assertEquals(List.of(), events.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
        .map(ILoggingEvent::getFormattedMessage).toList(), "no warning or error");
    assertEquals(uris.size(), events.stream()
        .filter(e -> e.getLoggerName().endsWith("ExactParameters")).count(), "one line per refused request");
    assertEquals("None", phase());
  }
}
