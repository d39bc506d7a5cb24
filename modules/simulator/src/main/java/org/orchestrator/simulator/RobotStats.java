package org.orchestrator.simulator;

import java.util.concurrent.atomic.AtomicLong;

/** What a robot (or a fleet) did, as the server acknowledged it. Thread-safe. */
public final class RobotStats {

  public final AtomicLong heartbeats = new AtomicLong();
  public final AtomicLong jobsStarted = new AtomicLong();
  public final AtomicLong jobsSucceeded = new AtomicLong();
  public final AtomicLong jobsStopped = new AtomicLong();
  public final AtomicLong jobsKilled = new AtomicLong();
  /** Log lines written by running jobs. */
  public final AtomicLong logsWritten = new AtomicLong();
  /** Log lines the server acknowledged as stored. */
  public final AtomicLong logsAcknowledged = new AtomicLong();
  /** State reports the server acknowledged. */
  public final AtomicLong reportsAcknowledged = new AtomicLong();
  /** Replies 503 (maintenance) that made the robot back off. */
  public final AtomicLong refusals = new AtomicLong();
  /** Replies other than 2xx, 401 and 503: each is a bug or a rejected report. */
  public final AtomicLong unexpected = new AtomicLong();
  public final AtomicLong reauthentications = new AtomicLong();
  /** Running reports refused with JOB_NOT_STARTABLE: the robot dropped the job without running it. */
  public final AtomicLong notStartable = new AtomicLong();
  /** Final reports refused because the server had already settled the job (e.g. reconciliation). */
  public final AtomicLong settledByServer = new AtomicLong();

  /** Commands that arrived on the push channel. */
  public final AtomicLong commandsPushed = new AtomicLong();
  /** {@code resumed} events received on the push channel (End): each brings an early heartbeat. */
  public final AtomicLong resumes = new AtomicLong();
  /** When this robot first heard a StopJob (System.nanoTime()), by push or heartbeat; 0 if never. */
  public final AtomicLong firstStopNanos = new AtomicLong();

  public void add(RobotStats other) {
    commandsPushed.addAndGet(other.commandsPushed.get());
    resumes.addAndGet(other.resumes.get());
    heartbeats.addAndGet(other.heartbeats.get());
    jobsStarted.addAndGet(other.jobsStarted.get());
    jobsSucceeded.addAndGet(other.jobsSucceeded.get());
    jobsStopped.addAndGet(other.jobsStopped.get());
    jobsKilled.addAndGet(other.jobsKilled.get());
    logsWritten.addAndGet(other.logsWritten.get());
    logsAcknowledged.addAndGet(other.logsAcknowledged.get());
    reportsAcknowledged.addAndGet(other.reportsAcknowledged.get());
    refusals.addAndGet(other.refusals.get());
    unexpected.addAndGet(other.unexpected.get());
    reauthentications.addAndGet(other.reauthentications.get());
    notStartable.addAndGet(other.notStartable.get());
    settledByServer.addAndGet(other.settledByServer.get());
  }

  @Override
  public String toString() {
    return "heartbeats=" + heartbeats + " started=" + jobsStarted + " succeeded=" + jobsSucceeded
        + " stopped=" + jobsStopped + " killed=" + jobsKilled + " logs=" + logsAcknowledged + "/" + logsWritten
        + " refusals(503)=" + refusals + " unexpected=" + unexpected + " notStartable=" + notStartable
        + " settledByServer=" + settledByServer + " pushed=" + commandsPushed;
  }
}
