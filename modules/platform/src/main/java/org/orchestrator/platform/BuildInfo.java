package org.orchestrator.platform;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The release this node was built as and the commit it was built from, from
 * {@code build-info.properties} (filled in by the build). A build outside a git checkout has commit
 * {@code unknown}; a build from a checkout with uncommitted changes has the commit followed by
 * {@code -dirty}, so that no such jar passes for the commit it was not.
 *
 * @param version {@code MAJOR.MINOR.PATCH}, or {@code MAJOR.MINOR.PATCH-SNAPSHOT} between releases
 * @param commit the full commit id, {@code <id>-dirty}, or {@code unknown}
 */
public record BuildInfo(String version, String commit) {

  private static final BuildInfo CURRENT = load();

  /** This node's build. */
  public static BuildInfo current() {
    return CURRENT;
  }

  /** The commit's first 12 characters (all of {@code unknown}), for lines people read. */
  public String shortCommit() {
    if (commit.equals("unknown")) {
      return commit;
    }
    String id = commit.endsWith("-dirty") ? commit.substring(0, commit.length() - "-dirty".length()) : commit;
    return id.substring(0, Math.min(12, id.length())) + (commit.endsWith("-dirty") ? "-dirty" : "");
  }

  /** "orchestrator 0.2.0 (commit 1a2b3c4d5e6f)". */
  public String describe() {
    return "orchestrator " + version + " (commit " + shortCommit() + ")";
  }

  static BuildInfo parse(Properties properties) {
    String version = filled(properties.getProperty("version"));
    String commit = filled(properties.getProperty("commit"));
    if (version == null) {
      version = "unknown";
    }
    if (commit == null) {
      commit = "unknown";
    } else if ("true".equals(filled(properties.getProperty("dirty")))) {
      commit = commit + "-dirty";
    }
    return new BuildInfo(version, commit);
  }

  /** The value, or null where the build left it empty or did not fill it in ({@code ${...}}). */
  private static String filled(String value) {
    return value == null || value.isBlank() || value.contains("${") ? null : value.trim();
  }

  private static BuildInfo load() {
    Properties properties = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream("build-info.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return parse(properties);
  }
}
