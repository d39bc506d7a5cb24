package org.orchestrator.bench;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import java.util.concurrent.TimeUnit;
import org.orchestrator.http.HttpApiVerticle;

/**
 * What finding a robot's route costs (issue 35, "routing"): the contract's router as the node
 * mounts it (the robots' routes in a router of their own, tried first) against the one router of
 * all 65 routes (before), each on a server of its own in this JVM, every operation answering 200 at
 * once (no token, no validation, no database: what is left is the routing). Measured: requests a
 * second of a robot's queue add (the 64th route of the whole router) and of a log upload (the
 * 36th), 64 in flight, six alternating rounds of 20,000 a side, medians.
 */
final class RoutingBenchmark {

  private RoutingBenchmark() {
  }

  static void run() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      JsonObject contract = HttpApiVerticle.validatable(HttpApiVerticle.readContract());
      RouterBuilder builder = RouterBuilder.create(vertx, OpenAPIContract.from(vertx, contract).await());
      for (OpenAPIRoute route : builder.getRoutes()) {
        route.setDoSecurity(false).setDoValidation(false).addHandler(ctx -> ctx.response().end());
      }
      Router split = Router.router(vertx);
      split.route("/*").subRouter(HttpApiVerticle.only(builder.createRouter(), HttpApiVerticle.ROBOT_ROUTES));
      split.route("/*").subRouter(builder.createRouter());
      Router whole = Router.router(vertx);
      whole.route("/*").subRouter(builder.createRouter());
      HttpServer splitServer = vertx.createHttpServer().requestHandler(split).listen(0, "127.0.0.1").await();
      HttpServer wholeServer = vertx.createHttpServer().requestHandler(whole).listen(0, "127.0.0.1").await();
      WebClient client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true),
          new PoolOptions().setHttp1MaxSize(64));
      Buffer item = new JsonObject().put("reference", "r").put("payload", new JsonObject()).toBuffer();
      Buffer logs = new JsonObject().put("batchId", "b").put("lines", new io.vertx.core.json.JsonArray()).toBuffer();
      for (String[] kind : new String[][] {{"queue add", "/api/robot/queues/q/items"}, {"log upload", "/api/robot/logs"}}) {
        Buffer body = kind[0].equals("queue add") ? item : logs;
        int splitPort = splitServer.actualPort();
        int wholePort = wholeServer.actualPort();
        java.util.function.IntFunction<Double> side = port -> Benchmarks.load(() -> client
            .post(port, "127.0.0.1", kind[1]).putHeader("Content-Type", "application/json").sendBuffer(body), 20_000);
        double[] medians = Benchmarks.alternate(6, () -> side.apply(splitPort), () -> side.apply(wholePort));
        Benchmarks.row("routing: " + kind[0] + " (" + kind[1] + ") req/s, robots' router first vs. one router of "
            + "all routes (no token, validation or database)", medians[0], medians[1], "> 1",
            "%.0f req/s");
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
