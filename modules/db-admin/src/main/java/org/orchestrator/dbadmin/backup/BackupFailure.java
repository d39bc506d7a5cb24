package org.orchestrator.dbadmin.backup;

/**
 * Why a backup or a restore did not happen, in one line for the operator, with the exit code the
 * scripts return: {@link #REFUSED} (2) when the request cannot be carried out as given (a missing or
 * damaged file, a target that is not empty or is in use, a setting that names nothing to back up),
 * {@link #FAILED} (1) when it was attempted and failed (a database that does not answer, pg_dump
 * missing or failing).
 */
public final class BackupFailure extends RuntimeException {

  public static final int FAILED = 1;
  public static final int REFUSED = 2;

  private final int exitCode;

  private BackupFailure(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /** The request cannot be carried out as given: exit code 2. */
  public static BackupFailure refused(String message) {
    return new BackupFailure(REFUSED, message, null);
  }

  /** Attempted and failed: exit code 1. */
  public static BackupFailure failed(String message) {
    return new BackupFailure(FAILED, message, null);
  }

  public static BackupFailure failed(String message, Throwable cause) {
    return new BackupFailure(FAILED, message, cause);
  }

  public int exitCode() {
    return exitCode;
  }
}
