package org.orchestrator.http;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.orchestrator.contracts.phase.PhaseMessages.PhaseSnapshot;

/**
 * The page a browser gets instead of the console during maintenance: self-contained, no assets, no
 * script; its one inline style is allowed by its hash ({@link #POLICY}) and nothing else is.
 */
final class MaintenancePage {

  private static final String STYLE = """

        body { font-family: system-ui, sans-serif; background: #f4f5f7; color: #1b1f24; margin: 0; }
        main { max-width: 36rem; margin: 10vh auto; background: #fff; padding: 2rem; border-radius: 8px;
               box-shadow: 0 1px 4px rgba(0,0,0,.15); }
        h1 { font-size: 1.5rem; margin-top: 0; }
        .phase { display: inline-block; padding: .2rem .6rem; border-radius: 4px; background: #8a4b00; color: #fff; }
      """;

  /** The page's Content-Security-Policy: its own style (by hash), nothing else, never framed. */
  static final String POLICY = "default-src 'none'; style-src '" + sha256(STYLE) + "'; base-uri 'none'; "
      + "form-action 'none'; frame-ancestors 'none'";

  private MaintenancePage() {
  }

  static String render(PhaseSnapshot snapshot, int retryAfterSeconds) {
    String since = snapshot.phaseSince() == null ? "" : snapshot.phaseSince().toString();
    // the window's start only when it differs from the phase's (Suspended after Draining)
    String window = snapshot.windowStartedAt() == null || snapshot.windowStartedAt().equals(snapshot.phaseSince()) ? ""
        : " (maintenance began <time id=\"window-since\" datetime=\"%s\">%s</time>)"
            .formatted(snapshot.windowStartedAt(), readable(snapshot.windowStartedAt()));
    String reason = snapshot.reason() == null ? "" : "<p>Reason: <strong>" + escape(snapshot.reason()) + "</strong></p>";
    return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <meta http-equiv="refresh" content="%d">
          <title>Maintenance in progress</title>
          <style>%s</style>
        </head>
        <body>
        <main role="main" aria-labelledby="title">
          <h1 id="title">Maintenance in progress</h1>
          <p>The orchestrator is in maintenance: <span class="phase" id="phase">%s</span></p>
          <p>%s since <time id="since" datetime="%s">%s</time>%s</p>
          %s
          <p>This page reloads by itself every %d seconds. When maintenance ends, new jobs can start and
          schedules fire again; jobs stopped for maintenance do not restart by themselves.</p>
          <p>Host administrator: the <a href="/console/maintenance/">maintenance panel</a> stays open.</p>
        </main>
        </body>
        </html>
        """.formatted(retryAfterSeconds, STYLE, snapshot.phase(), snapshot.phase(), since,
            snapshot.phaseSince() == null ? "" : readable(snapshot.phaseSince()), window, reason, retryAfterSeconds);
  }

  private static final DateTimeFormatter READABLE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

  private static String readable(Instant instant) {
    return READABLE.format(instant);
  }

  private static String sha256(String text) {
    try {
      return "sha256-" + java.util.Base64.getEncoder().encodeToString(java.security.MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
        .replace("'", "&#39;");
  }
}
