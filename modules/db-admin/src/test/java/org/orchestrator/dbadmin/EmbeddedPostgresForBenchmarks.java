package org.orchestrator.dbadmin;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Embedded servers that differ from the shipped one in named settings, for benchmarks that put a
 * figure on a setting (docs/benchmarks.md, "Durability"). In the test-jar so that no production
 * path can start a server that is not durable.
 */
public final class EmbeddedPostgresForBenchmarks {

  /** What the embedded library gives when nobody turns durability on: the default before issue 29. */
  public static final Map<String, String> NOT_DURABLE =
      Map.of("fsync", "off", "synchronous_commit", "off", "full_page_writes", "off");

  private EmbeddedPostgresForBenchmarks() {
  }

  /** A server on a new cluster in {@code cluster}, the shipped settings with {@code overrides} over them. */
  public static EmbeddedPostgresServer start(Path cluster, Map<String, String> overrides) throws IOException {
    return EmbeddedPostgresServer.start(cluster, 0, overrides);
  }
}
