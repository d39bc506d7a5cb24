package org.orchestrator.app;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Polls an asynchronous read until it satisfies a condition, or fails after a deadline. */
public final class Eventually {

  private Eventually() {
  }

  public static <T> Future<T> until(Vertx vertx, Supplier<Future<T>> read, Predicate<T> done, long timeoutMs) {
    Promise<T> promise = Promise.promise();
    long deadline = System.currentTimeMillis() + timeoutMs;
    // the deadline holds even when a read never completes
    long guard = vertx.setTimer(timeoutMs + 1_000, id -> promise.tryFail("condition not met in " + timeoutMs + " ms"));
    poll(vertx, read, done, deadline, promise, null);
    return promise.future().andThen(finished -> vertx.cancelTimer(guard));
  }

  private static <T> void poll(Vertx vertx, Supplier<Future<T>> read, Predicate<T> done, long deadline,
      Promise<T> promise, T last) {
    if (promise.future().isComplete()) {
      return;
    }
    if (System.currentTimeMillis() > deadline) {
      promise.tryFail("condition not met in time; last value: " + last);
      return;
    }
    Future<T> attempt;
    try {
      attempt = read.get();
    } catch (RuntimeException e) {
      attempt = Future.failedFuture(e);
    }
    attempt.onComplete(value -> {
      boolean met;
      try {
        met = done.test(value);
      } catch (RuntimeException e) {
        met = false; // e.g. a field not there yet: not done
      }
      if (met) {
        promise.tryComplete(value);
      } else {
        vertx.setTimer(25, id -> poll(vertx, read, done, deadline, promise, value));
      }
    }, failure -> vertx.setTimer(25, id -> poll(vertx, read, done, deadline, promise, last)));
  }
}
