package org.orchestrator.contracts;

import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Names a failure that no module raised on purpose, e.g. a database connection the server
 * dropped: what a client may do about it (a 503 to retry, rather than a 500). Implementations live
 * in the modules that know the exception types (the platform knows the PostgreSQL client's) and
 * are found with {@link ServiceLoader}, so contracts depends on none of them.
 */
public interface FailureTranslator {

  /** The failure {@code failure} stands for, or empty when this translator does not know it. */
  Optional<Failure> translate(Throwable failure);

  /** Every translator on the class path, loaded once. */
  List<FailureTranslator> ALL = ServiceLoader.load(FailureTranslator.class).stream()
      .map(ServiceLoader.Provider::get).toList();

  /** {@code failure} itself when it is a {@link Failure}; else what a translator names it (or its causes). */
  static Optional<Failure> of(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
      if (cause instanceof Failure known) {
        return Optional.of(known);
      }
      for (FailureTranslator translator : ALL) {
        Optional<Failure> named = translator.translate(cause);
        if (named.isPresent()) {
          return named;
        }
      }
    }
    return Optional.empty();
  }
}
