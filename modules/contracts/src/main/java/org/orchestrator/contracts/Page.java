package org.orchestrator.contracts;

import java.util.List;
import java.util.function.Function;

/**
 * One page of a list: at most {@code size} items and the cursor of the next page ({@code null} on
 * the last). No list counts its rows: a count costs as much as reading them all.
 *
 * @param <T> what the list holds
 */
public record Page<T>(List<T> items, int size, String next) {

  /**
   * The page of {@code rows}, read with {@link PageRequest#limit()} (one row more than the page
   * holds): when that extra row came, the next page starts after the last item kept, whose cursor
   * {@code key} gives.
   */
  public static <T> Page<T> of(List<T> rows, PageRequest request, Function<T, String> key) {
    if (rows.size() <= request.size()) {
      return new Page<>(rows, request.size(), null);
    }
    List<T> kept = rows.subList(0, request.size());
    return new Page<>(List.copyOf(kept), request.size(), key.apply(kept.get(kept.size() - 1)));
  }

  /** The same page with each item turned into something else (the cursor stays). */
  public <U> Page<U> map(Function<T, U> mapping) {
    return new Page<>(items.stream().map(mapping).toList(), size, next);
  }
}
