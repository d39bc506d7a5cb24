package org.orchestrator.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.URI;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.orchestrator.contracts.Failure;
import org.orchestrator.contracts.FailureCode;
import org.orchestrator.platform.config.OrchestratorConfig;

/** Where a webhook may point, and how long a failed delivery waits. */
class WebhookTargetsTest {

  private static Vertx vertx;
  private static io.vertx.core.WorkerExecutor resolvers;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    resolvers = WebhookTargets.resolvers(vertx);
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @Test
  void privateLoopbackAndMetadataAddressesAreRefusedUnlessAllowed() throws Exception {
    for (String url : new String[] {"http://127.0.0.1/hook", "http://localhost:8080/hook", "http://10.1.2.3/x",
        "http://192.168.0.1/x", "http://169.254.169.254/latest/meta-data", "http://[::1]/x", "http://[fd00::1]/x",
        "http://100.64.0.1/x", "http://0.0.0.0/x"}) {
      URI uri = WebhookTargets.parse(url);
      Throwable refused = assertThrows(Exception.class,
          () -> WebhookTargets.resolve(resolvers, uri, false).await(), url);
      Throwable cause = refused instanceof Failure ? refused : refused.getCause();
      assertTrue(cause instanceof Failure failure && failure.code() == FailureCode.BAD_REQUEST, url + ": " + refused);
      assertEquals(InetAddress.getByName(uri.getHost().replace("[", "").replace("]", "")),
          WebhookTargets.resolve(resolvers, uri, true).await(), "allowed by the operator: " + url);
    }
    assertFalse(WebhookTargets.isPrivate(InetAddress.getByName("93.184.216.34")));
    assertFalse(WebhookTargets.isPrivate(InetAddress.getByName("2606:2800:220:1::1")));
  }

  @Test
  void aFailedDeliveryWaitsTwiceAsLongEachTimeUpToTheCapWithSomeJitter() {
    OrchestratorConfig.Webhooks settings = new OrchestratorConfig.Webhooks(1_000, 60_000, 86_400, 10_000, 65_536,
        false, 1_000);
    WebhookOutbox outbox = new WebhookOutbox(vertx, resolvers, null, settings, Clock.systemUTC(), new SimpleMeterRegistry());
    for (int attempt = 1; attempt <= 10; attempt++) {
      long nominal = Math.min(1_000L << (attempt - 1), 60_000);
      long wait = outbox.backoffMillis(attempt);
      assertTrue(wait <= nominal && wait >= nominal * 0.8, attempt + ": " + wait + " vs " + nominal);
    }
    assertTrue(outbox.backoffMillis(1_000) <= 60_000, "no overflow however many attempts");
    outbox.close().await();
  }
}
