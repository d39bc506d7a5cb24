package org.orchestrator.webhooks;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
        "http://100.64.0.1/x"}) {
      URI uri = WebhookTargets.parse(url);
      Throwable refused = assertThrows(Exception.class,
          () -> WebhookTargets.resolve(resolvers, uri, false).await(), url);
      Throwable cause = refused instanceof Failure ? refused : refused.getCause();
      assertTrue(cause instanceof Failure failure && failure.code() == FailureCode.BAD_REQUEST, url + ": " + refused);
      assertEquals(InetAddress.getByName(uri.getHost().replace("[", "").replace("]", "")),
          WebhookTargets.resolve(resolvers, uri, true).await(), "allowed by the operator: " + url);
    }
    assertEquals(SpecialAddresses.Reach.PUBLIC, SpecialAddresses.classify(InetAddress.getByName("93.184.216.34")).reach());
    assertEquals(SpecialAddresses.Reach.PUBLIC,
        SpecialAddresses.classify(InetAddress.getByName("2606:2800:220:1::1")).reach());
  }

  /**
   * Issue 30 item 12: the IANA special-purpose registries (IPv4 and IPv6) and the IPv6 forms that
   * embed an IPv4 address. Literal addresses only: nothing is resolved through DNS and nothing is
   * ever sent to any of them (only the check runs).
   */
  @Test
  void everySpecialPurposeAddressAndEveryEmbeddedFormIsChecked() throws Exception {
    // what issue 30 found accepted, then the registries' entries that are never receivers
    String[] never = {"0.0.0.0", "[::127.0.0.1]", "[::7f00:1]", "[::8.8.8.8]", "0.0.0.1", "0.255.255.255", "192.0.0.1",
        "192.0.0.170", "240.0.0.1", "255.255.255.254", "255.255.255.255", "192.0.2.1", "198.51.100.7",
        "203.0.113.200", "192.88.99.1", "224.0.0.1", "239.255.255.250", "[::]", "[100::1]", "[2001::1]",
        "[2001:0:4136:e378:8000:63bf:3fff:fdd2]", "[2001:10::1]", "[2001:db8::1]", "[3fff::1]", "[ff02::1]",
        "[ff0e::1]", "[4000::1]", "[1::1]", "[2002:c000:0201::1]", "[64:ff9b::c000:201]", "[::ffff:0:c000:201]",
        "[::ffff:192.0.2.1]", "[2002:0:1::]"};
    // private: refused unless webhooks.allowPrivateTargets
    String[] privateOnes = {"[64:ff9b::7f00:1]", "[2002:7f00:1::]", "[::ffff:0:7f00:1]", "198.18.0.1", "198.19.255.254",
        "127.0.0.1", "127.255.255.254", "10.0.0.1", "172.16.0.1", "172.31.255.254", "192.168.1.1", "100.64.0.1",
        "100.127.255.254", "169.254.169.254", "[::1]", "[::ffff:127.0.0.1]", "[::ffff:10.1.2.3]", "[fc00::1]",
        "[fd12:3456::1]", "[fe80::1]", "[febf::1]", "[fec0::1]", "[64:ff9b:1::a00:1]", "[2001:2::1]",
        "[64:ff9b::a9fe:a9fe]", "[2002:a9fe:a9fe::1]", "[::ffff:0:a00:1]"};
    // public: allowed (the embedded forms judged by the address they embed)
    String[] publicOnes = {"93.184.216.34", "8.8.8.8", "1.1.1.1", "100.128.0.1", "172.32.0.1", "192.0.1.1",
        "192.169.0.1", "198.20.0.1", "223.255.255.254", "[2606:2800:220:1::1]", "[2a00:1450:4001:80b::200e]",
        "[64:ff9b::5db8:d822]", "[2002:5db8:d822::1]", "[::ffff:93.184.216.34]", "[2001:200::1]"};
    java.util.List<String> problems = new java.util.ArrayList<>();
    for (String host : never) {
      expect(problems, host, false, false);
      expect(problems, host, true, false);
    }
    for (String host : privateOnes) {
      expect(problems, host, false, false);
      expect(problems, host, true, true);
    }
    for (String host : publicOnes) {
      expect(problems, host, false, true);
      expect(problems, host, true, true);
    }
    assertEquals(java.util.List.of(), problems);
    // the refusal names the range
    Exception translated = assertThrows(Exception.class, () -> WebhookTargets.resolve(resolvers,
        WebhookTargets.parse("http://[::ffff:0:7f00:1]/x"), false).await());
    assertTrue(String.valueOf(translated.getMessage()).contains("IPv4-translated form of 127.0.0.1, in 127.0.0.0/8 (loopback"),
        translated.getMessage());
    Exception documentation = assertThrows(Exception.class, () -> WebhookTargets.resolve(resolvers,
        WebhookTargets.parse("http://[2001:db8::1]/x"), true).await());
    assertTrue(String.valueOf(documentation.getMessage()).contains("2001:db8:0:0:0:0:0:0/32 (documentation"),
        documentation.getMessage());
  }

  /** Spellings of an IPv4 address other than four decimal numbers are refused, never read some other way. */
  @Test
  void nonCanonicalIpv4SpellingsAreRefused() {
    java.util.List<String> problems = new java.util.ArrayList<>();
    for (String host : new String[] {"0177.0.0.1", "00127.0.0.1", "0x7f.0.0.1", "0x7f000001", "127.1", "127.0.1",
        "2130706433", "017700000001", "127.0.0.1.", "1.2.3.4.5", "93.184.216.034", "0.0.0.0x1", "256.0.0.1",
        "example.123", "1.2.3.0x4"}) {
      for (boolean allowPrivate : new boolean[] {false, true}) {
        try {
          URI uri = WebhookTargets.parse("http://" + host + "/hook");
          WebhookTargets.resolve(resolvers, uri, allowPrivate).await();
          problems.add(host + " accepted (allowPrivate " + allowPrivate + ")");
        } catch (Exception refused) {
          Throwable cause = refused instanceof Failure ? refused : refused.getCause();
          if (!(cause instanceof Failure failure && failure.code() == FailureCode.BAD_REQUEST)) {
            problems.add(host + ": " + refused);
          }
        }
      }
    }
    assertEquals(java.util.List.of(), problems);
    // the canonical spellings are still read
    assertEquals(1, WebhookTargets.parse("http://93.184.216.34:8080/hook").getPort() / 8080);
  }

  private static void expect(java.util.List<String> problems, String host, boolean allowPrivate, boolean accepted) {
    String url = "https://" + host + "/hook";
    try {
      URI uri = WebhookTargets.parse(url);
      InetAddress address = WebhookTargets.resolve(resolvers, uri, allowPrivate).await();
      if (!accepted) {
        problems.add(host + " accepted as " + address.getHostAddress() + " (allowPrivate " + allowPrivate + ")");
      }
    } catch (Exception refused) {
      Throwable cause = refused instanceof Failure ? refused : refused.getCause();
      if (!(cause instanceof Failure failure && failure.code() == FailureCode.BAD_REQUEST)) {
        problems.add(host + ": " + refused);
      } else if (accepted) {
        problems.add(host + " refused (allowPrivate " + allowPrivate + "): " + cause.getMessage());
      }
    }
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
