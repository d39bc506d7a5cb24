package org.orchestrator.http;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.JWTAuthHandler;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import org.orchestrator.contracts.Failure;
import org.orchestrator.http.maintenance.MaintenanceCalls;
import org.orchestrator.http.operations.AccountOperations;
import org.orchestrator.http.operations.AssetOperations;
import org.orchestrator.http.operations.HealthOperations;
import org.orchestrator.http.operations.IdentityOperations;
import org.orchestrator.http.operations.JobOperations;
import org.orchestrator.http.operations.MaintenanceOperations;
import org.orchestrator.http.operations.Operations;
import org.orchestrator.http.operations.RobotOperations;
import org.orchestrator.http.operations.RobotProtocolOperations;
import org.orchestrator.http.operations.RetentionOperations;
import org.orchestrator.http.operations.ScheduleOperations;
import org.orchestrator.http.operations.WebhookOperations;
import org.orchestrator.http.pages.ConsoleRoutes;
import org.orchestrator.http.pages.SignInPageRoutes;
import org.orchestrator.http.pages.SwaggerRoutes;
import org.orchestrator.http.robots.RobotChannels;
import org.orchestrator.http.support.ErrorReplies;
import org.orchestrator.http.support.ExactParameters;
import org.orchestrator.http.support.InputGuard;
import org.orchestrator.http.support.RequestIdHandler;
import org.orchestrator.http.support.ServerCertificate;
import org.orchestrator.platform.StartupFailure;
import org.orchestrator.platform.config.OrchestratorConfig;
import org.orchestrator.platform.metrics.Meters;
import org.orchestrator.platform.phase.PhaseWatch;
import org.orchestrator.platform.security.RevocationWatch;
import org.orchestrator.platform.security.SigningKeys;
import org.orchestrator.platform.security.TokenAuth;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP edge. Root router order: a malformed query or path refused ({@link ExactParameters}), the
 * maintenance gate, then what is decided before a body is read ({@link BodyGuard}: the route's body
 * limit, the bearer token of the operations that take one, the node's budget of body bytes in
 * flight), the body, the OpenAPI-built feature routes (each validates its input and, where the
 * contract asks, the bearer token, unless checked already), the contract itself, one failure
 * handler, and a JSON 404 for everything else. Routes turn requests into bus messages.
 */
public final class HttpApiVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(HttpApiVerticle.class);
  private static final String CONTRACT = "openapi.json";
  /** The meters the HTTP edge registers (the feature modules list theirs in their descriptors). */
  public static final List<String> METERS = List.of(Meters.GATE_REFUSALS, Meters.ROBOT_CHANNELS_OPEN,
      Meters.HTTP_CONNECTIONS_OPEN, Meters.HTTP_CONNECTIONS_CLOSED, Meters.HTTP_CONNECTION_ADDRESSES,
      Meters.HTTP_BODY_BYTES_IN_FLIGHT, Meters.HTTP_BODIES_REFUSED);

  private final HttpEdge edge;
  private final OrchestratorConfig config;
  private final SigningKeys keys;
  private final HealthChecks readiness;
  private final MeterRegistry registry;
  private final Handler<RoutingContext> scrape;
  private final boolean gate;
  private HttpServer server;
  private ServerCertificate certificate;

  /**
   * One instance; {@link HttpEdge#instances()} of them serve the port together, one per event loop
   * (Vert.x spreads the connections over them), sharing what {@code edge} holds.
   */
  public HttpApiVerticle(HttpEdge edge) {
    this.edge = edge;
    this.gate = edge.gate();
    this.config = edge.config();
    this.keys = edge.keys();
    this.readiness = edge.readiness();
    this.registry = edge.registry();
    this.scrape = edge.scrape();
  }

  @Override
  public Future<?> start() {
    JsonObject contractJson = readContract();
    // the tokens of deleted and disabled principals are refused, as this node's revocations say
    JWTAuth jwt = TokenAuth.provider(vertx, keys, config.security(), edge.revocations()::get);
    EventBus bus = vertx.eventBus();
    ConnectionGuard guard = new ConnectionGuard(vertx, config.http(), edge.connections());
    return RevocationWatch.start(vertx, edge.revocations()).compose(revocations -> PhaseWatch.start(vertx, edge.phase()))
        .compose(phase -> {
      if (edge.readinessRegistered().compareAndSet(false, true)) {
        readiness.register("phase", 1_000, promise -> promise.complete(phase.loaded() ? Status.OK() : Status.KO()));
      }
      return OpenAPIContract.from(vertx, validatable(contractJson.copy())).map(contract -> router(contract, contractJson, jwt,
          bus, phase, guard));
    }).compose(root -> {
      HttpServerOptions options = new HttpServerOptions();
      if (config.http().tls().enabled()) {
        certificate = new ServerCertificate(vertx, config.http().tls(), "the HTTP API", edge.certificateAnnounced());
        certificate.secure(options);
      }
      return StartupFailure.naming(vertx.createHttpServer(options
              .setHost(config.http().host())
              // port 0 picks a free port; -1 picks one that every instance of this verticle shares
              .setPort(config.http().port() == 0 ? -1 : config.http().port())
              .setCompressionSupported(true)
              // no h2c: its upgrade check holds a connection back from the connection handler until
              // a whole request arrived, which would hide slow-header clients from the guard
              .setHttp2ClearTextEnabled(false)
              // a backstop for connections that send and receive nothing at all
              .setIdleTimeout(Math.max(config.http().idleTimeoutSeconds(), config.http().requestTimeoutSeconds())))
          .connectionHandler(guard::connected)
          .invalidRequestHandler(ConnectionGuard::invalid)
          .requestHandler(guard.requests(root))
          .listen(), "the HTTP API", config.http().host(), config.http().port(), "http.port, ORCH_HTTP_PORT");
    }).onSuccess(listening -> {
      server = listening;
      LOG.info("HTTP API listening on {}:{}{}", config.http().host(), listening.actualPort(),
          certificate == null ? "" : " (TLS 1.2 and 1.3)");
      if (certificate != null) {
        certificate.watch(update -> listening.updateSSLOptions(update, true));
      }
    });
  }

  private Router router(OpenAPIContract contract, JsonObject contractJson, JWTAuth jwt, EventBus bus,
      PhaseWatch phase, ConnectionGuard guard) {
    RouterBuilder builder = RouterBuilder.create(vertx, contract, new ExactParameters(contract));
    JWTAuthHandler bearer = JWTAuthHandler.create(jwt);
    builder.security("bearerAuth").httpHandler(bearer);
    Operations operations = new Operations(builder, contractJson);
    HealthOperations.bind(operations, readiness);
    IdentityOperations.bind(operations, bus, edge.throttle());
    AccountOperations.bind(operations, edge.throttle());
    RobotOperations.bind(operations);
    JobOperations.bind(operations);
    RobotProtocolOperations.bind(operations);
    ScheduleOperations.bind(operations);
    AssetOperations.bind(operations);
    WebhookOperations.bind(operations);
    RetentionOperations.bind(operations);
    new RobotChannels(vertx, edge.channels(), config.maintenance(), phase.snapshot()).bind(operations);
    MaintenanceOperations.bind(operations, bus, phase, new MaintenanceCalls(bus));
    operations.requireAllBound();

    Router root = Router.router(vertx);
    root.route().handler(new RequestIdHandler(edge.proxies()));
    root.route().handler(ExactParameters::refuseMalformed);
    if (gate) {
      root.route().handler(new GateHandler(RoutePolicy.fromContract(contractJson), phase,
          config.maintenance().retryAfterSeconds(),
          config.maintenance().robotRetryAfterSeconds(), config.maintenance().robotReturnSpreadSeconds(), registry));
    } else {
      LOG.warn("HTTP API WITHOUT the maintenance gate (benchmark baseline): maintenance does not protect it");
    }
    root.get("/metrics").handler(scrape);
    root.route().handler(InputGuard::refuseFormOnMethodWithoutBody);
    if (edge.bodyGuard()) {
      // the route's limit and the token decided, and the budget taken, before a byte of a body is read
      BodyGuard bodies = new BodyGuard(validatable(contractJson.copy()), bearer, edge.bodies(), guard, config.http());
      root.route().handler(bodies::beforeBody);
      root.route().handler(bodies::readBody);
    } else {
      LOG.warn("HTTP API WITHOUT the body guard (benchmark baseline): bodies are read before the token is checked");
      root.route().handler(BodyHandler.create(false).setBodyLimit(config.http().maxBodyBytes()));
    }
    root.route().handler(new InputGuard());
    Buffer contractBody = contractJson.toBuffer();
    root.get("/openapi.json").handler(ctx -> ctx.response()
        .putHeader("Content-Type", "application/json").end(contractBody));
    SwaggerRoutes.mount(root);
    ConsoleRoutes.mount(vertx, root);
    SignInPageRoutes.mount(root);
    // the robots' routes first, in a router of their own: Vert.x Web tries a router's routes in turn,
    // and among the contract's 65 (fixed paths first, then templated, each alphabetical) a robot's
    // queue write came 64th (decision 119); a request no robot route takes goes on to the full router
    root.route("/*").subRouter(only(builder.createRouter(), ROBOT_ROUTES));
    root.route("/*").subRouter(builder.createRouter());
    root.route().last().handler(ctx -> ctx.fail(Failure.notFound("no route " + ctx.request().method()
        + " " + ctx.request().path())));
    root.route().failureHandler(ErrorReplies::handle);
    return root;
  }

  /** The robots' protocol: thousands of requests a second, all under this prefix. */
  public static final String ROBOT_ROUTES = "/api/robot/";

  /** The router with only its routes under {@code prefix}. */
  public static Router only(Router router, String prefix) {
    for (io.vertx.ext.web.Route route : List.copyOf(router.getRoutes())) {
      if (route.getPath() == null || !route.getPath().startsWith(prefix)) {
        route.remove();
      }
    }
    return router;
  }

  /** The port the server listens on (useful when the configured port is 0). */
  public int actualPort() {
    if (server == null) {
      throw new IllegalStateException("not started");
    }
    return server.actualPort();
  }

  /**
   * The contract as the validator reads it: request media types it cannot validate (form bodies)
   * are dropped; the routes that accept them check their input themselves. OAuth2 schemes are
   * dropped too: they tell Swagger UI how to get a token, and the token they get is the same JWT
   * the bearer scheme checks.
   */
  public static JsonObject validatable(JsonObject contract) {
    JsonObject schemes = contract.getJsonObject("components").getJsonObject("securitySchemes");
    schemes.fieldNames().removeIf(name -> "oauth2".equals(schemes.getJsonObject(name).getString("type")));
    JsonArray security = contract.getJsonArray("security");
    for (int i = security.size() - 1; i >= 0; i--) {
      if (!schemes.fieldNames().containsAll(security.getJsonObject(i).fieldNames())) {
        security.remove(i);
      }
    }
    JsonObject paths = contract.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        JsonObject body = item.getJsonObject(method).getJsonObject("requestBody");
        if (body != null) {
          body.getJsonObject("content").fieldNames()
              .removeIf(mediaType -> !MediaType.isMediaTypeSupported(mediaType));
        }
      }
    }
    return contract;
  }

  /** The contract as the node serves it ({@value #CONTRACT} from the classpath). */
  public static JsonObject readContract() {
    try (InputStream in = HttpApiVerticle.class.getClassLoader().getResourceAsStream(CONTRACT)) {
      if (in == null) {
        throw new IllegalStateException(CONTRACT + " is missing from the classpath");
      }
      return new JsonObject(Buffer.buffer(in.readAllBytes()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
