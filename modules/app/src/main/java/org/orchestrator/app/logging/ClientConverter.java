package org.orchestrator.app.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import org.orchestrator.contracts.bus.RequestContext;

/**
 * {@code %client} in a logback pattern: {@code " client=<address>"} when the request the logging code
 * works for came from a client (HTTP: behind a trusted proxy, the address it forwarded; the bridge:
 * the connection's peer), else nothing. Read from the Vert.x context, as {@link TenantConverter}.
 */
public final class ClientConverter extends ClassicConverter {

  @Override
  public String convert(ILoggingEvent event) {
    String client = RequestContext.client();
    return client == null ? "" : " client=" + client;
  }
}
