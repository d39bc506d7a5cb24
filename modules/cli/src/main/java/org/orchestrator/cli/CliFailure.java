package org.orchestrator.cli;

/** A failure with the exit code the tool ends with (see {@link MaintenanceCli}). */
final class CliFailure extends RuntimeException {

  final int exitCode;

  CliFailure(int exitCode, String message) {
    super(message, null, false, false);
    this.exitCode = exitCode;
  }

  /** The exit code for a server's error code (1400..., 1000) or HTTP status. */
  static CliFailure fromServer(int code, String message) {
    int normalized = code >= 1000 ? code - 1000 : code;
    int exit = switch (normalized) {
      case 401, 403 -> MaintenanceCli.EXIT_UNAUTHORIZED;
      case 400, 404, 409, 413 -> MaintenanceCli.EXIT_REFUSED;
      default -> MaintenanceCli.EXIT_OTHER;
    };
    return new CliFailure(exit, message);
  }
}
