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
    Logger phaseLog = (Logger) LoggerFactory.getLogger("org.orchestrator.phase.MaintenanceService");
    capture.start();
    phaseLog.addAppender(capture);
    try (TestNode node = TestNode.start("tracing")) {
      String host = node.api().signInHostAdmin().await();
      HttpResponse<Buffer> started = node.api().request(HttpMethod.POST, "/api/Maintenance/Start?phase=Draining", host)
          .putHeader("X-Request-Id", "change-4711").send().await();
      assertEquals(204, started.statusCode(), started.bodyAsString());
      assertEquals("change-4711", started.getHeader("X-Request-Id"));
      assertTrue(lines.stream().anyMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[[^]]+\\] "
          + "o\\.o\\.phase\\.MaintenanceService \\[change-4711\\] - maintenance: Draining by admin .*\\R")),
          lines.toString());

      HttpResponse<Buffer> ended = node.api().request(HttpMethod.POST, "/api/Maintenance/End", host)
          .putHeader("X-Request-Id", "no spaces allowed").send().await();
      assertEquals(204, ended.statusCode());
      String made = ended.getHeader("X-Request-Id");
      assertTrue(made.matches("[0-9a-f]{16}"), "an unacceptable id is replaced: " + made);
      assertTrue(lines.stream().anyMatch(l -> l.endsWith(" [" + made + "] - maintenance: ended by admin (window 1)"
          + System.lineSeparator())), lines.toString());
    } finally {
      phaseLog.detachAppender(capture);
    }
  }
}
