package org.orchestrator.contracts;

/**
 * Which page of a list to read. The way to walk a list is by cursor ({@code after}: the
 * {@link Page#next()} of the page before), which costs the same at any depth. Page numbers (the
 * spec's {@code page}, counting from 1) stay for clients that count pages, down to
 * {@link #MAX_DEPTH} items deep. Out-of-bounds values are a BAD_REQUEST {@link Failure}.
 *
 * @param page the page number (1 with a cursor)
 * @param size at most this many items, 1 to {@link #MAX_SIZE}
 * @param after the cursor the previous page gave, or null for the first page
 */
public record PageRequest(int page, int size, String after) {

  public static final int MAX_SIZE = 1000;
  /** How deep page numbers reach (page x size); deeper, a client follows cursors. */
  public static final int MAX_DEPTH = 10_000;
  private static final int MAX_CURSOR_LENGTH = 200;

  public PageRequest {
    if (page < 1 || size < 1 || size > MAX_SIZE) {
      throw Failure.badRequest("page starts at 1 and size is 1 to " + MAX_SIZE);
    }
    if ((long) page * size > MAX_DEPTH) {
      throw Failure.badRequest("page numbers reach " + MAX_DEPTH + " items deep; follow the cursors "
          + "(after=<next of the page before>) to read further");
    }
    if (after != null && page != 1) {
      throw Failure.badRequest("page and after do not go together: after names where the page starts");
    }
    if (after != null && (after.isEmpty() || after.length() > MAX_CURSOR_LENGTH)) {
      throw Failure.badRequest("after is the next cursor of a page this list gave");
    }
  }

  /** The first page of {@code size}. */
  public static PageRequest first(int size) {
    return new PageRequest(1, size, null);
  }

  /** Rows to skip: only page numbers skip; a cursor names where the page starts. */
  public long offset() {
    return (long) (page - 1) * size;
  }

  /** Rows to read: one more than the page holds, which tells whether a next page exists. */
  public int limit() {
    return size + 1;
  }

  /** The cursor as the id it holds (lists ordered by id), or null on the first page. */
  public Long afterId() {
    if (after == null) {
      return null;
    }
    try {
      long id = Long.parseLong(after);
      if (id > 0) {
        return id;
      }
    } catch (NumberFormatException e) {
      // refused below
    }
    throw Failure.badRequest("after is the next cursor of a page this list gave, not '" + after + "'");
  }

  /**
   * The cursor as the key it holds (lists ordered by a name), checked against the form every key
   * of the list has ({@code form}), or null on the first page: a cursor no page could have given is
   * a BAD_REQUEST, as for the lists ordered by id or time.
   */
  public String afterMatching(java.util.regex.Pattern form) {
    if (after == null) {
      return null;
    }
    if (!form.matcher(after).matches()) {
      throw Failure.badRequest("after is the next cursor of a page this list gave, not '" + after + "'");
    }
    return after;
  }

  /** The cursor as the instant it holds (lists ordered by time), or null on the first page. */
  public java.time.Instant afterInstant() {
    if (after == null) {
      return null;
    }
    try {
      return java.time.Instant.parse(after);
    } catch (java.time.format.DateTimeParseException e) {
      throw Failure.badRequest("after is the next cursor of a page this list gave, not '" + after + "'");
    }
  }
}
