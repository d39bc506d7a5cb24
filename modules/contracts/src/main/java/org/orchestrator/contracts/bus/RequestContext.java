package org.orchestrator.contracts.bus;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.MultiMap;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.VertxBootstrap;
import io.vertx.core.spi.VertxServiceProvider;
import io.vertx.core.spi.context.storage.ContextLocal;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * What travels with a request through every module it reaches: its <b>id</b>, so one request can
 * be followed through every module's log ({@code %requestId} in the log pattern), and its
 * <b>deadline</b>, so nested bus requests share one time budget instead of each starting its own
 * (a Start that waits 60 s for its stop sweep must not then wait another 60 s for its kill sweep
 * after its caller gave up). Both live in the Vert.x context the work runs on (HTTP requests and bus
 * messages each get a context of their own, and their callbacks run on it) and cross the bus as
 * the headers {@value #HEADER} and {@value #DEADLINE_HEADER}; {@link BusAddress} carries them.
 *
 * <p>Registered as a {@link VertxServiceProvider} (META-INF/services) because a {@link ContextLocal}
 * must exist before the first Vert.x instance is made.
 */
public final class RequestContext implements VertxServiceProvider {

  /** The bus header of the id (over HTTP: {@code X-Request-Id}). */
  public static final String HEADER = "requestId";
  /** The bus header of the deadline, epoch milliseconds. */
  public static final String DEADLINE_HEADER = "deadline";
  /** The bus header of the tenant the request acts for (an id, or {@code host}). */
  public static final String TENANT_HEADER = "tenant";
  private static final ContextLocal<String> ID = ContextLocal.registerLocal(String.class);
  private static final ContextLocal<String> TENANT = ContextLocal.registerLocal(String.class);
  /** The bus header of the client's address (behind a trusted proxy: the address it forwarded). */
  public static final String CLIENT_HEADER = "client";
  private static final ContextLocal<String> CLIENT = ContextLocal.registerLocal(String.class);
  private static final ContextLocal<Long> DEADLINE = ContextLocal.registerLocal(Long.class);
  /** What a client may choose as its id: short, printable, nothing a log line could be forged with. */
  /** How much earlier than its caller's an inner hop's timeout ends. */
  static final long MARGIN_MILLIS = 250;
  private static final Pattern ACCEPTED = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

  @Override
  public void init(VertxBootstrap bootstrap) {
    // the ContextLocals above are registered when this class loads, before any context exists
  }

  /** The current work's request id, or null outside a request. */
  public static String id() {
    Context context = Vertx.currentContext();
    return context == null ? null : context.getLocal(ID);
  }

  /** The tenant the current request acts for (its id, or {@code host}), or null when not known. */
  public static String tenant() {
    Context context = Vertx.currentContext();
    return context == null ? null : context.getLocal(TENANT);
  }

  /** The address of the client whose request this is (HTTP: see ClientAddresses), or null. */
  public static String client() {
    Context context = Vertx.currentContext();
    return context == null ? null : context.getLocal(CLIENT);
  }

  /** Makes {@code address} the current request's client, for its log lines and bus hops. */
  public static void enterClient(String address) {
    Context context = requestContext();
    if (address != null && context != null) {
      context.putLocal(CLIENT, address);
    }
  }

  /**
   * Makes {@code tenant} (an id, or {@code host} for the host organization) the tenant of the
   * current request, for its log lines and every bus hop it makes. Ignored outside a request.
   */
  public static void enterTenant(String tenant) {
    Context context = requestContext();
    if (tenant != null && context != null) {
      context.putLocal(TENANT, tenant);
    }
  }

  /**
   * Runs {@code work}, which enters by itself (a tick, a deadline, a bridge frame, a delivery), as
   * a request of its own: on a new duplicate of the event loop's context, with the id
   * {@code <kind>-<12 hex>}, so that its log lines and bus hops can be followed like an HTTP
   * request's. The id is in the log at once; {@code work} runs on that context.
   */
  public static <T> io.vertx.core.Future<T> newRequest(Vertx vertx, String kind,
      java.util.function.Supplier<io.vertx.core.Future<T>> work) {
    ContextInternal request = ((ContextInternal) vertx.getOrCreateContext()).unwrap().duplicate();
    request.putLocal(ID, kind + "-" + fresh().substring(0, 12));
    io.vertx.core.Promise<T> done = request.promise();
    request.runOnContext(v -> {
      io.vertx.core.Future<T> running;
      try {
        running = work.get();
      } catch (RuntimeException e) {
        running = io.vertx.core.Future.failedFuture(e);
      }
      running.onComplete(done);
    });
    return done.future();
  }

  /** The current work's deadline (epoch ms), or null when it has none. */
  public static Long deadline() {
    Context context = Vertx.currentContext();
    return context == null ? null : context.getLocal(DEADLINE);
  }

  /**
   * Makes {@code id} the current work's request id. Only on a context of its own (an HTTP request's,
   * a bus message's): on an event loop's own context it would leak into unrelated work, so it is
   * ignored there.
   */
  public static void enter(String id) {
    Context context = requestContext();
    if (id != null && context != null) {
      context.putLocal(ID, id);
    }
  }

  /** Takes the id and deadline a bus message carries onto the current (the message's) context. */
  static void enter(MultiMap headers) {
    Context context = requestContext();
    if (context == null) {
      return;
    }
    String id = headers.get(HEADER);
    if (id != null) {
      context.putLocal(ID, id);
    }
    String tenant = headers.get(TENANT_HEADER);
    if (tenant != null) {
      context.putLocal(TENANT, tenant);
    }
    String client = headers.get(CLIENT_HEADER);
    if (client != null) {
      context.putLocal(CLIENT, client);
    }
    String deadline = headers.get(DEADLINE_HEADER);
    if (deadline != null) {
      try {
        context.putLocal(DEADLINE, Long.parseLong(deadline));
      } catch (NumberFormatException ignored) {
        // not ours: a request without a deadline
      }
    }
  }

  /**
   * The delivery options of a request sent from the current work: its id, and a timeout that ends
   * {@link #MARGIN_MILLIS} before the current deadline when there is one (so the inner failure, which
   * names what did not answer, reaches the caller before the caller's own timeout), and that deadline
   * for the hops after it. Work that outlives its request (a timer armed while serving it, a
   * continuation after the caller gave up) finds the deadline passed and gets the address's own
   * timeout: it is finished, not cut off half-done.
   */
  static DeliveryOptions options(long timeoutMillis) {
    long now = System.currentTimeMillis();
    Long inherited = deadline();
    long deadline = now + timeoutMillis;
    if (inherited != null && inherited - MARGIN_MILLIS > now) {
      deadline = Math.min(deadline, inherited - MARGIN_MILLIS);
    }
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(deadline - now)
        .addHeader(DEADLINE_HEADER, Long.toString(deadline));
    return withIdentity(options);
  }

  /** Adds the current request's id and tenant, when there are, to {@code options}. */
  static DeliveryOptions withIdentity(DeliveryOptions options) {
    String id = id();
    if (id != null) {
      options.addHeader(HEADER, id);
    }
    String tenant = tenant();
    if (tenant != null) {
      options.addHeader(TENANT_HEADER, tenant);
    }
    String client = client();
    if (client != null) {
      options.addHeader(CLIENT_HEADER, client);
    }
    return options;
  }

  /**
   * Arms a timer for work that outlives the request being served (a drain's kill deadline, a retry):
   * it runs on the event loop's own context, without the request's id and deadline, so its bus hops
   * get their addresses' own timeouts however little of the request's budget is left when it fires
   * (decision 104). Outside a request it is {@link Vertx#setTimer}.
   */
  public static long setDetachedTimer(Vertx vertx, long delayMillis, io.vertx.core.Handler<Long> handler) {
    return Vertx.currentContext() instanceof ContextInternal internal
        ? internal.unwrap().setTimer(delayMillis, handler)
        : vertx.setTimer(delayMillis, handler);
  }

  /** The client's id when it is acceptable, else a new one. */
  public static String accept(String offered) {
    return offered != null && ACCEPTED.matcher(offered).matches() ? offered : fresh();
  }

  public static String fresh() {
    return Long.toHexString(ThreadLocalRandom.current().nextLong() | Long.MIN_VALUE);
  }

  private static Context requestContext() {
    Context context = Vertx.currentContext();
    return context instanceof ContextInternal internal && internal.isDuplicate() ? context : null;
  }
}
