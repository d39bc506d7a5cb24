package org.orchestrator.contracts;

/** The one rule for paged lists: pages count from 1, at most {@link #MAX_SIZE} items a page. */
public final class Paging {

  public static final int MAX_SIZE = 1000;

  private Paging() {
  }

  /** Throws a BAD_REQUEST {@link Failure} for a page or size out of bounds. */
  public static void check(int page, int size) {
    if (page < 1 || size < 1 || size > MAX_SIZE) {
      throw Failure.badRequest("page starts at 1 and size is 1 to " + MAX_SIZE);
    }
  }
}
