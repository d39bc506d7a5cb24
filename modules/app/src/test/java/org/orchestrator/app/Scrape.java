package org.orchestrator.app;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** A parsed Prometheus text exposition: series (name + labels, as written) -> value. */
public record Scrape(String text, Map<String, Double> series) {

  public static Scrape parse(String text) {
    Map<String, Double> series = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      series.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
    }
    return new Scrape(text, series);
  }

  /** The value of one series, e.g. {@code orchestrator_maintenance_phase{phase="None"}}; NaN if absent. */
  public double value(String seriesKey) {
    return series.getOrDefault(seriesKey, Double.NaN);
  }

  /** The sum over every series of a metric name. */
  public double sum(String name) {
    return series.entrySet().stream().filter(e -> e.getKey().equals(name) || e.getKey().startsWith(name + "{"))
        .mapToDouble(Map.Entry::getValue).sum();
  }

  public Set<String> names() {
    Set<String> names = new TreeSet<>();
    series.keySet().forEach(key -> names.add(key.contains("{") ? key.substring(0, key.indexOf('{')) : key));
    return names;
  }
}
