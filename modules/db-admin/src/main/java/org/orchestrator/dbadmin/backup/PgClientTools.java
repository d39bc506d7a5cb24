package org.orchestrator.dbadmin.backup;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PostgreSQL's client programs ({@code pg_dump}, {@code pg_restore}). The embedded PostgreSQL bundle
 * holds the server only ({@code initdb}, {@code pg_ctl}, {@code postgres}), so these come from the
 * machine: {@code ORCH_PG_BIN} when set (that directory only), else the newest found in the usual
 * places of Debian/Ubuntu ({@code /usr/lib/postgresql/N/bin}), RHEL/Fedora ({@code /usr/pgsql-N/bin}),
 * Homebrew and {@code PATH}. The newest is taken because a {@code pg_dump} reads servers of its own
 * version and older, and a {@code pg_restore} reads archives of its own version and older.
 */
public final class PgClientTools {

  private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\) (\\d+)(?:\\.(\\d+))?");
  private static final boolean WINDOWS = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("win");

  /** One client program and its version. */
  public record Tool(String name, Path path, String version, int major, int minor) {

    public List<String> command(List<String> arguments) {
      List<String> command = new ArrayList<>();
      command.add(path.toString());
      command.addAll(arguments);
      return command;
    }

    @Override
    public String toString() {
      return name + " " + version + " (" + path + ")";
    }
  }

  /** What a program did: its exit code, its standard output (unless discarded) and its standard error. */
  public record Result(int exitCode, String out, String err) {

    /** The line of standard error that says what went wrong (the first {@code error:} line, else the last line). */
    public String error() {
      String last = "";
      for (String line : err.split("\\R")) {
        if (line.contains("error:") || line.contains("FATAL:")) {
          return line.trim();
        }
        if (!line.isBlank()) {
          last = line.trim();
        }
      }
      return last.isEmpty() ? "exit code " + exitCode + ", nothing on standard error" : last;
    }
  }

  private PgClientTools() {
  }

  /**
   * The newest {@code name} ({@code pg_dump}, {@code pg_restore}) on this machine, or a failure saying
   * what to install.
   */
  public static Tool find(String name, Map<String, String> environment) {
    String chosenDirectory = environment.get("ORCH_PG_BIN");
    List<Path> candidates = new ArrayList<>();
    if (chosenDirectory != null && !chosenDirectory.isBlank()) {
      Path program = executable(Path.of(chosenDirectory), name);
      if (program == null) {
        throw BackupFailure.failed("ORCH_PG_BIN=" + chosenDirectory + " holds no " + name
            + ": point it at the bin directory of the PostgreSQL client tools");
      }
      candidates.add(program);
    } else {
      for (Path directory : searchDirectories(environment)) {
        Path program = executable(directory, name);
        if (program != null) {
          candidates.add(program);
        }
      }
    }
    Tool newest = null;
    Set<Path> seen = new LinkedHashSet<>();
    for (Path candidate : candidates) {
      Path real;
      try {
        real = candidate.toRealPath();
      } catch (IOException e) {
        continue;
      }
      if (!seen.add(real)) {
        continue;
      }
      Tool tool = version(name, candidate);
      if (tool != null && (newest == null || tool.major() > newest.major()
          || tool.major() == newest.major() && tool.minor() > newest.minor())) {
        newest = tool;
      }
    }
    if (newest == null) {
      throw BackupFailure.failed(name + " not found: install the PostgreSQL client tools, major version 14 or "
          + "newer (the embedded server's; Debian/Ubuntu: apt-get install postgresql-client, Fedora/RHEL: dnf install "
          + "postgresql, macOS: brew install libpq), or set ORCH_PG_BIN to the directory holding " + name
          + " (the embedded PostgreSQL bundle has no client tools)");
    }
    return newest;
  }

  /** Fails unless {@code tool} is at least {@code major} (a pg_dump older than its server refuses it). */
  public static void requireAtLeast(Tool tool, int major, String why) {
    if (tool.major() < major) {
      throw BackupFailure.failed(tool + " is older than " + why + ": install the PostgreSQL client tools of "
          + "major version " + major + " or newer, or set ORCH_PG_BIN to their bin directory");
    }
  }

  /**
   * Runs {@code command} with {@code password} in {@code PGPASSWORD} (never on the command line),
   * reading its standard output unless {@code keepOutput} is false. While it runs, a JVM shutdown
   * (Ctrl-C) ends it too.
   */
  public static Result run(List<String> command, String password, boolean keepOutput) {
    Path out = null;
    Path err = null;
    Process process = null;
    Thread stop = null;
    try {
      err = Files.createTempFile("orchestrator-pg", ".err");
      ProcessBuilder builder = new ProcessBuilder(command).redirectError(err.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
      if (keepOutput) {
        out = Files.createTempFile("orchestrator-pg", ".out");
        builder.redirectOutput(out.toFile());
      } else {
        builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
      }
      Map<String, String> env = builder.environment();
      if (password != null) {
        env.put("PGPASSWORD", password);
      } else {
        env.remove("PGPASSWORD");
      }
      env.putIfAbsent("PGCONNECT_TIMEOUT", "10");
      env.put("PGAPPNAME", "orchestrator-backup");
      process = builder.start();
      Process running = process;
      stop = new Thread(running::destroy, "stop-" + command.get(0));
      Runtime.getRuntime().addShutdownHook(stop);
      int exit = process.waitFor();
      return new Result(exit, out == null ? "" : Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw BackupFailure.failed("could not run " + command.get(0) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroy();
      throw BackupFailure.failed("interrupted while " + command.get(0) + " ran");
    } finally {
      if (stop != null) {
        try {
          Runtime.getRuntime().removeShutdownHook(stop);
        } catch (IllegalStateException shuttingDown) {
          // the hook runs now: it stops the program
        }
      }
      deleteQuietly(out);
      deleteQuietly(err);
    }
  }

  private static Tool version(String name, Path program) {
    try {
      Process process = new ProcessBuilder(program.toString(), "--version").redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.from(nullDevice())).start();
      String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        return null;
      }
      Matcher matcher = VERSION.matcher(text);
      if (!matcher.find()) {
        return null;
      }
      int major = Integer.parseInt(matcher.group(1));
      int minor = matcher.group(2) == null ? 0 : Integer.parseInt(matcher.group(2));
      return new Tool(name, program, matcher.group(2) == null ? matcher.group(1) : major + "." + minor, major, minor);
    } catch (IOException | RuntimeException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static List<Path> searchDirectories(Map<String, String> environment) {
    List<Path> directories = new ArrayList<>();
    addVersioned(directories, Path.of("/usr/lib/postgresql"), "", "bin");          // Debian, Ubuntu
    addVersioned(directories, Path.of("/usr"), "pgsql-", "bin");                     // PGDG on RHEL, Fedora
    addVersioned(directories, Path.of("/opt/homebrew/opt"), "postgresql@", "bin");   // Homebrew
    addVersioned(directories, Path.of("/usr/local/opt"), "postgresql@", "bin");
    directories.add(Path.of("/opt/homebrew/opt/libpq/bin"));
    directories.add(Path.of("/usr/local/opt/libpq/bin"));
    addVersioned(directories, Path.of("/Applications/Postgres.app/Contents/Versions"), "", "bin");
    if (WINDOWS) {
      addVersioned(directories, Path.of("C:\\Program Files\\PostgreSQL"), "", "bin");
    }
    String path = environment.getOrDefault("PATH", "");
    for (String entry : path.split(File.pathSeparator)) {
      if (!entry.isBlank()) {
        directories.add(Path.of(entry));
      }
    }
    return directories;
  }

  private static void addVersioned(List<Path> directories, Path parent, String prefix, String bin) {
    if (!Files.isDirectory(parent)) {
      return;
    }
    try (DirectoryStream<Path> children = Files.newDirectoryStream(parent, prefix + "*")) {
      for (Path child : children) {
        directories.add(child.resolve(bin));
      }
    } catch (IOException | RuntimeException e) {
      // unreadable: look elsewhere
    }
  }

  private static Path executable(Path directory, String name) {
    Path program = directory.resolve(WINDOWS ? name + ".exe" : name);
    return Files.isRegularFile(program) && Files.isExecutable(program) ? program : null;
  }

  private static File nullDevice() {
    return new File(WINDOWS ? "NUL" : "/dev/null");
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // a temporary file left behind
      }
    }
  }
}
