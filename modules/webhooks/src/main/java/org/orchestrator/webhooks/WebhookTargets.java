package org.orchestrator.webhooks;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import org.orchestrator.contracts.Failure;

/**
 * Where a webhook may point: an absolute {@code http} or {@code https} URL with a host, no
 * credentials, no fragment, at most {@value #MAX_URL} characters, an IPv4 address only as a.b.c.d;
 * and a host that resolves to public addresses only (private ones too when the operator allows
 * them; {@link SpecialAddresses} says which is which), checked when the webhook is registered and
 * again before every attempt (the attempt then connects to the address that was checked).
 */
final class WebhookTargets {

  static final int MAX_URL = 2_048;
  /**
   * The threads that resolve receivers' names, a few of their own: a flood of slow names delays
   * webhooks, not the shared worker pool that hashes passwords.
   */
  static WorkerExecutor resolvers(Vertx vertx) {
    return vertx.createSharedWorkerExecutor("webhook-resolvers", 2);
  }

  private WebhookTargets() {
  }

  /** The URL, or a BAD_REQUEST saying what is wrong with it. */
  static URI parse(String url) {
    if (url == null || url.isBlank()) {
      throw Failure.badRequest("url is required: the receiver's http or https address");
    }
    if (url.length() > MAX_URL) {
      throw Failure.badRequest("url has at most " + MAX_URL + " characters");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw Failure.badRequest("url is not a valid URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw Failure.badRequest("url must be http or https, not '" + uri.getScheme() + "'");
    }
    if (uri.getRawUserInfo() != null) {
      throw Failure.badRequest("url must not carry credentials (user:password@); the signature proves the sender");
    }
    if (uri.getHost() == null || uri.getHost().isBlank()) {
      throw Failure.badRequest("url must name a host");
    }
    if (uri.getRawFragment() != null) {
      throw Failure.badRequest("url must not have a fragment (#...)");
    }
    refuseNonCanonicalIpv4(host(uri));
    return uri;
  }

  /** The host without the brackets of an IPv6 literal. */
  private static String host(URI uri) {
    String host = uri.getHost();
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  private static void refuseNonCanonicalIpv4(String host) {
    if (SpecialAddresses.isNonCanonicalIpv4(host)) {
      throw Failure.badRequest("url's host '" + host + "' is an IPv4 address in a spelling other than four decimal "
          + "numbers without leading zeros (octal, hex, short or one number), which programs read differently; "
          + "write it as a.b.c.d");
    }
  }

  static int port(URI uri) {
    return uri.getPort() > 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }

  /**
   * The address to connect to: the host's first address. Refused (BAD_REQUEST) when any of its
   * addresses is one no receiver can have ({@link SpecialAddresses.Reach#NEVER}: unspecified,
   * broadcast, multicast, documentation, reserved, ...), or, unless private targets are allowed, one
   * of the deployment's own networks ({@link SpecialAddresses.Reach#PRIVATE}: loopback, private-use,
   * link-local, unique-local, ...); an address carrying an IPv4 address (IPv4-mapped, NAT64, 6to4) is
   * judged by the one it carries. A host spelling an IPv4 address other than as a.b.c.d is refused
   * before anything is resolved. Resolved off the event loop.
   */
  static Future<InetAddress> resolve(WorkerExecutor resolvers, URI uri, boolean allowPrivate) {
    String host = host(uri);
    return resolvers.executeBlocking(() -> {
      refuseNonCanonicalIpv4(host);
      InetAddress[] addresses;
      try {
        addresses = InetAddress.getAllByName(host);
      } catch (UnknownHostException e) {
        throw Failure.badRequest("url's host '" + host + "' does not resolve");
      }
      for (InetAddress address : addresses) {
        SpecialAddresses.Verdict verdict = SpecialAddresses.classify(address);
        if (verdict.reach() == SpecialAddresses.Reach.NEVER) {
          throw Failure.badRequest("url's host '" + host + "' resolves to " + address.getHostAddress() + ", in "
              + verdict.range() + ", which is no receiver's address");
        }
        if (verdict.reach() == SpecialAddresses.Reach.PRIVATE && !allowPrivate) {
          throw Failure.badRequest("url's host '" + host + "' resolves to " + address.getHostAddress() + ", in "
              + verdict.range() + ", a loopback, private or link-local address; receivers must be reachable on "
              + "public addresses (an operator may allow private ones: webhooks.allowPrivateTargets)");
        }
      }
      return addresses[0];
    }, false);
  }
}
