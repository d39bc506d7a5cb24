package org.orchestrator.contracts.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.FailureCode;
import org.orchestrator.contracts.bus.BusAddress.Kind;

@ExtendWith(VertxExtension.class)
class BusAddressTest {

  record Ping(String text) {
  }

  record Pong(String text) {
  }

  private static final BusAddress<Ping, Pong> PING =
      new BusAddress<>("test.ping.send", Kind.COMMAND, Ping.class, Pong.class, 2_000, "test");

  @Test
  void recordsTravelByReferenceAndFailuresKeepTheirCode(Vertx vertx, VertxTestContext ctx) {
    LocalRecordCodec.register(vertx.eventBus());
    Ping sent = new Ping("hello");
    PING.serve(vertx.eventBus(), ping -> {
      if (!"hello".equals(ping.text())) {
        return Future.failedFuture(Failure.conflict("not hello"));
      }
      ctx.verify(() -> assertSame(sent, ping, "local records are not copied"));
      return Future.succeededFuture(new Pong("world"));
    }).completion()
        .compose(ready -> PING.request(vertx.eventBus(), sent))
        .compose(pong -> {
          ctx.verify(() -> assertEquals("world", pong.text()));
          return PING.request(vertx.eventBus(), new Ping("bye")).map(ignored -> (Throwable) null)
              .recover(Future::succeededFuture);
        })
        .onComplete(ctx.succeeding(failure -> ctx.verify(() -> {
          Failure f = assertInstanceOf(Failure.class, failure);
          assertEquals(FailureCode.CONFLICT, f.code());
          assertEquals("not hello", f.getMessage());
          ctx.completeNow();
        })));
  }

  @Test
  void aRequestNobodyServesIsUnavailableNotInternal(Vertx vertx, VertxTestContext ctx) {
    LocalRecordCodec.register(vertx.eventBus());
    PING.request(vertx.eventBus(), new Ping("anyone?")).onComplete(ctx.failing(failure -> ctx.verify(() -> {
      assertEquals(FailureCode.UNAVAILABLE, assertInstanceOf(Failure.class, failure).code());
      ctx.completeNow();
    })));
  }

  @Test
  void addressNamesAreUniqueAndFollowTheConvention() {
    Set<String> names = Addresses.all().stream().map(BusAddress::name).collect(Collectors.toSet());
    assertEquals(Addresses.all().size(), names.size());
    for (BusAddress<?, ?> address : Addresses.all()) {
      String[] parts = address.name().split("\\.");
      if (address.kind() == Kind.EVENT) {
        assertTrue(parts[parts.length - 1].endsWith("ed"), address.name() + ": events are named in the past");
      } else {
        assertEquals(3, parts.length, address.name() + " reads <module>.<noun>.<verb>");
      }
    }
  }
}
