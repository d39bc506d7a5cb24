package org.orchestrator.simulator;

import java.time.Duration;
import org.orchestrator.platform.security.ClientTrust;

/**
 * How a simulated robot behaves.
 *
 * @param heartbeat time between heartbeats
 * @param jobDuration how long a job runs before it reports Successful
 * @param stopGrace how long a job takes to stop after a StopJob command (Kill is immediate)
 * @param logEvery how often a running job writes a log line
 * @param maxLogBatch log lines per upload at most
 * @param push hold the push channel ({@code GET /api/robot/events}) and act on its commands at once
 * @param trust how an {@code https://} server is trusted ({@code --cacert})
 */
public record RobotSettings(Duration heartbeat, Duration jobDuration, Duration stopGrace, Duration logEvery,
    int maxLogBatch, boolean push, ClientTrust trust) {

  public static RobotSettings defaults() {
    return new RobotSettings(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(5),
        Duration.ofSeconds(1), 500, false, ClientTrust.jvm());
  }

  public RobotSettings withPush(boolean onPushChannel) {
    return new RobotSettings(heartbeat, jobDuration, stopGrace, logEvery, maxLogBatch, onPushChannel, trust);
  }

  public RobotSettings withJobDuration(Duration duration) {
    return new RobotSettings(heartbeat, duration, stopGrace, logEvery, maxLogBatch, push, trust);
  }

  public RobotSettings withStopGrace(Duration grace) {
    return new RobotSettings(heartbeat, jobDuration, grace, logEvery, maxLogBatch, push, trust);
  }

  public RobotSettings withHeartbeat(Duration interval) {
    return new RobotSettings(interval, jobDuration, stopGrace, logEvery, maxLogBatch, push, trust);
  }

  public RobotSettings withTrust(ClientTrust caCerts) {
    return new RobotSettings(heartbeat, jobDuration, stopGrace, logEvery, maxLogBatch, push, caCerts);
  }

  public RobotSettings withLogEvery(Duration interval) {
    return new RobotSettings(heartbeat, jobDuration, stopGrace, interval, maxLogBatch, push, trust);
  }
}
