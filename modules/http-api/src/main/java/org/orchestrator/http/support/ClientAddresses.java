package org.orchestrator.http.support;

import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Whose share of a limit a connection takes, by the address it comes from. */
public final class ClientAddresses {

  private ClientAddresses() {
  }

  /**
   * The key of a client address: an IPv4 address itself, an IPv6 address its /64 (what one host or
   * site is given: a client has the 2^64 addresses of its prefix to choose from). Behind a reverse
   * proxy every client has the proxy's address.
   */
  public static String key(SocketAddress remote) {
    String host = remote == null ? null : remote.hostAddress();
    if (host == null) {
      return "unknown";
    }
    if (host.indexOf(':') < 0) {
      return host;
    }
    int scope = host.indexOf('%');
    try {
      byte[] bytes = InetAddress.getByName(scope < 0 ? host : host.substring(0, scope)).getAddress();
      if (bytes.length != 16) {
        return host;
      }
      StringBuilder prefix = new StringBuilder();
      for (int i = 0; i < 8; i += 2) {
        prefix.append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff))).append(':');
      }
      return prefix.append(":/64").toString();
    } catch (UnknownHostException e) {
      return host;
    }
  }
}
