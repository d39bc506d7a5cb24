package org.orchestrator.app.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import org.orchestrator.contracts.bus.RequestContext;

/**
 * {@code %requestId} in a logback pattern: the id of the request the logging code works for, read
 * from the Vert.x context it runs on ({@link RequestContext}); {@code -} outside a request. Logback's MDC
 * is thread-bound, and an event loop interleaves many requests on one thread, so the id is read from
 * the context, which follows each request across its callbacks and bus hops.
 */
public final class RequestIdConverter extends ClassicConverter {

  @Override
  public String convert(ILoggingEvent event) {
    String id = RequestContext.id();
    return id == null ? "-" : id;
  }
}
