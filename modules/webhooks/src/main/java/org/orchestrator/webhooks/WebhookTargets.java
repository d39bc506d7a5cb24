package org.orchestrator.webhooks;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;
import org.orchestrator.contracts.Failure;

/**
 * Where a webhook may point: an absolute {@code http} or {@code https} URL with a host, no
 * credentials, no fragment, at most {@value #MAX_URL} characters; and, unless private targets are
 * allowed, a host that resolves to public addresses only, checked when the webhook is registered and
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
    return uri;
  }

  static int port(URI uri) {
    return uri.getPort() > 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }

  /**
   * The address to connect to: the host's first address, refused (BAD_REQUEST) when any of its
   * addresses is loopback, private, link-local, unique-local, multicast or unspecified and private
   * targets are not allowed. Resolved off the event loop.
   */
  static Future<InetAddress> resolve(WorkerExecutor resolvers, URI uri, boolean allowPrivate) {
    String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1) : uri.getHost();
    return resolvers.executeBlocking(() -> {
      InetAddress[] addresses;
      try {
        addresses = InetAddress.getAllByName(host);
      } catch (UnknownHostException e) {
        throw Failure.badRequest("url's host '" + host + "' does not resolve");
      }
      if (!allowPrivate) {
        for (InetAddress address : addresses) {
          if (isPrivate(address)) {
            throw Failure.badRequest("url's host '" + host + "' resolves to " + address.getHostAddress()
                + ", a loopback, private or link-local address; receivers must be reachable on public addresses "
                + "(an operator may allow private ones: webhooks.allowPrivateTargets)");
          }
        }
      }
      return addresses[0];
    }, false);
  }

  static boolean isPrivate(InetAddress address) {
    if (address.isLoopbackAddress() || address.isSiteLocalAddress() || address.isLinkLocalAddress()
        || address.isAnyLocalAddress() || address.isMulticastAddress()) {
      return true;
    }
    byte[] bytes = address.getAddress();
    if (address instanceof Inet6Address) {
      return (bytes[0] & 0xfe) == 0xfc; // fc00::/7, unique local
    }
    // 100.64.0.0/10 (carrier-grade NAT, also used inside clouds) and 169.254.0.0/16 (cloud metadata)
    return (bytes[0] & 0xff) == 100 && (bytes[1] & 0xc0) == 64 || (bytes[0] & 0xff) == 169 && (bytes[1] & 0xff) == 254;
  }
}
