package org.orchestrator.platform;

import io.vertx.core.Future;
import java.net.BindException;

/**
 * A start that failed for a reason the operator can fix (a port in use, a data directory held by
 * another process, a setting that does not parse): the message says what and which setting, and
 * {@code Main} prints it as one line, without a stack trace.
 */
public final class StartupFailure extends RuntimeException {

  public StartupFailure(String message) {
    super(message);
  }

  public StartupFailure(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * A listen that failed, named: {@code what} (e.g. "the HTTP API"), the address, and the setting
   * and environment variable that chose the port.
   */
  public static <T> Future<T> naming(Future<T> listen, String what, String host, int port, String setting) {
    return listen.recover(failure -> Future.failedFuture(new StartupFailure("cannot listen for " + what + " on "
        + host + ":" + port + " (" + setting + "): " + (isInUse(failure) ? "the address is already in use"
            : failure.getMessage()), failure)));
  }

  private static boolean isInUse(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof BindException || String.valueOf(t.getMessage()).contains("Address already in use")) {
        return true;
      }
    }
    return false;
  }
}
