package org.orchestrator.platform.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps every label value a client can choose within a fixed set, so that no request can grow
 * {@code /metrics} or the heap: Vert.x puts the request's method, the reply's status and the
 * matched route (and the event-bus address) into labels as they come.
 * <ul>
 *   <li>{@code method}: the nine methods of RFC 9110 and PATCH; anything else is {@code OTHER};</li>
 *   <li>{@code code}: a three-digit status 100-599; anything else is {@code other};</li>
 *   <li>{@code route}, {@code address}, {@code path}, {@code remote}, {@code local}: the first
 *   {@link #DEFAULT_MAX_VALUES} values per meter name and label; later new values are
 *   {@code other}. The orchestrator's own routes and addresses are a few dozen, so the cap is only
 *   ever reached by values nobody should see.</li>
 * </ul>
 * Micrometer only caches the mapped id of the first pre-filter id per meter, so ids that map onto
 * an existing meter cost no memory either.
 */
public final class BoundedLabels implements MeterFilter {

  /** Distinct values kept per meter name and capped label. */
  public static final int DEFAULT_MAX_VALUES = 200;
  public static final String OTHER = "other";
  private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS",
      "TRACE", "PATCH");
  private static final Set<String> CAPPED = Set.of("route", "address", "path", "remote", "local");

  private final int maxValues;
  private final Map<String, Set<String>> seen = new ConcurrentHashMap<>();

  public BoundedLabels() {
    this(DEFAULT_MAX_VALUES);
  }

  public BoundedLabels(int maxValues) {
    this.maxValues = maxValues;
  }

  @Override
  public Meter.Id map(Meter.Id id) {
    List<Tag> tags = null;
    int index = 0;
    for (Tag tag : id.getTagsAsIterable()) {
      String bounded = bound(id.getName(), tag.getKey(), tag.getValue());
      if (!bounded.equals(tag.getValue()) && tags == null) {
        tags = new ArrayList<>();
        int copied = 0;
        for (Tag earlier : id.getTagsAsIterable()) {
          if (copied++ == index) {
            break;
          }
          tags.add(earlier);
        }
      }
      if (tags != null) {
        tags.add(Tag.of(tag.getKey(), bounded));
      }
      index++;
    }
    return tags == null ? id : id.replaceTags(tags);
  }

  private String bound(String meter, String key, String value) {
    switch (key) {
      case "method":
        return METHODS.contains(value) ? value : "OTHER";
      case "code":
        return isStatus(value) ? value : OTHER;
      default:
        if (!CAPPED.contains(key)) {
          return value;
        }
        Set<String> values = seen.computeIfAbsent(meter + '\u0000' + key, k -> ConcurrentHashMap.newKeySet());
        if (values.contains(value)) {
          return value;
        }
        synchronized (values) {
          if (values.size() < maxValues) {
            values.add(value);
            return value;
          }
        }
        return OTHER;
    }
  }

  private static boolean isStatus(String value) {
    return value.length() == 3 && value.charAt(0) >= '1' && value.charAt(0) <= '5'
        && Character.isDigit(value.charAt(1)) && Character.isDigit(value.charAt(2));
  }
}
