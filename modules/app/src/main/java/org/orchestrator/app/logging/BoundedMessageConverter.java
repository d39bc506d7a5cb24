package org.orchestrator.app.logging;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import org.slf4j.helpers.MessageFormatter;

/**
 * {@code %boundedMsg} in a logback pattern, in place of {@code %msg}: the message with each of its
 * arguments (the {@code {}} values, where whatever a client sent ends up: a bridge frame's address,
 * a request's path, a maintenance reason) escaped and cut to {@link LogText#MAX_VALUE} characters,
 * then the whole message escaped and cut to {@link LogText#MAX_MESSAGE}. So a client can neither
 * start a forged line with CR or LF nor write a 60 KB line; the patterns the code writes are kept
 * whole. Every event of every logger passes here: no call site has to remember.
 */
public final class BoundedMessageConverter extends ClassicConverter {

  @Override
  public String convert(ILoggingEvent event) {
    Object[] arguments = event.getArgumentArray();
    String message;
    if (arguments == null || arguments.length == 0) {
      message = event.getFormattedMessage();
    } else {
      Object[] bounded = new Object[arguments.length];
      for (int i = 0; i < arguments.length; i++) {
        bounded[i] = arguments[i] == null ? null : LogText.bounded(text(arguments[i]), LogText.MAX_VALUE);
      }
      message = MessageFormatter.basicArrayFormat(event.getMessage(), bounded);
    }
    return LogText.bounded(message, LogText.MAX_MESSAGE);
  }

  /** An argument as SLF4J would print it (arrays element by element). */
  private static String text(Object argument) {
    if (argument.getClass().isArray()) {
      return MessageFormatter.basicArrayFormat("{}", new Object[] {argument});
    }
    try {
      return String.valueOf(argument);
    } catch (RuntimeException e) {
      return "[" + argument.getClass().getName() + ".toString() failed: " + e + "]";
    }
  }
}
