package org.orchestrator.contracts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class PageTest {

  @Test
  void theExtraRowTellsThatANextPageExistsAndWhereItStarts() {
    PageRequest three = PageRequest.first(3);
    assertEquals(4, three.limit());
    Page<Long> full = Page.of(List.of(9L, 8L, 7L, 6L), three, String::valueOf);
    assertEquals(List.of(9L, 8L, 7L), full.items());
    assertEquals("7", full.next());
    Page<Long> last = Page.of(List.of(5L, 4L, 3L), new PageRequest(1, 3, "6"), String::valueOf);
    assertEquals(List.of(5L, 4L, 3L), last.items());
    assertNull(last.next());
    assertEquals(List.of("5", "4", "3"), last.map(String::valueOf).items());
  }

  @Test
  void outOfBoundsRequestsAreBadRequests() {
    for (Runnable bad : List.<Runnable>of(
        () -> new PageRequest(0, 10, null),
        () -> new PageRequest(1, 0, null),
        () -> new PageRequest(1, PageRequest.MAX_SIZE + 1, null),
        () -> new PageRequest(101, 100, null), // 10,100 items deep
        () -> new PageRequest(2, 10, "5"),
        () -> new PageRequest(1, 10, ""),
        () -> new PageRequest(1, 10, "x".repeat(201)),
        () -> new PageRequest(1, 10, "abc").afterId(),
        () -> new PageRequest(1, 10, "0").afterId(),
        () -> new PageRequest(1, 10, "9223372036854775808").afterId(),
        () -> new PageRequest(1, 10, "yesterday").afterInstant())) {
      Failure failure = assertThrows(Failure.class, bad::run);
      assertEquals(FailureCode.BAD_REQUEST, failure.code());
    }
    assertEquals(9_990, new PageRequest(1000, 10, null).offset());
    assertEquals(42L, new PageRequest(1, 10, "42").afterId());
  }
}
