package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A corpus of bad input against every operation of the contract (read from openapi.json, so a new
 * route is covered without touching this test): junk path and query values, malformed, mistyped
 * and oversize bodies, forged, unsigned and tampered tokens (expired ones are TokenTest's). Only
 * 4xx, nothing changed, the server healthy afterwards.
 */
@Timeout(300)
class BadInputCorpusTest {

  private static final List<String> JUNK = List.of("'; DROP TABLE jobs; --", "1 OR 1=1", "-1", "0",
      "99999999999999999999999", "%00", "../../etc/passwd", "<script>alert(1)</script>", "NaN", "true", "{}");
  private static final List<String> BODIES = List.of("{not json", "[]", "\"a string\"", "42", "null",
      "{\"name\": {\"$ne\": null}}", "{\"processName\": [1, 2, 3]}", "[{\"jobId\": \"x\"}]",
      "{\"username\": \"a\", \"password\": 12345678, \"role\": \"Operator\"}");

  private static TestNode node;
  private static Api api;
  private static String host;
  private static Tenants.Fixture tenant;

  @BeforeAll
  static void start() throws Exception {
    node = TestNode.start("corpus");
    api = node.api();
    host = api.signInHostAdmin().await();
    tenant = Tenants.create(api, host, "corpus", 1).await();
    Api.expect(api.post("/api/Jobs", tenant.adminToken(), new JsonObject().put("processName", "p")).await(), 201).await();
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  /** Counts of everything bad input could have changed. */
  private static JsonObject state() {
    JsonObject admin = new JsonObject()
        .put("tenants", count("/api/Tenants", host))
        .put("users", count("/api/Users", host))
        .put("jobs", api.count("/api/Jobs", tenant.adminToken()).await())
        .put("schedules", count("/api/Schedules", tenant.adminToken()))
        .put("robots", count("/api/Robots", tenant.adminToken()))
        .put("queueItems", api.count("/api/QueueItems", tenant.adminToken()).await())
        .put("logs", api.count("/api/RobotLogs", tenant.adminToken()).await())
        .put("phase", new Maintenance(api, host).get(null).await().getString("state"));
    return admin;
  }

  private static int count(String path, String token) {
    return api.get(path, token).await().bodyAsJsonObject().getJsonArray("items").size();
  }

  private static String tokenFor(JsonObject operation) {
    String tags = operation.getJsonArray("tags", new io.vertx.core.json.JsonArray()).encode();
    if (tags.contains("robot protocol")) {
      return tenant.robots().get(0).token();
    }
    if (tags.contains("tenants") || tags.contains("maintenance")) {
      return host;
    }
    return tenant.adminToken();
  }

  @Test
  void everyOperationRefusesBadInputWithA4xxAndChangesNothing() throws Exception {
    JsonObject before = state();
    JsonObject contract = new JsonObject(Buffer.buffer(getClass().getClassLoader()
        .getResourceAsStream("openapi.json").readAllBytes()));
    String unsigned = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes())
        + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
            "{\"sub\":\"1\",\"role\":\"HostAdministrator\",\"name\":\"admin\"}".getBytes()) + ".";
    List<String> problems = new ArrayList<>();
    int sent = 0;
    for (String path : contract.getJsonObject("paths").fieldNames()) {
      JsonObject item = contract.getJsonObject("paths").getJsonObject(path);
      for (String method : item.fieldNames()) {
        JsonObject operation = item.getJsonObject(method);
        if ("maintenanceEvents".equals(operation.getString("operationId"))
            || "robotEvents".equals(operation.getString("operationId"))) {
          continue; // endless streams; their refusals are in MaintenanceApiTest and RobotChannelTest
        }
        HttpMethod verb = HttpMethod.valueOf(method.toUpperCase());
        boolean secured = !operation.containsKey("security");
        String token = tokenFor(operation);
        List<String> params = new ArrayList<>();
        operation.getJsonArray("parameters", new io.vertx.core.json.JsonArray())
            .forEach(p -> params.add(((JsonObject) p).getString("in") + ":" + ((JsonObject) p).getString("name")));
        boolean hasBody = operation.containsKey("requestBody");
        for (String junk : JUNK) {
          String encoded = URLEncoder.encode(junk, StandardCharsets.UTF_8);
          String target = path.replaceAll("\\{[^}]+}", encoded);
          String query = params.stream().filter(p -> p.startsWith("query:"))
              .map(p -> p.substring(6) + "=" + encoded).reduce((a, b) -> a + "&" + b).orElse("");
          // junk is bad input unless a string parameter's own pattern allows it (a queue named "0" is a queue)
          boolean corrupted = operation.getJsonArray("parameters", new io.vertx.core.json.JsonArray()).stream()
              .map(JsonObject.class::cast).anyMatch(p -> refuses(p.getJsonObject("schema", new JsonObject()), junk));
          HttpResponse<Buffer> response = send(verb, target + (query.isEmpty() ? "" : "?" + query), token,
              hasBody ? "{}" : null);
          sent++;
          check(problems, verb + " " + target + "?" + query, response, corrupted || hasBody);
        }
        if (hasBody) {
          boolean arrayBody = operation.getJsonObject("requestBody").encode().contains("LogBatch");
          for (String body : BODIES) {
            if (arrayBody && body.equals("[]")) {
              continue; // an empty upload is a valid (empty) batch, not bad input
            }
            HttpResponse<Buffer> response = send(verb, path.replaceAll("\\{[^}]+}", "1"), token, body);
            sent++;
            check(problems, verb + " " + path + " body " + body, response, true);
          }
          HttpResponse<Buffer> huge = send(verb, path.replaceAll("\\{[^}]+}", "1"), token,
              "{\"name\": \"" + "x".repeat(5 * 1024 * 1024) + "\"}");
          sent++;
          check(problems, verb + " " + path + " 5 MiB body", huge, true);
        }
        if (secured) {
          for (String forged : List.of("garbage", unsigned, host.substring(0, host.length() - 4) + "AAAA")) {
            HttpResponse<Buffer> response = send(verb, path.replaceAll("\\{[^}]+}", "1"), forged, hasBody ? "{}" : null);
            sent++;
            if (response.statusCode() != 401) {
              problems.add(verb + " " + path + " with a forged token -> " + response.statusCode());
            }
          }
        }
      }
    }
    assertTrue(sent > 300, "the corpus sent " + sent + " requests");
    assertEquals(List.of(), problems);
    assertEquals(before, state(), "bad input changed nothing");
    assertEquals(200, api.get("/health/ready", null).await().statusCode(), "the server is healthy");
  }

  /**
   * The classes of hostile input found by attacking the running product (issue 12): NUL characters
   * wherever a string goes, numbers beyond 64 bits, timestamps beyond what PostgreSQL stores,
   * sub-second deadlines, a path that hides a slash from the gate, a token with a surplus character,
   * and a request line too long for the decoder. Each is a 4xx JSON error and changes nothing.
   */
  @Test
  void hostileInputIsRefusedWithA4xxJsonErrorAndChangesNothing() throws Exception {
    JsonObject before = state();
    String robot = tenant.robots().get(0).token();
    String admin = tenant.adminToken();
    List<String> problems = new ArrayList<>();
    String line = "{\"jobId\": 1, \"level\": \"Info\", \"message\": \"%s\", \"timeStamp\": \"%s\"}";
    Map<String, HttpResponse<Buffer>> cases = new LinkedHashMap<>();
    cases.put("token form tenant=%00", api.request(HttpMethod.POST, "/identity/connect/token", null)
        .putHeader("Content-Type", "application/x-www-form-urlencoded")
        .sendBuffer(Buffer.buffer("grant_type=password&username=admin&password=x&tenant=%00")).await());
    cases.put("JSON sign-in with NUL", send(HttpMethod.POST, "/api/Account/Authenticate", null,
        "{\"tenancyName\": \"a\\u0000b\", \"usernameOrEmailAddress\": \"admin\", \"password\": \"x\"}"));
    cases.put("log message with NUL", send(HttpMethod.POST, "/api/robot/logs", robot,
        "[" + line.formatted("a\\u0000b", "2026-11-24T10:00:00Z") + "]"));
    cases.put("log timestamp beyond year 9999", send(HttpMethod.POST, "/api/robot/logs", robot,
        "[" + line.formatted("m", "+1000000000-12-31T23:59:59Z") + "]"));
    cases.put("log jobId beyond 2^64", send(HttpMethod.POST, "/api/robot/logs", robot,
        "[{\"jobId\": 18446744073709551617, \"level\": \"Info\", \"message\": \"m\", \"timeStamp\": \"2026-11-24T10:00:00Z\"}]"));
    cases.put("queue payload key with NUL", send(HttpMethod.POST, "/api/robot/queues/q/items", robot,
        "{\"payload\": {\"k\\u0000\": 1}}"));
    cases.put("queue payload value with NUL", send(HttpMethod.POST, "/api/robot/queues/q/items", robot,
        "{\"payload\": {\"k\": \"v\\u0000\"}}"));
    cases.put("queue reference with NUL", send(HttpMethod.POST, "/api/robot/queues/q/items", robot,
        "{\"reference\": \"r\\u0000\", \"payload\": {}}"));
    cases.put("job robotId 2^64 + 2", send(HttpMethod.POST, "/api/Jobs", admin,
        "{\"processName\": \"p\", \"robotId\": 18446744073709551618}"));
    cases.put("user tenantId 2^70", send(HttpMethod.POST, "/api/Users", host,
        "{\"username\": \"u\", \"password\": \"password-1\", \"role\": \"Operator\", \"tenantId\": 1180591620717411303424}"));
    cases.put("job robotId 1e300", send(HttpMethod.POST, "/api/Jobs", admin,
        "{\"processName\": \"p\", \"robotId\": 1e300}"));
    cases.put("process name with NUL in the query", send(HttpMethod.GET, "/api/Jobs?state=Running%00", admin, null));
    cases.put("killAfter PT0.5S", send(HttpMethod.POST, "/api/Maintenance/Start?phase=Draining&killAfter=PT0.5S",
        host, null));
    cases.put("killAfter PT0.0001S", send(HttpMethod.POST,
        "/api/Maintenance/Start?phase=Draining&killAfter=PT0.0001S", host, null));
    cases.put("Preview duration PT0.5S", send(HttpMethod.GET, "/api/Maintenance/Preview?duration=PT0.5S", host, null));
    cases.put("encoded slash into the console", send(HttpMethod.GET, "/console/maintenance%2F..%2Findex.html",
        null, null));
    cases.put("encoded backslash", send(HttpMethod.GET, "/console/maintenance%5C..%5Cindex.html", null, null));
    cases.put("a request line of 10,000 characters", send(HttpMethod.GET, "/api/Jobs?x=" + "a".repeat(10_000),
        admin, null));
    for (Map.Entry<String, HttpResponse<Buffer>> result : cases.entrySet()) {
      HttpResponse<Buffer> response = result.getValue();
      int status = response.statusCode();
      boolean json = String.valueOf(response.getHeader("Content-Type")).startsWith("application/json");
      if (status < 400 || status >= 500 || !json || !response.bodyAsJsonObject().containsKey("code")) {
        problems.add(result.getKey() + " -> " + status + " " + response.bodyAsString());
      }
    }
    // a token with one surplus base64url character in its signature is not the same token
    HttpResponse<Buffer> surplus = api.get("/api/Tenants", host + "A").await();
    if (surplus.statusCode() != 401) {
      problems.add("a token with a surplus signature character -> " + surplus.statusCode());
    }
    assertEquals(List.of(), problems);
    assertEquals(before, state(), "hostile input changed nothing");
  }

  /** Whether a parameter's schema refuses {@code value}. */
  private static boolean refuses(JsonObject schema, String value) {
    if (!"string".equals(schema.getString("type"))) {
      return true;
    }
    String pattern = schema.getString("pattern");
    return pattern != null && !java.util.regex.Pattern.compile(pattern).matcher(value).find()
        || schema.containsKey("enum") && !schema.getJsonArray("enum").contains(value);
  }

  private static HttpResponse<Buffer> send(HttpMethod verb, String target, String token, String body) {
    HttpRequest<Buffer> request = api.request(verb, target, token);
    if (body == null) {
      return request.send().await();
    }
    return request.putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(body)).await();
  }

  /** Never 5xx; when the input was corrupted, a 4xx JSON error. */
  private static void check(List<String> problems, String what, HttpResponse<Buffer> response, boolean mustRefuse) {
    int status = response.statusCode();
    if (status >= 500) {
      problems.add(what + " -> " + status + " " + response.bodyAsString());
    } else if (mustRefuse && (status < 400 || !String.valueOf(response.getHeader("Content-Type")).startsWith("application/json"))) {
      problems.add(what + " -> " + status + " (expected a 4xx JSON error)");
    }
  }
}
