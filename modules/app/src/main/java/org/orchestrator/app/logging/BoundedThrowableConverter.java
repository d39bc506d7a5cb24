package org.orchestrator.app.logging;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;

/**
 * {@code %boundedEx} in a logback pattern, in place of {@code %ex}: the stack trace as logback
 * writes it, with the message of each exception in it (and of its causes and suppressed ones)
 * escaped and cut like a log message ({@link LogText}). An exception's message often quotes its input
 * (a parser's, a driver's), and that input may be a client's; the trace's own lines are the code's.
 */
public final class BoundedThrowableConverter extends ThrowableProxyConverter {

  @Override
  protected String throwableProxyToString(IThrowableProxy proxy) {
    return super.throwableProxyToString(new Bounded(proxy));
  }

  /** The same exception, its messages bounded. */
  private record Bounded(IThrowableProxy proxy) implements IThrowableProxy {

    @Override
    public String getOverridingMessage() {
      String message = proxy.getOverridingMessage();
      return message == null ? null : LogText.bounded(message, LogText.MAX_MESSAGE);
    }

    @Override
    public String getMessage() {
      String message = proxy.getMessage();
      return message == null ? null : LogText.bounded(message, LogText.MAX_MESSAGE);
    }

    @Override
    public String getClassName() {
      return proxy.getClassName();
    }

    @Override
    public StackTraceElementProxy[] getStackTraceElementProxyArray() {
      return proxy.getStackTraceElementProxyArray();
    }

    @Override
    public int getCommonFrames() {
      return proxy.getCommonFrames();
    }

    @Override
    public IThrowableProxy getCause() {
      IThrowableProxy cause = proxy.getCause();
      return cause == null ? null : new Bounded(cause);
    }

    @Override
    public IThrowableProxy[] getSuppressed() {
      IThrowableProxy[] suppressed = proxy.getSuppressed();
      if (suppressed == null) {
        return null;
      }
      IThrowableProxy[] bounded = new IThrowableProxy[suppressed.length];
      for (int i = 0; i < suppressed.length; i++) {
        bounded[i] = new Bounded(suppressed[i]);
      }
      return bounded;
    }

    @Override
    public boolean isCyclic() {
      return proxy.isCyclic();
    }
  }
}
