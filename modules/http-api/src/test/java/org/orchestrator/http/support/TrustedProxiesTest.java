package org.orchestrator.http.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The header's grammar and the address blocks; the walk over real requests is TrustedProxyTest's. */
class TrustedProxiesTest {

  @Test
  void xForwardedForEntriesWithPortsBracketsAndGarbage() {
    assertEquals(Arrays.asList("10.0.0.1", "10.0.0.2", "2001:db8::1", "2001:db8::2", null, null),
        TrustedProxies.hops("10.0.0.1, 10.0.0.2:4711,[2001:db8::1]:80, 2001:db8::2, unknown, ", false));
  }

  @Test
  void forwardedTakesTheForParameterOfEachElement() {
    assertEquals(Arrays.asList("192.0.2.60", "2001:db8:cafe::17", null),
        TrustedProxies.hops("for=192.0.2.60;proto=http;by=203.0.113.43, proto=https, "
            + "For=\"[2001:db8:cafe::17]:4711\", for=_hidden", true));
  }

  @Test
  void addressBlocks() {
    TrustedProxies proxies = TrustedProxies.of(List.of("10.0.0.0/8", "192.168.1.7", " fd00::/8 ", "172.16.0.0/12"),
        "X-Forwarded-For");
    assertTrue(proxies.trusted("10.255.1.2"));
    assertTrue(proxies.trusted("192.168.1.7"));
    assertFalse(proxies.trusted("192.168.1.8"));
    assertTrue(proxies.trusted("fd12::1"));
    assertFalse(proxies.trusted("fe80::1"));
    assertTrue(proxies.trusted("172.31.255.255"));
    assertFalse(proxies.trusted("172.32.0.1"));
    assertTrue(proxies.trusted("::ffff:10.1.2.3"), "an IPv4-mapped peer");
    assertFalse(proxies.trusted("example.org"), "names are never resolved");
    assertFalse(TrustedProxies.none().trusted("127.0.0.1"));
  }

  @Test
  void aBadEntryIsRefusedNamingTheSetting() {
    for (String bad : new String[] {"proxy.internal", "10.0.0.0/33", "10.0.0.0/x", "", "fd00::/129"}) {
      IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
          () -> TrustedProxies.of(List.of(bad), "X-Forwarded-For"), bad);
      assertTrue(refused.getMessage().startsWith("http.trustedProxies (ORCH_TRUSTED_PROXIES): '" + bad + "'"),
          refused.getMessage());
    }
  }

  @Test
  void addressesAreNormalised() {
    assertEquals("2001:db8::1", TrustedProxies.address("2001:0db8:0:0:0:0:0:1"));
    assertNull(TrustedProxies.address("[2001:db8::1"));
    assertNull(TrustedProxies.address("10.0.0.1\u0000"));
  }
}
