package org.orchestrator.webhooks;

import org.orchestrator.platform.net.AddressBlock;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which addresses a webhook may be sent to: the IANA IPv4 and IPv6 Special-Purpose Address
 * Registries (RFC 6890 and its updates), multicast, IPv6 outside global unicast (2000::/3), and the
 * IPv6 forms that carry an IPv4 address (IPv4-mapped, IPv4-translated, NAT64, 6to4), judged by the
 * address they carry. Each range is one of:
 * <ul>
 *   <li>{@link Reach#PRIVATE}: can be a host of the deployment's own network (loopback, private-use,
 *   shared address space, link-local, unique-local, site-local, benchmarking, local-use NAT64):
 *   refused unless the operator sets {@code webhooks.allowPrivateTargets};</li>
 *   <li>{@link Reach#NEVER}: is no receiver anywhere (unspecified and "this network", broadcast,
 *   multicast, documentation, reserved, IETF protocol assignments, discard-only, the deprecated
 *   6to4 relay and IPv4-compatible forms): refused even then;</li>
 *   <li>{@link Reach#PUBLIC}: everything else.</li>
 * </ul>
 */
final class SpecialAddresses {

  enum Reach { PUBLIC, PRIVATE, NEVER }

  /** Where an address falls: how far it reaches, and the range that says so (null for public ones). */
  record Verdict(Reach reach, String range) {
  }

  private record Range(byte[] prefix, int bits, Reach reach, String name) {

    boolean contains(byte[] address) {
      return new AddressBlock(prefix, bits).contains(address, false);
    }

    String describe() {
      try {
        return InetAddress.getByAddress(prefix).getHostAddress() + "/" + bits + " (" + name + ")";
      } catch (UnknownHostException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** IANA IPv4 Special-Purpose Address Registry, and multicast. The first range that holds an address decides. */
  private static final List<Range> IPV4 = List.of(
      v4("0.0.0.0", 8, Reach.NEVER, "\"this network\", RFC 791"),
      v4("10.0.0.0", 8, Reach.PRIVATE, "private-use, RFC 1918"),
      v4("100.64.0.0", 10, Reach.PRIVATE, "shared address space, RFC 6598"),
      v4("127.0.0.0", 8, Reach.PRIVATE, "loopback, RFC 1122"),
      v4("169.254.0.0", 16, Reach.PRIVATE, "link-local, RFC 3927"),
      v4("172.16.0.0", 12, Reach.PRIVATE, "private-use, RFC 1918"),
      v4("192.0.0.0", 24, Reach.NEVER, "IETF protocol assignments, RFC 6890"),
      v4("192.0.2.0", 24, Reach.NEVER, "documentation TEST-NET-1, RFC 5737"),
      v4("192.88.99.0", 24, Reach.NEVER, "6to4 relay anycast, deprecated, RFC 7526"),
      v4("192.168.0.0", 16, Reach.PRIVATE, "private-use, RFC 1918"),
      v4("198.18.0.0", 15, Reach.PRIVATE, "benchmarking, RFC 2544"),
      v4("198.51.100.0", 24, Reach.NEVER, "documentation TEST-NET-2, RFC 5737"),
      v4("203.0.113.0", 24, Reach.NEVER, "documentation TEST-NET-3, RFC 5737"),
      v4("224.0.0.0", 4, Reach.NEVER, "multicast, RFC 5771"),
      v4("240.0.0.0", 4, Reach.NEVER, "reserved, RFC 1112; 255.255.255.255 is limited broadcast, RFC 919"));

  /**
   * IANA IPv6 Special-Purpose Address Registry and the address architecture (RFC 4291). Ranges that
   * embed an IPv4 address are judged by it ({@link #classify}) before these are read.
   */
  private static final List<Range> IPV6 = List.of(
      v6("::", 128, Reach.NEVER, "unspecified, RFC 4291"),
      v6("::1", 128, Reach.PRIVATE, "loopback, RFC 4291"),
      v6("::", 96, Reach.NEVER, "IPv4-compatible, deprecated, RFC 4291"),
      v6("64:ff9b:1::", 48, Reach.PRIVATE, "local-use IPv4/IPv6 translation, RFC 8215"),
      v6("100::", 64, Reach.NEVER, "discard-only, RFC 6666"),
      v6("2001:2::", 48, Reach.PRIVATE, "benchmarking, RFC 5180"),
      v6("2001::", 23, Reach.NEVER, "IETF protocol assignments (Teredo, ORCHID, ...), RFC 2928"),
      v6("2001:db8::", 32, Reach.NEVER, "documentation, RFC 3849"),
      v6("3fff::", 20, Reach.NEVER, "documentation, RFC 9637"),
      v6("fc00::", 7, Reach.PRIVATE, "unique-local, RFC 4193"),
      v6("fe80::", 10, Reach.PRIVATE, "link-local, RFC 4291"),
      v6("fec0::", 10, Reach.PRIVATE, "site-local, deprecated, RFC 3879"),
      v6("ff00::", 8, Reach.NEVER, "multicast, RFC 4291"),
      v6("2000::", 3, Reach.PUBLIC, "global unicast, RFC 4291"),
      v6("::", 0, Reach.NEVER, "reserved by the IETF, not global unicast, RFC 4291"));

  /** The IPv6 prefixes whose addresses carry an IPv4 address, and where: the last 4 bytes, or bytes 2-5 (6to4). */
  private static final List<Range> EMBEDDING_LAST_FOUR = List.of(
      v6("::ffff:0:0", 96, Reach.PUBLIC, "IPv4-mapped, RFC 4291"),
      v6("::ffff:0:0:0", 96, Reach.PUBLIC, "IPv4-translated, RFC 2765"),
      v6("64:ff9b::", 96, Reach.PUBLIC, "IPv4/IPv6 translation (NAT64), RFC 6052"));
  private static final Range SIX_TO_FOUR = v6("2002::", 16, Reach.PUBLIC, "6to4, RFC 3056");

  /** Four decimal numbers 0-255 without leading zeros: the one spelling of an IPv4 address accepted. */
  private static final Pattern CANONICAL_IPV4 =
      Pattern.compile("(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?:\\.(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
  /** A label that makes a host an IPv4 address to URL parsers (WHATWG's "ends in a number"): digits, or 0x and hex. */
  private static final Pattern NUMERIC_LABEL = Pattern.compile("[0-9]+|0[xX][0-9a-fA-F]*");

  private SpecialAddresses() {
  }

  /** Where {@code address} falls; for an address that carries an IPv4 one, where the latter does. */
  static Verdict classify(InetAddress address) {
    byte[] bytes = address.getAddress();
    if (bytes.length == 4) {
      return first(IPV4, bytes);
    }
    for (Range embedding : EMBEDDING_LAST_FOUR) {
      if (embedding.contains(bytes)) {
        return carried(embedding, java.util.Arrays.copyOfRange(bytes, 12, 16));
      }
    }
    if (SIX_TO_FOUR.contains(bytes)) {
      return carried(SIX_TO_FOUR, java.util.Arrays.copyOfRange(bytes, 2, 6));
    }
    return first(IPV6, bytes);
  }

  /**
   * Whether {@code host} is an IPv4 address in a spelling other than four decimal numbers (octal
   * {@code 0177.0.0.1}, hex {@code 0x7f.1}, short {@code 127.1}, one number {@code 2130706433}, a
   * trailing dot): Java, glibc and browsers read such spellings differently (Java took
   * {@code 0177.0.0.1} for 177.0.0.1, glibc for 127.0.0.1), so they are refused, never read.
   * A host whose last label is numeric is an IPv4 address to a URL parser, so it must be canonical.
   */
  static boolean isNonCanonicalIpv4(String host) {
    if (host.indexOf(':') >= 0) {
      return false; // an IPv6 literal (its dotted tail, as in ::ffff:192.0.2.1, is read by the IPv6 rules)
    }
    String[] labels = host.split("\\.", -1);
    String last = labels[labels.length - 1];
    if (last.isEmpty() && labels.length > 1) {
      last = labels[labels.length - 2];
    }
    return NUMERIC_LABEL.matcher(last).matches() && !CANONICAL_IPV4.matcher(host).matches();
  }

  private static Verdict carried(Range embedding, byte[] ipv4) {
    Verdict inner = first(IPV4, ipv4);
    if (inner.reach() == Reach.PUBLIC) {
      return inner;
    }
    try {
      return new Verdict(inner.reach(), embedding.name().replaceFirst(",.*", "") + " form of "
          + InetAddress.getByAddress(ipv4).getHostAddress() + ", in " + inner.range());
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Verdict first(List<Range> ranges, byte[] bytes) {
    for (Range range : ranges) {
      if (range.contains(bytes)) {
        return new Verdict(range.reach(), range.reach() == Reach.PUBLIC ? null : range.describe());
      }
    }
    return new Verdict(Reach.PUBLIC, null);
  }

  private static Range v4(String prefix, int bits, Reach reach, String name) {
    return range(prefix, bits, reach, name);
  }

  private static Range v6(String prefix, int bits, Reach reach, String name) {
    Range range = range(prefix, bits, reach, name);
    if (range.prefix().length != 16) { // "::ffff:0:0" is read by Java as an IPv4 address
      byte[] mapped = new byte[16];
      mapped[10] = (byte) 0xff;
      mapped[11] = (byte) 0xff;
      System.arraycopy(range.prefix(), 0, mapped, 12, 4);
      return new Range(mapped, bits, reach, name);
    }
    return range;
  }

  private static Range range(String prefix, int bits, Reach reach, String name) {
    try {
      return new Range(InetAddress.getByName(prefix).getAddress(), bits, reach, name);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
