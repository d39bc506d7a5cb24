package org.orchestrator.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import org.orchestrator.simulator.ProfiledRobot.Kind;
import org.orchestrator.simulator.ProfiledRobot.ProfileStats;

/**
 * What a phase of the capacity ladder asked of the machine: the robots' messages a second by kind
 * and the CPU the machine and this JVM (node and load generator) used, from {@code /proc} (Linux
 * only; elsewhere the CPU reads as NaN), and of that the load generator's (its robots' threads). Read at a phase's start and end; tells a phase that costs
 * more per message from one that sends more of them.
 */
final class PhaseReading {

  private final long at = System.nanoTime();
  private final long[] machine = machineTicks();
  private final long jvm = jvmTicks();
  private final Map<Kind, Long> counts = new EnumMap<>(Kind.class);
  private final long generator;

  PhaseReading(ProfileStats stats) {
    generator = stats.cpuNanos();
    for (Kind kind : Kind.values()) {
      counts.put(kind, stats.count(kind));
    }
  }

  /** From this reading to {@code end}: "requests/s by kind; CPU busy x% of the machine, this JVM y%". */
  String until(PhaseReading end) {
    double seconds = (end.at - at) / 1e9;
    StringBuilder out = new StringBuilder();
    long total = 0;
    for (Kind kind : Kind.values()) {
      long n = end.counts.get(kind) - counts.get(kind);
      total += n;
      out.append(kind).append('=').append(Math.round(n / seconds)).append(' ');
    }
    long busy = end.machine[0] - machine[0];
    long all = end.machine[1] - machine[1];
    double cores = Runtime.getRuntime().availableProcessors();
    return String.format("%.0f/s (%s) CPU busy %.0f%%, this JVM %.0f%% of the machine, of which the load generator "
            + "%.0f%%", total / seconds, out.toString().trim(), 100.0 * busy / all,
        100.0 * (end.jvm - jvm) / 100.0 / seconds / cores, 100.0 * (end.generator - generator) / 1e9 / seconds / cores);
  }

  /** {busy, all} jiffies of every CPU (/proc/stat's first line). */
  private static long[] machineTicks() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long all = 0;
      for (int i = 1; i < f.length; i++) {
        all += Long.parseLong(f[i]);
      }
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
      return new long[] {all - idle, all};
    } catch (IOException | RuntimeException e) {
      return new long[] {0, 0};
    }
  }

  /** This process's user and system jiffies (/proc/self/stat fields 14 and 15; 100 a second). */
  private static long jvmTicks() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
