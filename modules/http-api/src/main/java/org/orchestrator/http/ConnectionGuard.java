package org.orchestrator.http;

import io.micrometer.core.instrument.Counter;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.FailureCode;
import org.orchestrator.http.support.ClientAddresses;
import org.orchestrator.http.support.ErrorReplies;
import org.orchestrator.platform.config.OrchestratorConfig;
import org.orchestrator.platform.metrics.Meters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a connection may hold, whoever opened it (Vert.x itself only closes connections that send
 * and receive nothing at all, which a client trickling one byte a second never is):
 * <ul>
 *   <li>a new connection must deliver its request's headers within {@code headerTimeoutSeconds};
 *   between two requests of a kept-alive connection the next one's headers must arrive within
 *   {@code idleTimeoutSeconds};</li>
 *   <li>a request must be answered (or its answer begun, as a stream does) within
 *   {@code requestTimeoutSeconds}, so a body trickled in byte by byte ends too;</li>
 *   <li>a connection opened while {@code maxConnections} are admitted already, or while its client
 *   address holds {@code maxConnectionsPerAddress} of them, has its request answered 503
 *   {@code TOO_MANY_CONNECTIONS} with {@code Retry-After} and is closed by the node (within a
 *   second if it asks nothing); connections admitted before keep being served. A refused connection
 *   takes no share of either limit, so one address that opens connections again as fast as they
 *   are refused still leaves every other address its room;</li>
 *   <li>the request body its current request holds of the node's budget ({@link BodyBudget}) is
 *   given back when the request is answered or the connection closes, whichever comes first.</li>
 * </ul>
 * The limits are checked four times a second, so each holds to within a quarter second.
 * Every close for a timeout is counted in {@code orchestrator_http_connections_closed_total}
 * (label {@code reason}); open connections are the gauge {@code orchestrator_http_connections_open},
 * the addresses holding them {@code orchestrator_http_connections_addresses}.
 */
public final class ConnectionGuard {

  private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);
  private static final long SWEEP_MS = 250;

  /** What a connection is doing: waiting for a request's headers since a moment, or serving one. */
  private static final class Watch {
    long since;
    HttpServerRequest request;
    /** Whether a request was answered on it: then the next one may take the idle timeout. */
    boolean served;
    /** Opened beyond the cap or its address's share: its first request is answered 503 so, then it is closed. */
    Refusal refusal;
    /** The address key whose share it holds; null for a refused connection. */
    String address;
    /** What the current request's body holds of the node's budget, given back once. */
    Runnable body;

    Watch(long since) {
      this.since = since;
    }
  }

  /** Why a connection was refused: its address's share was taken, or the node's cap. */
  record Refusal(boolean addressShare, String message) {
  }

  /**
   * The node's count of open connections (the cap holds across the HTTP verticle's instances) and
   * the meters of what the guards close; made once per node.
   */
  public static final class Counts {
    private final AtomicInteger open = new AtomicInteger();
    private final AtomicInteger admitted = new AtomicInteger();
    /** Admitted connections by client address key; an address leaves the map with its last connection. */
    private final Map<String, Integer> addresses = new ConcurrentHashMap<>();
    private final Counter headerTimeouts;
    private final Counter requestTimeouts;
    private final Counter refused;
    private final Counter refusedForAddress;

    public Counts(MeterRegistry registry) {
      Gauge.builder(Meters.HTTP_CONNECTIONS_OPEN, open, AtomicInteger::get)
          .description("HTTP connections open on this node").register(registry);
      Gauge.builder(Meters.HTTP_CONNECTION_ADDRESSES, addresses, Map::size)
          .description("client addresses holding admitted HTTP connections on this node").register(registry);
      this.headerTimeouts = closed(registry, "header_timeout");
      this.requestTimeouts = closed(registry, "request_timeout");
      this.refused = closed(registry, "too_many_connections");
      this.refusedForAddress = closed(registry, "address_share");
    }

    /**
     * Admits a connection from {@code address} (its key) or says why not: null when admitted (the
     * address's count and the node's went up by one), else the refusal.
     */
    Refusal admit(String address, OrchestratorConfig.Http limits) {
      Refusal[] refusal = new Refusal[1];
      addresses.compute(address, (key, held) -> {
        int count = held == null ? 0 : held;
        if (count >= limits.maxConnectionsPerAddress()) {
          refusal[0] = new Refusal(true, "this address holds " + count + " connections already "
              + "(http.maxConnectionsPerAddress); retry in a second");
          return held;
        }
        if (admitted.incrementAndGet() > limits.maxConnections()) {
          admitted.decrementAndGet();
          refusal[0] = new Refusal(false, "the node holds " + limits.maxConnections() + " connections already "
              + "(http.maxConnections); retry in a second");
          return held;
        }
        return count + 1;
      });
      return refusal[0];
    }

    void release(String address) {
      addresses.computeIfPresent(address, (key, held) -> held <= 1 ? null : held - 1);
      admitted.decrementAndGet();
    }

    private static Counter closed(MeterRegistry registry, String reason) {
      return Counter.builder(Meters.HTTP_CONNECTIONS_CLOSED).description("HTTP connections the node closed, by reason")
          .tag("reason", reason).register(registry);
    }
  }

  private final OrchestratorConfig.Http limits;
  /** This instance's connections: each is watched on the event loop that serves it. */
  private final Map<HttpConnection, Watch> connections = new ConcurrentHashMap<>();
  private final Counts counts;
  private final AtomicInteger open;
  private final Counter headerTimeouts;
  private final Counter requestTimeouts;

  /**
   * Checks every connection of this instance four times a second, on the caller's context (the
   * instance's event loop, which also serves them), so no response handler slot is taken from the
   * router.
   */
  ConnectionGuard(Vertx vertx, OrchestratorConfig.Http limits, Counts counts) {
    this.limits = limits;
    this.counts = counts;
    this.open = counts.open;
    this.headerTimeouts = counts.headerTimeouts;
    this.requestTimeouts = counts.requestTimeouts;
    vertx.setPeriodic(SWEEP_MS, id -> sweep(System.nanoTime()));
  }

  /** For {@code HttpServer.connectionHandler}. */
  void connected(HttpConnection connection) {
    Watch watch = new Watch(System.nanoTime());
    open.incrementAndGet();
    // the limits are decided when a connection opens: connections already admitted keep being served
    String address = ClientAddresses.key(connection.remoteAddress());
    watch.refusal = counts.admit(address, limits);
    watch.address = watch.refusal == null ? address : null;
    connections.put(connection, watch);
    connection.closeHandler(closed -> {
      open.decrementAndGet();
      connections.remove(connection);
      if (watch.address != null) {
        counts.release(watch.address);
      }
      releaseBody(watch);
    });
  }

  /**
   * Holds {@code release} (what the request's body reserved of the node's budget) until the request
   * is answered or its connection closes, then runs it once. False when the connection is gone
   * already: the caller releases at once and stops.
   */
  boolean holdBody(HttpServerRequest request, Runnable release) {
    Watch watch = connections.get(request.connection());
    if (watch == null) {
      return false;
    }
    releaseBody(watch);
    watch.body = release;
    return true;
  }

  private static void releaseBody(Watch watch) {
    Runnable body = watch.body;
    if (body != null) {
      watch.body = null;
      body.run();
    }
  }

  /** Wraps the router: every request passes here first. */
  Handler<HttpServerRequest> requests(Handler<HttpServerRequest> next) {
    return request -> {
      HttpConnection connection = request.connection();
      Watch watch = connections.get(connection);
      if (watch != null) {
        watch.request = request;
        watch.since = System.nanoTime();
      }
      if (watch != null && watch.refusal != null) {
        (watch.refusal.addressShare() ? counts.refusedForAddress : counts.refused).increment();
        // closed by the node once answered, whether or not the client honours "Connection: close"
        // (the router never sees this request, so the response's end handler is free)
        request.response().endHandler(ended -> connection.close());
        request.response().putHeader("Retry-After", "1").putHeader("Connection", "close");
        ErrorReplies.send(request.response(), new Failure(FailureCode.TOO_MANY_CONNECTIONS, watch.refusal.message()));
        return;
      }
      next.handle(request);
    };
  }

  private void sweep(long now) {
    connections.forEach((connection, watch) -> {
      HttpServerRequest request = watch.request;
      if (request != null && request.response().ended()) {
        // answered: a kept-alive connection now waits for its next request
        watch.request = null;
        watch.served = true;
        watch.since = now;
        releaseBody(watch);
        return;
      }
      long seconds = (now - watch.since) / 1_000_000_000L;
      if (request == null) {
        // beyond the cap a connection gets one second to ask, and is then answered or closed
        int limit = watch.refusal != null ? 1 : watch.served ? limits.idleTimeoutSeconds() : limits.headerTimeoutSeconds();
        if (seconds >= limit) {
          headerTimeouts.increment();
          close(connection, "no request headers within " + limit + " s");
        }
      } else if (!request.response().headWritten() && seconds >= limits.requestTimeoutSeconds()) {
        requestTimeouts.increment();
        close(connection, "no complete request within " + limits.requestTimeoutSeconds()
            + " s (http.requestTimeoutSeconds)");
      }
    });
  }

  private void close(HttpConnection connection, String why) {
    connections.remove(connection);
    LOG.debug("closing a connection from {}: {}", connection.remoteAddress(), why);
    connection.close();
  }

  /** A reply for requests the HTTP decoder refused (too long a URI or headers, bad syntax): JSON too. */
  static void invalid(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    Failure failure;
    if (cause instanceof TooLongHttpLineException) {
      failure = new Failure(FailureCode.URI_TOO_LONG, "the request line is too long");
    } else if (cause instanceof TooLongHttpHeaderException) {
      failure = new Failure(FailureCode.HEADERS_TOO_LARGE, "the request headers are too large");
    } else {
      failure = Failure.badRequest("the request is not valid HTTP");
    }
    ErrorReplies.send(request.response().putHeader("Connection", "close"), failure);
  }
}
