package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A request's id (the client's {@code X-Request-Id}, or one the node makes up) comes back in the
 * response and is on the log lines the request causes in another module, across the bus.
 */
class RequestTracingTest {

  @Test
  void theClientsIdReachesThePhaseModulesLogAndComesBack() throws Exception {
    // the lines as the application's own logback.xml writes them (the tests have no configuration
    // of their own): its console appender's encoder, with the %requestId conversion rule, encodes
    // each event here, on the thread that logs it
    Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    @SuppressWarnings("unchecked")
    Encoder<ILoggingEvent> encoder = ((OutputStreamAppender<ILoggingEvent>) root.getAppender("STDOUT")).getEncoder();
    List<String> lines = new CopyOnWriteArrayList<>();
    AppenderBase<ILoggingEvent> capture = new AppenderBase<>() {
      @Override
      protected void append(ILoggingEvent event) {
        lines.add(new String(encoder.encode(event), java.nio.charset.StandardCharsets.UTF_8));
      }
    };
    // the whole phase module's lines: the window's own (MaintenanceService) and its kill deadline's
    Logger phaseLog = (Logger) LoggerFactory.getLogger("org.orchestrator.phase");
    capture.start();
    phaseLog.addAppender(capture);
    try (TestNode node = TestNode.start("tracing")) {
      String host = node.api().signInHostAdmin().await();
      HttpResponse<Buffer> started = node.api().request(HttpMethod.POST, "/api/Maintenance/Start?phase=Draining&killAfter=PT1S", host)
          .putHeader("X-Request-Id", "change-4711").send().await();
      assertEquals(204, started.statusCode(), started.bodyAsString());
      assertEquals("change-4711", started.getHeader("X-Request-Id"));
      assertTrue(lines.stream().anyMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[[^]]+\\] "
          + "o\\.o\\.phase\\.MaintenanceService \\[change-4711 tenant=host client=127\\.0\\.0\\.1\\] - maintenance: Draining by admin "
          + "\\(window 1\\): window opened, Stop sent to running jobs, kill deadline after PT1S\\R")),
          lines.toString());
      // work that enters by itself is a request of its own: the kill deadline's
      Eventually.until(node.vertx(), () -> io.vertx.core.Future.succeededFuture(lines.stream().anyMatch(l ->
          l.matches(".* \\[deadline-[0-9a-f]{12}\\] - drain deadline of window 1 reached.*\\R"))), seen -> seen, 20_000)
          .await();

      HttpResponse<Buffer> ended = node.api().request(HttpMethod.POST, "/api/Maintenance/End", host)
          .putHeader("X-Request-Id", "no spaces allowed").send().await();
      assertEquals(204, ended.statusCode());
      String made = ended.getHeader("X-Request-Id");
      assertTrue(made.matches("[0-9a-f]{16}"), "an unacceptable id is replaced: " + made);
      assertTrue(lines.stream().anyMatch(l -> l.endsWith(" [" + made + " tenant=host client=127.0.0.1] - maintenance: ended by admin (window 1)"
          + System.lineSeparator())), lines.toString());

      // a call over the event-bus bridge (the CLI's) is a request of its own too
      java.io.ByteArrayOutputStream sink = new java.io.ByteArrayOutputStream();
      for (String command : new String[] {"start", "end"}) {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("--url",
            "http://127.0.0.1:" + node.port(), "--bridge", "127.0.0.1:" + node.bridgePort(), "--password", TestNode.ADMIN_PASSWORD, command));
        if (command.equals("start")) {
          args.addAll(java.util.List.of("--phase", "draining"));
        }
        assertEquals(0, org.orchestrator.cli.MaintenanceCli.run(args.toArray(String[]::new),
            new java.io.PrintStream(sink), new java.io.PrintStream(sink)), sink.toString());
      }
      assertTrue(lines.stream().anyMatch(l -> l.matches(".* \\[bridge-[0-9a-f]{12} tenant=host client=127\\.0\\.0\\.1\\] - maintenance: "
          + "Draining by admin \\(window 2\\): window opened, Stop sent to running jobs\\R")), lines.toString());
    } finally {
      phaseLog.detachAppender(capture);
    }
  }
}
