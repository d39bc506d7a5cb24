package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.jwt.JWTAuth;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.orchestrator.platform.security.SigningKeys;
import org.orchestrator.platform.security.TokenAuth;

/**
 * Request bodies as an attacker sends them (issue 30, item 4): large bodies without a token, large
 * bodies to the routes that take none (sign-in), a hundred 4 MiB bodies held open by a client that
 * has a token, a body trickled byte by byte. Nothing of a body is read before its request may be
 * served; what is read at once across the node is bounded by {@code http.maxBodyBytesInFlight}.
 * Every client here is a blocking socket on the test's thread, so the node's event loops do only
 * the node's work; every wait has a deadline and every flood a count.
 */
@Timeout(240)
class HostileBodyTest {

  private static final int MIB = 1 << 20;

  @Test
  void aTokenRouteAnswersBeforeItsBodyIsSentWhenTheTokenIsMissingOrInvalid() throws Exception {
    try (TestNode node = TestNode.start("body-token")) {
      Api api = node.api();
      String host = api.signInHostAdmin().await();
      Tenants.Fixture tenant = Tenants.create(api, host, "acme", 1).await();
      String robot = tenant.robots().get(0).token();
      // a well-formed token signed with a key that is not the node's
      JWTAuth stranger = TokenAuth.provider(node.vertx(),
          SigningKeys.loadOrCreate(Files.createTempDirectory("stranger-keys")), node.orchestrator().config().security());
      String forged = stranger.generateToken(new JsonObject().put("sub", "1").put("role", "Robot").put("tenant",
          tenant.id()), TokenAuth.signing(node.orchestrator().config().security(), 600));
      for (String authorization : new String[] {null, "Bearer not-a-token", "Bearer " + forged, "Basic YTpi"}) {
        try (Raw raw = new Raw(node.port(), "127.0.0.1")) {
          // the headers only: a 4 MiB body announced and not sent
          raw.head("POST", "/api/robot/logs", authorization, "application/json", 4 * MIB);
          Reply reply = raw.reply(10_000);
          assertNotNull(reply, "answered before the body was sent (" + authorization + ")");
          assertEquals(401, reply.status(), reply.toString());
          assertEquals("UNAUTHORIZED", reply.json().getString("code"), reply.toString());
          assertEquals(1401, reply.json().getInteger("errorCode"), reply.toString());
        }
      }
      // with a valid token the same request is read and served as before
      assertEquals(200, api.post("/api/robot/heartbeat", robot, new JsonObject()).await().statusCode());
      // the gate decides before the body too: in Suspended a robot's 4 MiB body is refused unread
      new Maintenance(api, host).start("phase=Suspended&force=true").await();
      try (Raw raw = new Raw(node.port(), "127.0.0.1")) {
        raw.head("POST", "/api/robot/logs", "Bearer " + robot, "application/json", 4 * MIB);
        Reply reply = raw.reply(10_000);
        assertNotNull(reply, "refused before the body was sent");
        assertEquals(503, reply.status(), reply.toString());
        assertEquals("MAINTENANCE", reply.json().getString("code"), reply.toString());
      }
      new Maintenance(api, host).end().await();
    }
  }

  @Test
  void routesWithoutATokenTakeOnlyASmallBody() throws Exception {
    try (TestNode node = TestNode.start("body-small")) {
      // sign-in (form and JSON), UiPath's sign-in, a page, an unknown path, a made-up method on a
      // token route: 64 KiB announced, refused 413 at once, nothing read
      String[][] cases = {
          {"POST", "/identity/connect/token", "application/x-www-form-urlencoded"},
          {"POST", "/identity/connect/token", "application/json"},
          {"POST", "/api/Account/Authenticate", "application/json"},
          {"POST", "/identity/sign-in", "text/plain"},
          {"PUT", "/no/such/path", "application/json"},
          {"FROB", "/api/robot/logs", "application/json"},
      };
      for (String[] request : cases) {
        try (Raw raw = new Raw(node.port(), "127.0.0.1")) {
          raw.head(request[0], request[1], null, request[2], 64 * 1024);
          Reply reply = raw.reply(10_000);
          assertNotNull(reply, "answered before the body was sent: " + String.join(" ", request));
          assertEquals(413, reply.status(), String.join(" ", request) + " -> " + reply);
          assertEquals("PAYLOAD_TOO_LARGE", reply.json().getString("code"), reply.toString());
          assertTrue(reply.json().getString("message").contains("8192"), reply.toString());
        }
      }
      // a chunked sign-in that never ends is cut at the same limit
      try (Raw raw = new Raw(node.port(), "127.0.0.1")) {
        raw.write("POST /identity/connect/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n");
        String chunk = "400\r\n" + "a".repeat(1024) + "\r\n";
        Reply reply = null;
        for (int i = 0; i < 64 && reply == null; i++) {
          raw.write(chunk);
          reply = raw.reply(i == 63 ? 10_000 : 20);
        }
        assertNotNull(reply, "answered");
        assertEquals(413, reply.status(), reply.toString());
      }
      // an ordinary sign-in is a few hundred bytes and still works
      assertEquals(200, node.api().token(null, "admin", TestNode.ADMIN_PASSWORD).await().statusCode());
    }
  }

  @Test
  void bodiesBeyondTheNodesBudgetAreRefusedAndTheHeapStaysBounded() throws Exception {
    JsonObject limits = new JsonObject().put("http", new JsonObject()
        .put("maxBodyBytesInFlight", 16 * MIB).put("requestTimeoutSeconds", 120).put("idleTimeoutSeconds", 120));
    try (TestNode node = TestNode.start("body-budget", limits)) {
      Api api = node.api();
      String host = api.signInHostAdmin().await();
      String robot = Tenants.create(api, host, "acme", 1).await().robots().get(0).token();
      long heapBefore = usedHeapAfterGc();
      int clients = 100;
      byte[] body = new byte[4 * MIB - 1];
      java.util.Arrays.fill(body, (byte) ' ');
      List<Raw> held = new ArrayList<>();
      long maxHeap = heapBefore;
      try {
        // each announces 4 MiB, sends all of it but the last byte, and holds the connection
        for (int i = 0; i < clients; i++) {
          Raw raw = new Raw(node.port(), "127.0.0.1");
          held.add(raw);
          raw.head("POST", "/api/robot/logs", "Bearer " + robot, "application/json", 4 * MIB);
          raw.write(body);
          if (i % 10 == 9) {
            maxHeap = Math.max(maxHeap, usedHeapAfterGc());
          }
        }
        for (int i = 0; i < 5; i++) {
          maxHeap = Math.max(maxHeap, usedHeapAfterGc());
        }
        int refused = 0;
        int unanswered = 0;
        for (Raw raw : held) {
          Reply reply = raw.reply(refused + unanswered < 10 ? 2_000 : 200);
          if (reply == null) {
            unanswered++;
          } else {
            assertEquals(503, reply.status(), reply.toString());
            assertEquals("UNAVAILABLE", reply.json().getString("code"), reply.toString());
            assertNotNull(reply.header("retry-after"), reply.toString());
            refused++;
          }
        }
        long grown = (maxHeap - heapBefore) >> 20;
        System.out.printf("body budget: %d clients each holding a 4 MiB body (all but its last byte) against a"
            + " 16 MiB budget: %d refused 503 before their body was read, %d held; heap grew by at most %d MiB%n",
            clients, refused, unanswered, grown);
        assertTrue(grown < 128, "heap grew by " + grown + " MiB");
        assertTrue(unanswered <= 4, "at most 16 MiB of bodies in flight: " + unanswered + " held");
        assertEquals(200, api.get("/health/ready", null).await().statusCode());
      } finally {
        for (Raw raw : held) {
          raw.close();
        }
      }
      // the budget is whole again once the holders are gone, and a body is served
      Eventually.until(node.vertx(), () -> io.vertx.core.Future.succeededFuture(
          node.registry().get("orchestrator.http.body.bytes.in.flight").gauge().value()), bytes -> bytes == 0, 30_000)
          .await();
      assertEquals(200, api.post("/api/robot/heartbeat", robot, new JsonObject()).await().statusCode());
    }
  }

  @Test
  void aTrickledBodyIsCutByTheRequestTimeoutAndItsBytesReturn() throws Exception {
    JsonObject limits = new JsonObject().put("http", new JsonObject().put("requestTimeoutSeconds", 2));
    try (TestNode node = TestNode.start("body-slow", limits)) {
      Api api = node.api();
      String host = api.signInHostAdmin().await();
      String robot = Tenants.create(api, host, "acme", 1).await().robots().get(0).token();
      try (Raw raw = new Raw(node.port(), "127.0.0.1")) {
        raw.head("POST", "/api/robot/logs", "Bearer " + robot, "application/json", MIB);
        long began = System.nanoTime();
        boolean closed = false;
        // one byte every 100 ms until the node closes the connection (at most 30 s)
        while (!closed && System.nanoTime() - began < 30_000_000_000L) {
          try {
            raw.write(" ");
            closed = raw.closedWithin(100);
          } catch (IOException reset) {
            closed = true;
          }
        }
        assertTrue(closed, "the trickled body was cut");
        Eventually.until(node.vertx(), () -> io.vertx.core.Future.succeededFuture(
            node.registry().get("orchestrator.http.body.bytes.in.flight").gauge().value()), bytes -> bytes == 0, 10_000)
            .await();
      }
    }
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    Runtime runtime = Runtime.getRuntime();
    long least = Long.MAX_VALUE;
    for (int i = 0; i < 2; i++) {
      System.gc();
      Thread.sleep(20); // lets the collector finish before reading the heap, not a wait on the server
      least = Math.min(least, runtime.totalMemory() - runtime.freeMemory());
    }
    return least;
  }

  /** A reply's status, headers (lower case) and body. */
  record Reply(int status, java.util.Map<String, String> headers, String body) {

    JsonObject json() {
      return new JsonObject(body);
    }

    String header(String name) {
      return headers.get(name);
    }
  }

  /** One blocking HTTP/1.1 connection from a chosen loopback address. */
  static final class Raw implements AutoCloseable {

    private final Socket socket = new Socket();
    private final OutputStream out;
    private final InputStream in;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();

    Raw(int port, String localAddress) throws IOException {
      socket.bind(new InetSocketAddress(localAddress, 0));
      socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      out = socket.getOutputStream();
      in = socket.getInputStream();
    }

    void head(String method, String path, String authorization, String contentType, long length) throws IOException {
      StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: x\r\n");
      if (authorization != null) {
        head.append("Authorization: ").append(authorization).append("\r\n");
      }
      head.append("Content-Type: ").append(contentType).append("\r\nContent-Length: ").append(length)
          .append("\r\n\r\n");
      write(head.toString());
    }

    void write(String text) throws IOException {
      write(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    void write(byte[] bytes) throws IOException {
      out.write(bytes);
      out.flush();
    }

    /** The next whole reply, or null when none arrives within {@code millis}. */
    Reply reply(int millis) throws IOException {
      socket.setSoTimeout(millis);
      byte[] buffer = new byte[8192];
      while (true) {
        Reply reply = parse();
        if (reply != null) {
          return reply;
        }
        int read;
        try {
          read = in.read(buffer);
        } catch (SocketTimeoutException e) {
          return null;
        }
        if (read < 0) {
          return parse();
        }
        received.write(buffer, 0, read);
      }
    }

    /** Whether the node closes the connection within {@code millis}. */
    boolean closedWithin(int millis) throws IOException {
      socket.setSoTimeout(millis);
      try {
        int read;
        while ((read = in.read()) >= 0) {
          received.write(read);
        }
        return true;
      } catch (SocketTimeoutException e) {
        return false;
      }
    }

    private Reply parse() {
      String text = received.toString(StandardCharsets.ISO_8859_1);
      int end = text.indexOf("\r\n\r\n");
      if (end < 0) {
        return null;
      }
      String[] lines = text.substring(0, end).split("\r\n");
      java.util.Map<String, String> headers = new java.util.HashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
      }
      int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
      if (text.length() < end + 4 + length) {
        return null;
      }
      return new Reply(Integer.parseInt(lines[0].split(" ")[1]), headers, text.substring(end + 4, end + 4 + length));
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
