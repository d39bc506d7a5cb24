package org.orchestrator.bench;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.concurrent.TimeUnit;
import org.orchestrator.app.Main;

/**
 * What Vert.x's own meters cost a robot request (issue 35, "vertx-metrics"): a request shaped as
 * the node serves a robot's (a routed POST with a JSON body, one event-bus request and its reply,
 * a JSON answer) on a Vert.x built as the node builds it ({@link Main#newVertx}) against one built
 * as before decision 120 (event-bus meters on; the active-requests gauge and both body-size
 * summaries recorded), each serving on a Vert.x of its own in this JVM, the client on a third
 * without meters. Measured: requests a second, 64 in flight, six alternating rounds of 100,000,
 * medians.
 */
final class VertxMetricsBenchmark {

  private VertxMetricsBenchmark() {
  }

  static void run() throws Exception {
    Vertx now = Main.newVertx(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    Vertx before = null;
    Vertx robots = null;
    try {
      before = before(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
      robots = Vertx.vertx();
      int nowPort = serve(now).actualPort();
      int beforePort = serve(before).actualPort();
      WebClient client = WebClient.create(robots, new WebClientOptions().setKeepAlive(true),
          new PoolOptions().setHttp1MaxSize(64));
      Buffer body = new JsonObject().put("reference", "r").put("payload", new JsonObject().put("robot", "1")).toBuffer();
      java.util.function.IntFunction<Double> side = port -> Benchmarks.load(() -> client
          .post(port, "127.0.0.1", "/api/robot/queues/q/items").putHeader("Content-Type", "application/json")
          .sendBuffer(body), 100_000);
      double[] medians = Benchmarks.alternate(6, () -> side.apply(nowPort), () -> side.apply(beforePort));
      Benchmarks.row("Vert.x meters: a robot-shaped request (routed POST, one bus round trip) req/s, the node's "
          + "meters vs. before decision 120", medians[0], medians[1], "> 1", "%.0f req/s");
    } finally {
      for (Vertx vertx : new Vertx[] {robots, before, now}) {
        if (vertx != null) {
          vertx.close().await(10, TimeUnit.SECONDS);
        }
      }
    }
  }

  /** A route answering through one event-bus round trip, on its own server. */
  private static HttpServer serve(Vertx vertx) {
    vertx.eventBus().<Buffer>consumer("bench.queue.add", message -> message.reply(new JsonObject().put("id", 1)));
    Router router = Router.router(vertx);
    router.post("/api/robot/queues/:queue/items").handler(io.vertx.ext.web.handler.BodyHandler.create())
        .handler(ctx -> vertx.eventBus().<JsonObject>request("bench.queue.add", ctx.body().buffer())
            .onSuccess(reply -> ctx.response().putHeader("Content-Type", "application/json")
                .end(reply.body().toBuffer()))
            .onFailure(ctx::fail));
    return vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
  }

  /** The node's Vert.x before decision 120: every Vert.x meter recorded, held as the node holds them. */
  private static Vertx before(PrometheusMeterRegistry registry) {
    Main.boundMeters(registry);
    return Main.vertx(registry, Main.metricsOptions());
  }
}
