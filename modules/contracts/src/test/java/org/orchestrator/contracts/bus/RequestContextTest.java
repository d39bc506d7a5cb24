package org.orchestrator.contracts.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A request id set where a request enters reaches every bus hop it causes, and nothing else. */
class RequestContextTest {

  private static final BusAddress<String, String> FIRST = new BusAddress<>("test.first", BusAddress.Kind.QUERY,
      String.class, String.class, 5_000, "first hop");
  private static final BusAddress<String, String> SECOND = new BusAddress<>("test.second", BusAddress.Kind.QUERY,
      String.class, String.class, 5_000, "second hop");

  private Vertx vertx;
  private final List<String> seen = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    SECOND.serve(vertx.eventBus(), body -> {
      seen.add("second:" + RequestContext.id());
      return Future.succeededFuture(body);
    }).completion().await(5, TimeUnit.SECONDS);
    // the first hop asks the second after a timer: the id follows callbacks, not only the handler
    FIRST.serve(vertx.eventBus(), body -> {
      seen.add("first:" + RequestContext.id());
      Promise<String> later = Promise.promise();
      vertx.setTimer(5, id -> SECOND.request(vertx.eventBus(), body).onComplete(later));
      return later.future();
    }).completion().await(5, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(5, TimeUnit.SECONDS);
  }

  @Test
  void theIdCrossesEveryHopOfItsRequest() throws Exception {
    ask("req-1");
    assertEquals(List.of("first:req-1", "second:req-1"), seen);
  }

  @Test
  void workOutsideARequestCarriesNoneAndRequestsDoNotLeakIntoEachOther() throws Exception {
    ask("req-a");
    ask(null);
    ask("req-b");
    assertEquals(List.of("first:req-a", "second:req-a", "first:null", "second:null", "first:req-b", "second:req-b"),
        seen);
  }

  @Test
  void anEventLoopsOwnContextNeverHoldsAnId() throws Exception {
    Promise<String> result = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> {
      RequestContext.enter("leak");
      result.complete(RequestContext.id());
    });
    assertNull(result.future().await(5, TimeUnit.SECONDS));
  }

  @Test
  void aClientsIdIsKeptOnlyWhenItIsShortAndPlain() {
    assertEquals("abc-123_x.y:z", RequestContext.accept("abc-123_x.y:z"));
    for (String bad : new String[] {null, "", "a b", "x\ny", "é", "a".repeat(65), "a\u0000b"}) {
      String id = RequestContext.accept(bad);
      assertNotEquals(bad, id);
      assertTrue(id.matches("[0-9a-f]{16}"), id);
    }
  }

  @Test
  void nestedHopsShareTheFirstRequestsTimeBudget() throws Exception {
    BusAddress<String, String> quick = new BusAddress<>("test.quick", BusAddress.Kind.QUERY, String.class,
        String.class, 300, "gives up after 300 ms");
    BusAddress<String, String> slow = new BusAddress<>("test.slow", BusAddress.Kind.QUERY, String.class,
        String.class, 60_000, "would wait a minute on its own");
    List<Long> budgets = new CopyOnWriteArrayList<>();
    slow.serve(vertx.eventBus(), body -> Promise.<String>promise().future()).completion().await(5, TimeUnit.SECONDS);
    quick.serve(vertx.eventBus(), body -> {
      budgets.add(RequestContext.deadline() - System.currentTimeMillis());
      return slow.request(vertx.eventBus(), body); // never answered: ends when quick's budget does
    }).completion().await(5, TimeUnit.SECONDS);

    long started = System.nanoTime();
    Promise<String> outcome = Promise.promise();
    vertx.runOnContext(v -> quick.request(vertx.eventBus(), "x").onComplete(outcome));
    Throwable failure = outcome.future().transform(done -> Future.succeededFuture(done.cause()))
        .await(10, TimeUnit.SECONDS);
    long tookMs = (System.nanoTime() - started) / 1_000_000;
    assertTrue(failure instanceof org.orchestrator.contracts.Failure, String.valueOf(failure));
    assertTrue(budgets.get(0) <= 300, "the inner hop inherits the outer deadline: " + budgets);
    assertTrue(failure.getMessage().contains("did not answer"), "the inner hop's failure reaches the caller first: "
        + failure.getMessage());
    // a bound, not a figure: 5 s is twelve times below the inner hop's own 60 s, so it tells the two
    // budgets apart however loaded the machine (the budget itself is checked exactly above)
    assertTrue(tookMs < 5_000, "the caller is answered when its own budget ends, not the inner hop's: " + tookMs);
  }

  @Test
  void workThatOutlivesItsRequestIsNotCutOff() throws Exception {
    BusAddress<String, String> arm = new BusAddress<>("test.arm", BusAddress.Kind.COMMAND, String.class,
        String.class, 300, "answers at once, and asks SECOND after its own deadline");
    Promise<String> late = Promise.promise();
    arm.serve(vertx.eventBus(), body -> {
      vertx.setTimer(500, id -> SECOND.request(vertx.eventBus(), "late").onComplete(late));
      return Future.succeededFuture("armed");
    }).completion().await(5, TimeUnit.SECONDS);
    Promise<String> armed = Promise.promise();
    vertx.runOnContext(v -> arm.request(vertx.eventBus(), "x").onComplete(armed));
    assertEquals("armed", armed.future().await(5, TimeUnit.SECONDS));
    assertEquals("late", late.future().await(5, TimeUnit.SECONDS), "a timer armed by a request still gets answers");
  }

  @Test
  void aDetachedTimerLeavesItsRequestsIdAndDeadlineBehind() throws Exception {
    BusAddress<String, String> arm = new BusAddress<>("test.arm-detached", BusAddress.Kind.COMMAND, String.class,
        String.class, 300, "arms a timer that fires while 200 ms of its 300 ms budget are left");
    BusAddress<String, Long> budget = new BusAddress<>("test.budget", BusAddress.Kind.QUERY, String.class,
        Long.class, 5_000, "answers the time its caller gave it");
    budget.serve(vertx.eventBus(), body -> Future.succeededFuture(RequestContext.deadline() - System.currentTimeMillis()))
        .completion().await(5, TimeUnit.SECONDS);
    Promise<String> fired = Promise.promise();
    Promise<Long> given = Promise.promise();
    arm.serve(vertx.eventBus(), body -> {
      RequestContext.setDetachedTimer(vertx, 100, id -> {
        fired.complete(RequestContext.id() + "/" + RequestContext.deadline());
        budget.request(vertx.eventBus(), "x").onComplete(given);
      });
      return Future.succeededFuture("armed");
    }).completion().await(5, TimeUnit.SECONDS);
    ask(arm, "req-d");
    assertEquals("null/null", fired.future().await(5, TimeUnit.SECONDS));
    // the hop's own 5 s, not the 200 ms its request had left (a plain setTimer gives it at most 50 ms)
    long ms = given.future().await(5, TimeUnit.SECONDS);
    assertTrue(ms > 1_000, "the timer's hop gets its address's own timeout: " + ms);
  }

  /** Sends FIRST from a context of its own (as an HTTP request has), with {@code id} entered. */
  private void ask(String id) throws Exception {
    ask(FIRST, id);
  }

  private void ask(BusAddress<String, String> address, String id) throws Exception {
    Promise<String> done = Promise.promise();
    ContextInternal request = ((ContextInternal) vertx.getOrCreateContext()).duplicate();
    request.runOnContext(v -> {
      RequestContext.enter(id);
      address.request(vertx.eventBus(), "x").onComplete(done);
    });
    done.future().await(5, TimeUnit.SECONDS);
  }
}
