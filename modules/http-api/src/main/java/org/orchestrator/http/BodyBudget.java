package org.orchestrator.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.orchestrator.platform.metrics.Meters;

/**
 * The request body bytes the node reads at once, over every connection and every instance of the
 * HTTP verticle ({@code http.maxBodyBytesInFlight}; made once per node, in {@link HttpEdge}). A
 * request reserves its body's size before a byte of it is read and gives it back when it is answered
 * or its connection closes; a reservation that would pass the budget is refused, and the request is
 * answered 503 unread. The gauge {@code orchestrator_http_body_bytes_in_flight} shows what is held,
 * the counter {@code orchestrator_http_bodies_refused_total} what was refused.
 */
public final class BodyBudget {

  private final long limit;
  private final AtomicLong reserved = new AtomicLong();
  private final Counter refused;

  public BodyBudget(long limit, MeterRegistry registry) {
    this.limit = limit;
    Gauge.builder(Meters.HTTP_BODY_BYTES_IN_FLIGHT, reserved, AtomicLong::get)
        .description("request body bytes admitted and not yet answered on this node").register(registry);
    this.refused = Counter.builder(Meters.HTTP_BODIES_REFUSED)
        .description("requests answered 503 before their body was read: the body budget was spent").register(registry);
  }

  /** The budget, in bytes. */
  public long limit() {
    return limit;
  }

  /** Bytes reserved now. */
  public long reserved() {
    return reserved.get();
  }

  /** Reserves {@code bytes}: the reservation, or null when the budget cannot hold them now. */
  public Reservation reserve(long bytes) {
    while (true) {
      long held = reserved.get();
      if (held + bytes > limit) {
        refused.increment();
        return null;
      }
      if (reserved.compareAndSet(held, held + bytes)) {
        return new Reservation(bytes);
      }
    }
  }

  /** Bytes of the budget held by one request; {@link #release()} gives them back, once. */
  public final class Reservation {

    private final long bytes;
    private final AtomicBoolean released = new AtomicBoolean();

    private Reservation(long bytes) {
      this.bytes = bytes;
    }

    public void release() {
      if (released.compareAndSet(false, true)) {
        reserved.addAndGet(-bytes);
      }
    }
  }
}
