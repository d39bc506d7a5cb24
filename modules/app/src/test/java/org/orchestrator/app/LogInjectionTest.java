package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.json.JsonObject;
import java.net.URL;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * Log injection (issue 30 item 9): values a client chooses reach the log as part of one line, CR,
 * LF and other control characters escaped, each value at most 200 characters. What is asserted is
 * the text the real logging configuration ({@code logback.xml} of the app, the one production runs
 * and, the tests having none of their own, the tests too) writes for the events a real node logs:
 * each event is rendered with the encoder of that configuration's console appender.
 */
@Timeout(120)
class LogInjectionTest {

  private static final String FORGED = "2026-12-04 12:00:00.000 INFO  [main] o.o.identity.IdentityService - FORGED "
      + "host admin signed in";

  private static TestNode node;
  private static String host;
  private static Encoder<ILoggingEvent> encoder;
  private static final ListAppender<ILoggingEvent> LOGS = new ListAppender<>();

  @BeforeAll
  static void start() throws Exception {
    // the configuration production runs, read into a context of its own (whatever configured this JVM)
    URL configuration = LogInjectionTest.class.getClassLoader().getResource("logback.xml");
    assertNotNull(configuration);
    assertTrue(configuration.getPath().endsWith("/classes/logback.xml"), "the app's own: " + configuration);
    LoggerContext production = new LoggerContext();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(production);
    configurator.doConfigure(configuration);
    Appender<ILoggingEvent> console = production.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("STDOUT");
    assertNotNull(console, "the configuration's console appender");
    encoder = ((OutputStreamAppender<ILoggingEvent>) console).getEncoder();
    node = TestNode.start("log-injection");
    host = node.api().signInHostAdmin().await();
    LOGS.start();
    root().addAppender(LOGS);
  }

  @BeforeEach
  void clear() {
    synchronized (LOGS) {
      LOGS.list.clear();
    }
  }

  @AfterAll
  static void stop() throws Exception {
    root().detachAppender(LOGS);
    node.close();
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  @Test
  void aBridgeFrameAddressIsOneBoundedLine() throws Exception {
    String forging = "x\n" + FORGED + "\r\n" + FORGED;
    String huge = "y".repeat(60_000);
    try (BridgeClient client = new BridgeClient(node.bridgePort())) {
      for (String address : List.of(forging, huge)) {
        client.write(new JsonObject().put("type", "send").put("address", address).put("replyAddress", "r"));
        JsonObject err = client.read(10_000);
        assertNotNull(err, "answered");
        assertEquals("err", err.getString("type"));
      }
    }
    List<String> lines = written("bridge client");
    assertEquals(2, lines.size(), "one event per frame: " + lines);
    for (String line : lines) {
      assertOneBoundedLine(line);
    }
    assertTrue(lines.get(0).contains("x\\n2026-12-04 12:00:00.000 INFO") && lines.get(0).contains("\\r\\n"),
        "CR and LF are written escaped: " + lines.get(0));
    assertTrue(lines.get(1).contains("yyy") && lines.get(1).contains("more characters]"),
        "the 60 KB address is cut, and says so: " + lines.get(1));
  }

  @Test
  void theHostAdminsReasonIsOneLine() throws Exception {
    String reason = "upgrade\r\n" + FORGED;
    Maintenance maintenance = new Maintenance(node.api(), host);
    maintenance.start("phase=Draining&reason=" + URLEncoder.encode(reason, StandardCharsets.UTF_8)).await();
    maintenance.end().await();
    List<String> lines = written("reason");
    assertFalse(lines.isEmpty(), "the reason is logged");
    for (String line : lines) {
      assertOneBoundedLine(line);
      assertTrue(line.contains("upgrade\\r\\n2026-12-04"), line);
    }
  }

  /** An exception's message (a parser's quotes its input) is escaped too; the trace's own lines stay. */
  @Test
  void anExceptionsMessageCannotForgeALineEither() {
    Logger logger = (Logger) LoggerFactory.getLogger("org.orchestrator.test");
    ch.qos.logback.classic.spi.LoggingEvent event = new ch.qos.logback.classic.spi.LoggingEvent(
        Logger.class.getName(), logger, ch.qos.logback.classic.Level.ERROR, "request {} failed",
        new IllegalStateException("bad input\n" + FORGED, new RuntimeException("z".repeat(60_000) + "\r\n" + FORGED)),
        new Object[] {"/x\n" + FORGED});
    String written = new String(encoder.encode(event), StandardCharsets.UTF_8);
    String[] lines = written.split("\n");
    assertTrue(lines[0].contains("request /x\\n2026-12-04"), lines[0]);
    assertTrue(lines[1].startsWith("java.lang.IllegalStateException: bad input\\n2026-12-04"), lines[1]);
    for (String line : lines) {
      assertFalse(line.contains("FORGED") && line.startsWith("2026"), "no forged line: " + line);
      assertFalse(line.contains("\r"), "no CR: " + line);
      assertTrue(line.length() < 2_200, () -> line.length() + " characters");
    }
    assertTrue(written.contains("Caused by: java.lang.RuntimeException: zzz") && written.contains("more characters]"),
        "the cause's 60 KB message is cut");
    assertTrue(lines.length > 3 && lines[2].startsWith("\tat "), "the trace itself is written as usual: " + lines[2]);
  }

  /** What the configured console appender writes for each event whose message contains {@code text}. */
  private static List<String> written(String text) {
    List<String> lines = new ArrayList<>();
    synchronized (LOGS) {
      for (ILoggingEvent event : LOGS.list) {
        if (event.getFormattedMessage().contains(text)) {
          lines.add(new String(encoder.encode(event), StandardCharsets.UTF_8));
        }
      }
    }
    return lines;
  }

  private static void assertOneBoundedLine(String written) {
    assertTrue(written.endsWith("\n"), written);
    String line = written.substring(0, written.length() - 1);
    assertFalse(line.contains("\n") || line.contains("\r"), "one line, no CR or LF inside: " + written);
    assertTrue(line.chars().noneMatch(c -> c < 0x20), "no control character: " + written);
    assertTrue(line.length() < 1_000, () -> line.length() + " characters: " + line.substring(0, 300));
  }
}
