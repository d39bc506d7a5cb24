package org.orchestrator.contracts.phase;

import java.util.Locale;

/**
 * Which maintenance rule a route follows, as the contract's {@code x-maintenance} of each operation
 * says it: {@code open} in every phase, {@code robot} refused while Suspended, {@code human} (and
 * every unknown path) refused while in maintenance. {@link MaintenanceRules#admits} decides.
 */
public enum RouteClass {
  OPEN, ROBOT, HUMAN;

  /** The class an operation's {@code x-maintenance} names; fails when it names none. */
  public static RouteClass of(String name, String operation) {
    if (name == null) {
      throw new IllegalStateException("operation " + operation + " has no x-maintenance in openapi.json");
    }
    return RouteClass.valueOf(name.toUpperCase(Locale.ROOT));
  }

  /** The stricter of two classes (a path several operations share follows the strictest). */
  public RouteClass strictest(RouteClass other) {
    return compareTo(other) >= 0 ? this : other;
  }
}
