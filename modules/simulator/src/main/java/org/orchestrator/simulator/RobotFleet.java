package org.orchestrator.simulator;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/** N simulated robots deployed together, with their combined statistics. */
public final class RobotFleet {

  /** A robot's client credentials: its id and the secret it was given at registration. */
  public record Credentials(String clientId, String secret) {
  }

  private final Vertx vertx;
  private final List<SimulatedRobot> robots;
  private final List<String> deployments;

  private RobotFleet(Vertx vertx, List<SimulatedRobot> robots, List<String> deployments) {
    this.vertx = vertx;
    this.robots = robots;
    this.deployments = deployments;
  }

  public static Future<RobotFleet> deploy(Vertx vertx, URI server, List<Credentials> credentials,
      RobotSettings settings) {
    List<SimulatedRobot> robots = new ArrayList<>();
    List<Future<String>> deployed = new ArrayList<>();
    for (Credentials robot : credentials) {
      SimulatedRobot simulated = new SimulatedRobot(server, robot.clientId(), robot.secret(), settings);
      robots.add(simulated);
      deployed.add(vertx.deployVerticle(simulated));
    }
    return Future.all(deployed).map(all -> new RobotFleet(vertx, robots,
        deployed.stream().map(Future::result).toList()));
  }

  public List<SimulatedRobot> robots() {
    return robots;
  }

  /** The fleet's statistics, summed now. */
  public RobotStats stats() {
    RobotStats total = new RobotStats();
    robots.forEach(robot -> total.add(robot.stats()));
    return total;
  }

  /** Reports and log lines not yet acknowledged by the server. */
  public int unsent() {
    return robots.stream().mapToInt(SimulatedRobot::unsent).sum();
  }

  public int runningJobs() {
    return robots.stream().mapToInt(SimulatedRobot::runningJobs).sum();
  }

  public Future<Void> close() {
    return Future.all(deployments.stream().map(vertx::undeploy).toList()).mapEmpty();
  }
}
