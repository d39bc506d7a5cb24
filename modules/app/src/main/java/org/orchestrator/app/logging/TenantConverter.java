package org.orchestrator.app.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import org.orchestrator.contracts.bus.RequestContext;

/**
 * {@code %tenant} in a logback pattern: {@code " tenant=<id>"} (or {@code " tenant=host"}) when the
 * request the logging code works for acts for a tenant ({@link RequestContext#tenant()}, set where
 * the caller is known and carried across bus hops), else nothing. Read from the Vert.x context, as
 * {@link RequestIdConverter} reads the id.
 */
public final class TenantConverter extends ClassicConverter {

  @Override
  public String convert(ILoggingEvent event) {
    String tenant = RequestContext.tenant();
    return tenant == null ? "" : " tenant=" + tenant;
  }
}
