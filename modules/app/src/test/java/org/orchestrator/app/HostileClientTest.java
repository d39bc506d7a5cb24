package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Clients that mean harm, against a real node: made-up methods and paths by the ten thousand
 * (metric labels), slow-header connections (slowloris), more connections than the node takes, and a
 * flood of wrong passwords at production PBKDF2 cost. Each test prints the figures that
 * {@code docs/reliability.md} quotes; the assertions hold with wide margins so that a loaded
 * machine cannot fail them, while the figures say how much margin there was.
 */
@Timeout(240)
class HostileClientTest {

  private static final Random RANDOM = new Random(12);

  @Test
  void madeUpMethodsAndPathsDoNotGrowMetricsOrHeap() throws Exception {
    try (TestNode node = TestNode.start("labels")) {
      WebClient client = WebClient.create(node.vertx(), new WebClientOptions().setDefaultHost("127.0.0.1")
          .setDefaultPort(node.port()), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(16));
      // warm up every series an ordinary client and the scrape itself create, then measure
      flood(client, 500).await();
      scrapeSize(node);
      long heapBefore = usedHeapAfterGc();
      int before = scrapeSize(node);
      int sent = 20_000;
      flood(client, sent).await();
      long heapAfter = usedHeapAfterGc();
      int after = scrapeSize(node);
      System.out.printf("labels: %d requests with made-up methods and paths: /metrics %d -> %d bytes,"
          + " heap %d -> %d MiB%n", sent, before, after, heapBefore >> 20, heapAfter >> 20);
      assertTrue(after - before < 4_096, "/metrics grew from " + before + " to " + after + " bytes");
      assertTrue(heapAfter - heapBefore < 32L << 20, "heap grew by " + ((heapAfter - heapBefore) >> 20) + " MiB");
      assertEquals(200, node.api().get("/metrics", null).await().statusCode());
    }
  }

  /** {@code count} requests, each with a made-up method, path and query, 16 at a time. */
  private static Future<Void> flood(WebClient client, int count) {
    List<Future<?>> all = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String method = "M" + Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36).toUpperCase();
      String path = "/x" + RANDOM.nextInt(1_000_000) + "/" + i + "?q=" + i;
      all.add(client.request(HttpMethod.valueOf(method), path).timeout(30_000).send()
          .recover(failure -> Future.succeededFuture()));
    }
    return Future.join(all).mapEmpty();
  }

  private static int scrapeSize(TestNode node) {
    return node.api().get("/metrics", null).await().body().length();
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    Runtime runtime = Runtime.getRuntime();
    long least = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50); // not a wait on the server: lets the collector finish before reading the heap
      least = Math.min(least, runtime.totalMemory() - runtime.freeMemory());
    }
    return least;
  }

  @Test
  void slowHeaderConnectionsAreClosedAndHealthStaysFast() throws Exception {
    JsonObject limits = new JsonObject().put("http", new JsonObject().put("headerTimeoutSeconds", 2)
        .put("maxConnections", 2_000));
    try (TestNode node = TestNode.start("slowloris", limits)) {
      Vertx vertx = node.vertx();
      NetClient net = vertx.createNetClient(new NetClientOptions().setConnectTimeout(10_000));
      int connections = 1_000;
      AtomicInteger closed = new AtomicInteger();
      List<NetSocket> sockets = Collections.synchronizedList(new ArrayList<>());
      List<Future<NetSocket>> opening = new ArrayList<>();
      for (int i = 0; i < connections; i++) {
        opening.add(net.connect(node.port(), "127.0.0.1").onSuccess(socket -> {
          sockets.add(socket);
          socket.closeHandler(v -> closed.incrementAndGet());
          socket.write("GET /health/ready HTTP/1.1\r\nHost: x\r\n");
        }));
      }
      Future.join(opening).await();
      // one more header byte a second per connection: never idle, never complete
      long trickle = vertx.setPeriodic(500, id -> sockets.forEach(socket -> socket.write("X")));
      List<Long> latencies = new ArrayList<>();
      Api api = node.api();
      long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
      while (System.nanoTime() < until || closed.get() < connections) {
        long start = System.nanoTime();
        assertEquals(200, api.get("/health/ready", null).await().statusCode());
        latencies.add((System.nanoTime() - start) / 1_000);
        Thread.sleep(20); // the probe's pace, not a wait for a result
        assertTrue(System.nanoTime() - until < Duration.ofSeconds(60).toNanos(),
            "slow connections still open: " + (connections - closed.get()));
      }
      vertx.cancelTimer(trickle);
      Collections.sort(latencies);
      long p50 = latencies.get(latencies.size() / 2);
      long p99 = latencies.get((int) Math.floor(latencies.size() * 0.99));
      System.out.printf("slowloris: %d slow-header connections, all closed by the node; /health/ready %d probes"
          + " p50 %.1f ms p99 %.1f ms max %.1f ms%n", connections, latencies.size(), p50 / 1000.0, p99 / 1000.0,
          latencies.get(latencies.size() - 1) / 1000.0);
      assertEquals(connections, closed.get());
      // the figure is the measurement (docs/reliability.md: p99 25 ms quiet, 110 ms at load 7); the
      // bound only catches a node the slow connections block, and holds with stress-ng --cpu 2 beside
      assertTrue(p99 < 2_000_000, "health p99 " + p99 + " us");
      Scrape metrics = Scrape.parse(api.get("/metrics", null).await().bodyAsString());
      assertTrue(metrics.value("orchestrator_http_connections_closed_total{reason=\"header_timeout\"}") >= connections,
          "every slow connection counted as closed for its headers");
      net.close().await();
    }
  }

  @Test
  void connectionsBeyondTheCapGetAClearRefusal() throws Exception {
    // the header timeout is far beyond the test's length: the idle connections hold their places
    // until the test closes them, however slow the machine (the timeout itself is the slowloris test's)
    JsonObject limits = new JsonObject().put("http", new JsonObject().put("headerTimeoutSeconds", 300)
        .put("maxConnections", 20));
    try (TestNode node = TestNode.start("cap", limits)) {
      NetClient net = node.vertx().createNetClient();
      String ask = "GET /health/ready HTTP/1.1\r\nHost: x\r\n\r\n";
      // a client served before the node fills up, its connection kept alive
      NetSocket served = net.connect(node.port(), "127.0.0.1").await();
      assertTrue(exchange(served, ask).await().startsWith("HTTP/1.1 200"));
      List<NetSocket> idle = new ArrayList<>();
      for (int i = 0; i < 25; i++) {
        idle.add(net.connect(node.port(), "127.0.0.1").await());
      }
      // the node has seen every one of them (a connect completes on the client before the node's
      // event loop handles it): asked on the kept-alive connection, which the cap does not touch
      String metrics = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
      Eventually.until(node.vertx(), () -> exchange(served, metrics).map(text -> Scrape.parse(
          text.substring(text.indexOf("\r\n\r\n") + 4)).value("orchestrator_http_connections_open")),
          open -> open >= 26, 30_000).await();
      // a client beyond the cap that ignores "Connection: close": answered 503, then closed by the node
      NetSocket late = net.connect(node.port(), "127.0.0.1").await();
      Promise<Void> lateClosed = Promise.promise();
      late.closeHandler(v -> lateClosed.tryComplete());
      String refused = exchange(late, ask).await();
      assertTrue(refused.startsWith("HTTP/1.1 503"), refused);
      assertTrue(refused.contains("TOO_MANY_CONNECTIONS") && refused.contains("Retry-After"), refused);
      lateClosed.future().timeout(10, java.util.concurrent.TimeUnit.SECONDS).await();
      // the client served before the cap was reached is still served
      assertTrue(exchange(served, ask).await().startsWith("HTTP/1.1 200"), "kept-alive client refused");
      // once the idle ones go, the node serves new clients again
      Future.join(idle.stream().map(NetSocket::close).toList()).await();
      Api api = node.api();
      Eventually.until(node.vertx(), () -> api.get("/health/ready", null), response -> response.statusCode() == 200,
          30_000).await();
      net.close().await();
    }
  }

  /**
   * Issue 30, item 5: one address opens more connections than the node takes, each asking
   * something every second and opened again half a second after the node closes it; meanwhile
   * another address probes health on a new connection each time and the host administrator signs
   * in. The flooding address gets its share ({@code http.maxConnectionsPerAddress}) and no more.
   */
  @Test
  void oneAddressCannotTakeEveryConnection() throws Exception {
    JsonObject limits = new JsonObject().put("http", new JsonObject().put("maxConnections", 60)
        .put("maxConnectionsPerAddress", 20));
    try (TestNode node = TestNode.start("address-share", limits)) {
      Vertx vertx = node.vertx();
      NetClient flooder = vertx.createNetClient(new NetClientOptions().setLocalAddress("127.0.0.2")
          .setConnectTimeout(10_000));
      int connections = 80;
      long floodUntil = System.nanoTime() + Duration.ofSeconds(8).toNanos();
      AtomicInteger firstAnswers = new AtomicInteger();
      AtomicInteger refusals = new AtomicInteger();
      AtomicInteger live = new AtomicInteger();
      for (int i = 0; i < connections; i++) {
        holdConnection(vertx, flooder, node.port(), floodUntil, firstAnswers, refusals, live);
      }
      // every flooding connection has had its first answer: the node has decided on each of them
      Eventually.until(vertx, () -> Future.succeededFuture(firstAnswers.get()), n -> n >= connections, 30_000).await();
      RawHttp probe = new RawHttp(vertx, node.port(), null);
      Api admin = new Api(vertx, node.port(), 1, "127.0.0.1");
      List<Integer> statuses = new ArrayList<>();
      int signIns = 0;
      while (System.nanoTime() < floodUntil - Duration.ofSeconds(1).toNanos()) {
        // a new connection each time: admitted or refused when it opens
        statuses.add(probe.send(HttpMethod.GET, "/health/ready", null, null).status());
        if (statuses.size() % 10 == 1) {
          statuses.add(admin.token(null, "admin", TestNode.ADMIN_PASSWORD).await().statusCode());
          signIns++;
        }
        Thread.sleep(50); // the probe's pace, not a wait for a result
      }
      System.out.printf("address share: %d kept-alive connections from 127.0.0.2 against a cap of 60 (20 per"
          + " address): %d refused TOO_MANY_CONNECTIONS; 127.0.0.1 meanwhile: %d requests (%d sign-ins), statuses %s%n",
          connections, refusals.get(), statuses.size(), signIns, new java.util.TreeSet<>(statuses));
      assertTrue(refusals.get() >= connections - 20, "the flooding address was held to its share: " + refusals.get());
      assertEquals(List.of(200), statuses.stream().distinct().toList(), "every probe and sign-in from 127.0.0.1");
      // the flood ends: its connections close and the node forgets the address
      Eventually.until(vertx, () -> Future.succeededFuture(live.get()), n -> n == 0, 30_000).await();
      Eventually.until(vertx, () -> Future.succeededFuture(
          node.registry().get("orchestrator.http.connections.addresses").gauge().value()), n -> n <= 1, 30_000).await();
      flooder.close().await();
    }
  }

  /**
   * One connection that asks {@code GET /health/live} every second until {@code until}; when the node
   * closes it, it is opened again 500 ms later.
   */
  private static void holdConnection(Vertx vertx, NetClient client, int port, long until, AtomicInteger firstAnswers,
      AtomicInteger refusals, AtomicInteger live) {
    if (System.nanoTime() >= until) {
      return;
    }
    client.connect(port, "127.0.0.1").onComplete(connected -> {
      if (connected.failed()) {
        vertx.setTimer(500, id -> holdConnection(vertx, client, port, until, firstAnswers, refusals, live));
        return;
      }
      live.incrementAndGet();
      NetSocket socket = connected.result();
      java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean(true);
      String ask = "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n";
      long asking = vertx.setPeriodic(1_000, id -> {
        if (System.nanoTime() >= until) {
          vertx.cancelTimer(id);
          socket.close();
        } else {
          socket.write(ask);
        }
      });
      socket.handler(data -> {
        if (first.compareAndSet(true, false)) {
          firstAnswers.incrementAndGet();
        }
        if (data.toString().contains("TOO_MANY_CONNECTIONS")) {
          refusals.incrementAndGet();
        }
      });
      socket.closeHandler(closed -> {
        live.decrementAndGet();
        vertx.cancelTimer(asking);
        vertx.setTimer(500, id -> holdConnection(vertx, client, port, until, firstAnswers, refusals, live));
      });
      socket.write(ask);
    });
  }

  /**
   * Issue 30, item 6: wrong sign-ins from 300 addresses (random user names, so that no account and
   * no address is locked), enough to keep the password-hashing pool full, while the host
   * administrator signs in 15 times from the address they signed in from before. Every one of the
   * 15 succeeds: an address an account signed in from is a known client, and known clients have
   * hashing places of their own that the flood cannot take (it is answered 503 beyond its share),
   * and go before the flood's waiting hashes, so the administrator is never refused and waits for
   * at most the hashes already running. PBKDF2 at 50,000 iterations, a quarter of production's,
   * keeps the test short on a shared machine; the flood fills the pool at any cost.
   */
  @Test
  void aSignInFloodFromManyAddressesLeavesAKnownClientItsShareOfHashing() throws Exception {
    JsonObject costly = new JsonObject().put("security", new JsonObject().put("passwordIterations", 50_000));
    try (TestNode node = TestNode.start("signin-share", costly)) {
      Vertx vertx = node.vertx();
      Api admin = new Api(vertx, node.port(), 1, "127.0.0.1");
      assertEquals(200, admin.token(null, "admin", TestNode.ADMIN_PASSWORD).await().statusCode(), "signed in before");
      int addresses = 300;
      List<WebClient> attackers = new ArrayList<>();
      for (int i = 0; i < addresses; i++) {
        attackers.add(WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
            .setDefaultPort(node.port()).setLocalAddress("127.0." + (1 + i / 250) + "." + (1 + i % 250)),
            new io.vertx.core.http.PoolOptions().setHttp1MaxSize(1)));
      }
      java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
      long floodDeadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      AtomicInteger unauthorized = new AtomicInteger();
      AtomicInteger throttled = new AtomicInteger();
      AtomicInteger busy = new AtomicInteger();
      List<Future<?>> flood = new ArrayList<>();
      for (WebClient attacker : attackers) {
        flood.add(guesses(vertx, attacker, stop, floodDeadline, unauthorized, throttled, busy));
      }
      // the pool is full: the flood is refused as busy
      Eventually.until(vertx, () -> Future.succeededFuture(busy.get()), n -> n > 0, 60_000).await();
      List<String> refused = new ArrayList<>();
      List<Long> latencies = new ArrayList<>();
      for (int i = 0; i < 15; i++) {
        long start = System.nanoTime();
        HttpResponse<Buffer> signIn = admin.token(null, "admin", TestNode.ADMIN_PASSWORD).await();
        if (signIn.statusCode() == 200) {
          latencies.add((System.nanoTime() - start) / 1_000_000);
        } else {
          refused.add(signIn.statusCode() + " " + signIn.bodyAsString());
        }
      }
      int busyDuringSignIns = busy.get();
      stop.set(true);
      Future.join(flood).await();
      Collections.sort(latencies);
      System.out.printf("sign-in share: %d addresses sending wrong sign-ins at 50,000 PBKDF2 iterations: 401 %d,"
          + " 429 %d, 503 %d; the host admin from a known address: %d of 15 signed in, p50 %s ms, max %s ms%n",
          addresses, unauthorized.get(), throttled.get(), busy.get(), latencies.size(),
          latencies.isEmpty() ? "-" : latencies.get(latencies.size() / 2),
          latencies.isEmpty() ? "-" : latencies.get(latencies.size() - 1));
      assertTrue(busyDuringSignIns > 0, "the flood filled its share of the hashing pool");
      assertEquals(List.of(), refused, "every sign-in of the known client succeeded");
      for (WebClient attacker : attackers) {
        attacker.close();
      }
    }
  }

  /** Wrong sign-ins with random user names until {@code stop}: again at once after a 401, 100 ms after a refusal. */
  private static Future<Void> guesses(Vertx vertx, WebClient client, java.util.concurrent.atomic.AtomicBoolean stop,
      long deadline, AtomicInteger unauthorized, AtomicInteger throttled, AtomicInteger busy) {
    if (stop.get() || System.nanoTime() >= deadline) {
      return Future.succeededFuture();
    }
    return client.post("/identity/connect/token").timeout(30_000).sendForm(MultiMap.caseInsensitiveMultiMap()
            .add("grant_type", "password").add("username", "user" + RANDOM.nextInt(1_000_000))
            .add("password", "guess-" + RANDOM.nextInt()))
        .compose(response -> {
          int pause = switch (response.statusCode()) {
            case 401 -> {
              unauthorized.incrementAndGet();
              yield 0;
            }
            case 429 -> {
              throttled.incrementAndGet();
              yield 100;
            }
            case 503 -> {
              busy.incrementAndGet();
              yield 100;
            }
            default -> -1;
          };
          if (pause < 0) {
            return Future.failedFuture("unexpected " + response.statusCode() + " " + response.bodyAsString());
          }
          if (pause == 0) {
            return guesses(vertx, client, stop, deadline, unauthorized, throttled, busy);
          }
          Promise<Void> later = Promise.promise();
          vertx.setTimer(pause, id -> later.complete());
          return later.future().compose(go -> guesses(vertx, client, stop, deadline, unauthorized, throttled, busy));
        });
  }

  @Test
  void anEventStreamEndsWhenItsTokenExpires() throws Exception {
    JsonObject shortTokens = new JsonObject().put("security", new JsonObject().put("tokenTtlSeconds", 2));
    try (TestNode node = TestNode.start("sse-expiry", shortTokens)) {
      String host = node.api().signInHostAdmin().await();
      // RawHttp reads until the node closes the stream: it returns only because the token expired
      RawHttp.Reply stream = new RawHttp(node.vertx(), node.port(), null)
          .send(HttpMethod.GET, "/api/Maintenance/Events", host, null);
      assertEquals(200, stream.status());
      String events = stream.body().toString();
      assertTrue(events.contains("event: phase"), events);
      assertTrue(events.contains("event: expired"), "the stream says why it ends: " + events);
    }
  }

  /** Sends one raw request and completes with the whole response text once its body arrived. */
  private static Future<String> exchange(NetSocket socket, String request) {
    Promise<String> answer = Promise.promise();
    StringBuilder text = new StringBuilder();
    socket.handler(chunk -> {
      text.append(chunk.toString());
      int headersEnd = text.indexOf("\r\n\r\n");
      java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(text);
      if (headersEnd >= 0 && length.find()
          && text.length() >= headersEnd + 4 + Integer.parseInt(length.group(1))) {
        answer.tryComplete(text.toString());
      }
    });
    socket.write(request);
    return answer.future().timeout(30, java.util.concurrent.TimeUnit.SECONDS);
  }

  @Test
  void aWrongPasswordFloodNeitherStarvesTheNodeNorLocksTheAdminOut() throws Exception {
    JsonObject production = new JsonObject().put("security", new JsonObject().put("passwordIterations", 210_000));
    try (TestNode node = TestNode.start("signin-flood", production)) {
      WebClient attacker = WebClient.create(node.vertx(), new WebClientOptions().setDefaultHost("127.0.0.1")
          .setDefaultPort(node.port()), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(200));
      // the operator signs in from another address of the machine (127.0.0.2), as from their desk
      Api operator = new Api(node.vertx(), node.port(), 5, "127.0.0.2");
      AtomicInteger statuses429 = new AtomicInteger();
      AtomicInteger statuses503 = new AtomicInteger();
      AtomicInteger statuses401 = new AtomicInteger();
      List<Future<?>> flood = new ArrayList<>();
      long floodUntil = System.nanoTime() + Duration.ofSeconds(6).toNanos();
      // 200 concurrent wrong sign-ins for the host admin, each renewed as soon as it is answered
      for (int i = 0; i < 200; i++) {
        flood.add(wrongSignIns(node.vertx(), attacker, floodUntil, statuses401, statuses429, statuses503));
      }
      // health probed every 50 ms on its own, the operator signing in again and again meanwhile
      List<Long> health = Collections.synchronizedList(new ArrayList<>());
      Api probe = node.api();
      Future<Void> probing = probeHealth(node.vertx(), probe, floodUntil, health);
      List<Long> signIns = new ArrayList<>();
      while (System.nanoTime() < floodUntil) {
        long start = System.nanoTime();
        HttpResponse<Buffer> signIn = operator.token(null, "admin", TestNode.ADMIN_PASSWORD).await();
        if (signIn.statusCode() == 200) {
          signIns.add((System.nanoTime() - start) / 1_000);
        } else {
          assertEquals(503, signIn.statusCode(), signIn.bodyAsString()); // busy: retried at once
          assertNotNull(signIn.getHeader("Retry-After"));
        }
      }
      probing.await();
      Future.join(flood).await();
      Collections.sort(health);
      Collections.sort(signIns);
      System.out.printf("sign-in flood: 200 concurrent wrong sign-ins for 6 s at 210,000 PBKDF2 iterations:"
          + " answered 401 %d, 429 %d, 503 %d; /health/ready p50 %.1f ms p99 %.1f ms;"
          + " the admin's sign-ins from another address: %d succeeded, p50 %.0f ms max %.0f ms%n",
          statuses401.get(), statuses429.get(), statuses503.get(), health.get(health.size() / 2) / 1000.0,
          health.get((int) Math.floor(health.size() * 0.99)) / 1000.0, signIns.size(),
          signIns.isEmpty() ? Double.NaN : signIns.get(signIns.size() / 2) / 1000.0,
          signIns.isEmpty() ? Double.NaN : signIns.get(signIns.size() - 1) / 1000.0);
      assertTrue(statuses429.get() > 0, "the flood was throttled");
      assertTrue(statuses401.get() < 60, "at most a few dozen wrong passwords were hashed: " + statuses401.get());
      assertTrue(signIns.size() > 0, "the host admin signed in during the flood from their own address");
      // every probe answered 200 (any other answer failed `probing`); how many fit in the 6 s is a
      // wall-clock figure: about 100 on a quiet machine, 10 on a 2-core machine at load average 15
      // (stress-ng --cpu 2, a benchmark and two builds beside the suite). Starved event loops (the
      // hashing on them) would answer none: each probe would wait behind 200 queued 210,000-iteration
      // hashes. At least 5 is far from either.
      assertTrue(health.size() >= 5, "health answered 200 throughout: " + health.size() + " probes");
    }
  }

  /** {@code GET /health/ready} every 50 ms until {@code until}, each answer's latency in microseconds. */
  private static Future<Void> probeHealth(Vertx vertx, Api api, long until, List<Long> latencies) {
    if (System.nanoTime() >= until) {
      return Future.succeededFuture();
    }
    long start = System.nanoTime();
    return api.get("/health/ready", null).compose(response -> {
      if (response.statusCode() != 200) {
        return Future.failedFuture("/health/ready answered " + response.statusCode());
      }
      latencies.add((System.nanoTime() - start) / 1_000);
      Promise<Void> pace = Promise.promise();
      vertx.setTimer(50, id -> pace.complete());
      return pace.future().compose(next -> probeHealth(vertx, api, until, latencies));
    });
  }

  private static Future<Void> wrongSignIns(Vertx vertx, WebClient client, long until, AtomicInteger unauthorized,
      AtomicInteger throttled, AtomicInteger busy) {
    if (System.nanoTime() >= until) {
      return Future.succeededFuture();
    }
    // each of the 200 senders ignores Retry-After and tries again every 100 ms (2,000 tries a second
    // in all; the attacker shares this machine's two cores with the node)
    Promise<Void> pace = Promise.promise();
    vertx.setTimer(100, id -> pace.complete());
    return pace.future().compose(go -> client.post("/identity/connect/token").timeout(30_000).sendForm(MultiMap.caseInsensitiveMultiMap()
            .add("grant_type", "password").add("username", "admin").add("password", "guess-" + RANDOM.nextInt()))
        .compose(response -> {
          switch (response.statusCode()) {
            case 401 -> unauthorized.incrementAndGet();
            case 429 -> throttled.incrementAndGet();
            case 503 -> busy.incrementAndGet();
            default -> {
              return Future.failedFuture("unexpected " + response.statusCode() + " " + response.bodyAsString());
            }
          }
          return wrongSignIns(vertx, client, until, unauthorized, throttled, busy);
        }));
  }
}
