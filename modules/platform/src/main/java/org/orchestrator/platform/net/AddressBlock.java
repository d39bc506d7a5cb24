package org.orchestrator.platform.net;

/**
 * A block of IP addresses: a prefix and how many of its leading bits an address must share with it
 * ({@code 10.0.0.0/8}, {@code fd00::/8}). Addresses are their bytes (4 or 16), never names, so
 * nothing is ever resolved.
 */
public record AddressBlock(byte[] prefix, int bits) {

  public AddressBlock {
    if (prefix.length != 4 && prefix.length != 16) {
      throw new IllegalArgumentException("an address has 4 or 16 bytes, not " + prefix.length);
    }
    if (bits < 0 || bits > prefix.length * 8) {
      throw new IllegalArgumentException("a prefix length is 0.." + prefix.length * 8 + ", not " + bits);
    }
    prefix = prefix.clone();
  }

  /**
   * Whether {@code address} (its bytes) is in the block; an IPv4-mapped IPv6 address
   * ({@code ::ffff:10.0.0.1}) is taken as its IPv4 address when {@code mapped} is true.
   */
  public boolean contains(byte[] address, boolean mapped) {
    byte[] candidate = address;
    if (candidate.length != prefix.length) {
      if (!mapped || candidate.length != 16 || prefix.length != 4 || !isMapped(candidate)) {
        return false;
      }
      candidate = java.util.Arrays.copyOfRange(candidate, 12, 16);
    }
    int whole = bits / 8;
    for (int i = 0; i < whole; i++) {
      if (candidate[i] != prefix[i]) {
        return false;
      }
    }
    int rest = bits % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (candidate[whole] & mask) == (prefix[whole] & mask);
  }

  private static boolean isMapped(byte[] v6) {
    for (int i = 0; i < 10; i++) {
      if (v6[i] != 0) {
        return false;
      }
    }
    return v6[10] == (byte) 0xff && v6[11] == (byte) 0xff;
  }
}
