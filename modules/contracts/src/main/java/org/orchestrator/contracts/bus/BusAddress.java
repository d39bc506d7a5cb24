package org.orchestrator.contracts.bus;

import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.FailureTranslator;
import org.orchestrator.contracts.FailureCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One event-bus address with the types it carries. Commands and queries are sent with
 * {@link #request} (always with a timeout) and answered by {@link #serve}; events are
 * {@link #publish}ed and observed with {@link #subscribe}. Failures cross the bus as
 * {@code fail(FailureCode.errorCode(), message)} and come back out as {@link Failure}.
 *
 * @param <Q> the body sent to the address
 * @param <R> the body of the reply ({@link Void} for events)
 */
public final class BusAddress<Q, R> {

  private static final Logger LOG = LoggerFactory.getLogger(BusAddress.class);

  /** What kind of conversation an address is. */
  public enum Kind { COMMAND, QUERY, EVENT }

  private final String name;
  private final Kind kind;
  private final Class<Q> requestType;
  private final Class<R> replyType;
  private final String description;
  private final long timeoutMillis;

  BusAddress(String name, Kind kind, Class<Q> requestType, Class<R> replyType, long timeoutMillis,
      String description) {
    this.name = Objects.requireNonNull(name);
    this.kind = kind;
    this.requestType = requestType;
    this.replyType = replyType;
    this.timeoutMillis = timeoutMillis;
    this.description = description;
  }

  public String name() {
    return name;
  }

  public Kind kind() {
    return kind;
  }

  public Class<Q> requestType() {
    return requestType;
  }

  public Class<R> replyType() {
    return replyType;
  }

  public String description() {
    return description;
  }

  public long timeoutMillis() {
    return timeoutMillis;
  }

  /**
   * Sends a command or query and returns the typed reply, or a {@link Failure}. Its timeout is the
   * address's, cut to the deadline of the request this work belongs to ({@link RequestContext}).
   */
  public Future<R> request(EventBus bus, Q body) {
    if (kind == Kind.EVENT) {
      throw new IllegalStateException(name + " is an event: publish it");
    }
    return bus.<R>request(name, body, RequestContext.options(timeoutMillis))
        .recover(BusAddress::toFailure)
        .map(Message::body);
  }

  /** Publishes an event to every subscriber. */
  public void publish(EventBus bus, Q body) {
    if (kind != Kind.EVENT) {
      throw new IllegalStateException(name + " is not an event: request it");
    }
    bus.publish(name, body, RequestContext.withIdentity(new DeliveryOptions()));
  }

  /**
   * Answers requests with {@code handler}. A handler failing with {@link Failure} sends that code,
   * one a {@link FailureTranslator} names (a dropped database connection: UNAVAILABLE) sends that;
   * anything else is logged and sent as {@link FailureCode#INTERNAL}. Await
   * {@code consumer.completion()} before declaring a verticle started.
   */
  public MessageConsumer<Q> serve(EventBus bus, Function<Q, Future<R>> handler) {
    return bus.consumer(name, message -> {
      RequestContext.enter(message.headers());
      Future<R> reply;
      try {
        reply = handler.apply(message.body());
      } catch (RuntimeException e) {
        reply = Future.failedFuture(e);
      }
      reply.onComplete(message::reply, failure -> fail(message, failure));
    });
  }

  /** Observes published events. */
  public MessageConsumer<Q> subscribe(EventBus bus, Consumer<Q> handler) {
    return bus.consumer(name, message -> {
      RequestContext.enter(message.headers());
      handler.accept(message.body());
    });
  }

  private void fail(Message<Q> message, Throwable failure) {
    Failure named = FailureTranslator.of(failure).orElse(null);
    if (named != null) {
      if (!(failure instanceof Failure)) {
        // DEBUG: during a database outage every request meets one (thousands a second); the outage
        // shows in /health/ready and the 503s in vertx_http_server_requests_total{code="503"}
        LOG.debug("{} failed (request {}): {}", name, RequestContext.id(), failure.toString());
      }
      message.fail(named.code().errorCode(), named.getMessage());
    } else {
      LOG.error("{} failed (request {})", name, RequestContext.id(), failure);
      message.fail(FailureCode.INTERNAL.errorCode(), "internal error");
    }
  }

  private static <T> Future<T> toFailure(Throwable failure) {
    if (failure instanceof ReplyException reply) {
      if (reply.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
        return Future.failedFuture(
            new Failure(FailureCode.ofErrorCode(reply.failureCode()), reply.getMessage()));
      }
      return Future.failedFuture(
          new Failure(FailureCode.UNAVAILABLE, "service did not answer: " + reply.failureType()));
    }
    return Future.failedFuture(failure);
  }

  @Override
  public String toString() {
    return name;
  }
}
