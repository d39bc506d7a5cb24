package org.orchestrator.http.support;

import io.netty.util.NetUtil;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.orchestrator.platform.net.AddressBlock;

/**
 * The client's address of a request (decision 113). A connection from one of {@code
 * http.trustedProxies} carries its client's address in the header those proxies set ({@code
 * X-Forwarded-For} or {@code Forwarded}, {@code http.forwardedHeader}): each proxy appends the
 * address it was connected from, so the list is read from the right and the first address that is not
 * itself a trusted proxy is the client (what a client wrote further left is its own claim, and is
 * passed over). From any other connection the header is ignored: the client is the connection's
 * peer. Vert.x Web's {@code Router.allowForward} takes the leftmost address, from anyone, so it
 * cannot be used for this.
 *
 * <p>What a client sends is bounded: at most {@link #MAX_HOPS} entries are read from the right; an
 * entry that is no address ({@code unknown}, an obfuscated name) stops the walk as {@code unknown}.
 * No name is ever resolved.
 */
public final class TrustedProxies {

  /** Entries read from the right of the header at most; a longer chain is cut there. */
  static final int MAX_HOPS = 16;

  private final List<AddressBlock> proxies;
  private final boolean forwarded;

  private TrustedProxies(List<AddressBlock> proxies, boolean forwarded) {
    this.proxies = proxies;
    this.forwarded = forwarded;
  }

  /**
   * @param cidrs {@code 10.0.0.0/8}, {@code 192.168.1.7}, {@code fd00::/8}; an entry that is not one
   *     is refused, naming the setting
   * @param header {@code X-Forwarded-For} or {@code Forwarded}
   */
  public static TrustedProxies of(List<String> cidrs, String header) {
    List<AddressBlock> parsed = new ArrayList<>();
    for (String cidr : cidrs) {
      parsed.add(parse(cidr));
    }
    return new TrustedProxies(List.copyOf(parsed), header.equalsIgnoreCase("Forwarded"));
  }

  public static TrustedProxies none() {
    return new TrustedProxies(List.of(), false);
  }

  /** The client's address of {@code request}: see the class comment. */
  public String client(HttpServerRequest request) {
    SocketAddress peer = request.connection() == null ? request.remoteAddress() : request.connection().remoteAddress();
    String address = peer == null ? null : peer.hostAddress();
    if (address == null) {
      return "unknown";
    }
    if (proxies.isEmpty() || !trusted(address)) {
      return address;
    }
    List<String> values = request.headers().getAll(forwarded ? "Forwarded" : "X-Forwarded-For");
    if (values.isEmpty()) {
      return address;
    }
    List<String> hops = hops(String.join(",", values), forwarded);
    String leftmost = address;
    for (int i = hops.size() - 1; i >= 0 && i >= hops.size() - MAX_HOPS; i--) {
      String hop = hops.get(i);
      if (hop == null) {
        return "unknown";
      }
      if (!trusted(hop)) {
        return hop;
      }
      leftmost = hop;
    }
    // every hop read is a trusted proxy: the request began at the leftmost of them
    return leftmost;
  }

  boolean trusted(String address) {
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(address);
    if (bytes == null) {
      return false;
    }
    for (AddressBlock block : proxies) {
      if (block.contains(bytes, true)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The addresses of a header's value, left to right, each normalised (ports and brackets dropped)
   * or null where an entry is not an address.
   */
  static List<String> hops(String value, boolean forwarded) {
    List<String> hops = new ArrayList<>();
    for (String element : value.split(",", -1)) {
      String entry = element.trim();
      if (forwarded) {
        String found = null;
        for (String pair : entry.split(";")) {
          String trimmed = pair.trim();
          if (trimmed.length() > 4 && trimmed.substring(0, 4).toLowerCase(Locale.ROOT).equals("for=")) {
            found = trimmed.substring(4).trim();
          }
        }
        if (found == null) {
          continue; // an element without for= (by=, proto= only) names no hop
        }
        entry = found;
      }
      hops.add(address(entry));
    }
    return hops;
  }

  /** {@code 10.0.0.1}, {@code "10.0.0.1:4711"}, {@code "[2001:db8::1]:80"}, {@code 2001:db8::1} -> the address; else null. */
  static String address(String entry) {
    String text = entry;
    if (text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"")) {
      text = text.substring(1, text.length() - 1);
    }
    if (text.startsWith("[")) {
      int end = text.indexOf(']');
      if (end < 0) {
        return null;
      }
      text = text.substring(1, end);
    } else if (text.indexOf(':') > 0 && text.indexOf(':') == text.lastIndexOf(':')) {
      text = text.substring(0, text.indexOf(':')); // IPv4 with a port
    }
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(text);
    if (bytes == null) {
      return null;
    }
    return NetUtil.bytesToIpAddress(bytes);
  }

  /** An entry of {@code http.trustedProxies}: a CIDR, or one address (all its bits). */
  static AddressBlock parse(String text) {
    String trimmed = text.trim();
    int slash = trimmed.indexOf('/');
    String host = slash < 0 ? trimmed : trimmed.substring(0, slash);
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(host);
    if (bytes == null) {
      throw new IllegalArgumentException("http.trustedProxies (ORCH_TRUSTED_PROXIES): '" + text + "' is not an "
          + "address or a CIDR such as 10.0.0.0/8 or fd00::/8 (names are not resolved)");
    }
    int bits = bytes.length * 8;
    if (slash >= 0) {
      try {
        bits = Integer.parseInt(trimmed.substring(slash + 1));
      } catch (NumberFormatException e) {
        bits = -1;
      }
      if (bits < 0 || bits > bytes.length * 8) {
        throw new IllegalArgumentException("http.trustedProxies (ORCH_TRUSTED_PROXIES): '" + text + "' has a prefix "
            + "length outside 0.." + bytes.length * 8);
      }
    }
    return new AddressBlock(bytes, bits);
  }
}
