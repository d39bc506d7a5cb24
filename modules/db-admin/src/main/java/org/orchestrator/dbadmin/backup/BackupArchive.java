package org.orchestrator.dbadmin.backup;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A backup file: a pg_dump archive in custom format holding one orchestrator schema. Read with
 * pg_restore's table of contents ({@code pg_restore --list}).
 *
 * @param schema the schema its tables are in
 * @param tables its tables, sequences and functions, counted
 * @param dumpedFrom the version of the server it was dumped from ({@code 14.22})
 * @param dumpedFromMajor that version's major
 * @param dumpedBy the pg_dump that wrote it
 * @param createdAt when, as pg_dump wrote it
 * @param toc the table of contents, as {@code pg_restore --list} printed it
 */
public record BackupArchive(Path file, long bytes, String schema, int tables, int sequences, int functions,
    String dumpedFrom, int dumpedFromMajor, String dumpedBy, String createdAt, List<String> toc) {

  private static final byte[] MAGIC = "PGDMP".getBytes(StandardCharsets.US_ASCII);
  /** A TOC line: {@code 235; 1259 16608 TABLE public assets postgres}. */
  private static final Pattern ENTRY = Pattern.compile("^\\d+; \\d+ \\d+ (.*)$");
  private static final Pattern HEADER = Pattern.compile("^;\\s+([A-Za-z_ ]+):\\s*(.*)$");

  /**
   * Reads {@code file}'s table of contents, refusing what is not a whole orchestrator backup: a
   * missing file, one that is not a custom-format archive, a damaged or truncated one (every data
   * block is read once, so a cut-off file is found here, before anything is written anywhere).
   */
  public static BackupArchive open(Path file, PgClientTools.Tool pgRestore) {
    checkFile(file);
    PgClientTools.Result listed = PgClientTools.run(pgRestore.command(List.of("--list", file.toString())), null, true);
    if (listed.exitCode() != 0) {
      throw unreadable(file, pgRestore, listed);
    }
    // the whole archive, data included, read once: a truncated or damaged file fails here
    PgClientTools.Result through = PgClientTools.run(pgRestore.command(List.of("--file=-", file.toString())), null,
        false);
    if (through.exitCode() != 0) {
      throw unreadable(file, pgRestore, through);
    }
    BackupArchive archive = parse(file, listed.out());
    if (archive.schema() == null) {
      throw BackupFailure.refused(file + " holds no orchestrator tables (no flyway_* history table): "
          + "not a backup of the orchestrator");
    }
    return archive;
  }

  /** Refuses what is not there or does not begin as a custom-format archive does, without any tool. */
  public static void checkFile(Path file) {
    if (!Files.exists(file)) {
      throw BackupFailure.refused("no such file: " + file);
    }
    if (!Files.isRegularFile(file)) {
      throw BackupFailure.refused(file + " is not a file");
    }
    byte[] start = new byte[MAGIC.length];
    int read;
    try (InputStream in = Files.newInputStream(file)) {
      read = in.readNBytes(start, 0, start.length);
    } catch (IOException e) {
      throw BackupFailure.refused("cannot read " + file + ": " + e.getMessage());
    }
    if (read < MAGIC.length || !java.util.Arrays.equals(start, MAGIC)) {
      String looks = read > 1 && start[0] == '-' && start[1] == '-'
          ? " (it looks like a plain SQL dump; restore takes the custom format scripts/backup.sh writes)" : "";
      throw BackupFailure.refused(file + " is not a backup: not a pg_dump custom-format archive" + looks);
    }
  }

  private static BackupFailure unreadable(Path file, PgClientTools.Tool pgRestore, PgClientTools.Result result) {
    String error = result.error();
    if (error.contains("unsupported version")) {
      return BackupFailure.failed(pgRestore + " cannot read " + file + ", written by a newer pg_dump (" + error
          + "): install newer PostgreSQL client tools or set ORCH_PG_BIN");
    }
    return BackupFailure.refused(file + " is damaged or incomplete, not a whole backup (" + error
        + "): use another copy");
  }

  static BackupArchive parse(Path file, String listing) {
    String from = null;
    String by = null;
    String createdAt = null;
    Set<String> orchestratorSchemas = new TreeSet<>();
    int tables = 0;
    int sequences = 0;
    int functions = 0;
    List<String> toc = new ArrayList<>();
    for (String line : listing.split("\\R")) {
      toc.add(line);
      Matcher header = HEADER.matcher(line);
      if (header.matches()) {
        switch (header.group(1).trim()) {
          case "Dumped from database version" -> from = header.group(2).trim();
          case "Dumped by pg_dump version" -> by = header.group(2).trim();
          default -> { }
        }
        continue;
      }
      if (line.startsWith("; Archive created at ")) {
        createdAt = line.substring("; Archive created at ".length()).trim();
        continue;
      }
      Matcher entry = ENTRY.matcher(line);
      if (!entry.matches()) {
        continue;
      }
      String[] words = entry.group(1).split(" ");
      if (words.length >= 3 && words[0].equals("TABLE") && !words[1].equals("DATA")) {
        tables++;
        if (words[2].startsWith("flyway_")) {
          orchestratorSchemas.add(words[1]);
        }
      } else if (words.length >= 3 && words[0].equals("SEQUENCE") && !words[1].equals("SET")
          && !words[1].equals("OWNED")) {
        sequences++;
      } else if (words[0].equals("FUNCTION")) {
        functions++;
      }
    }
    if (orchestratorSchemas.size() > 1) {
      throw BackupFailure.refused(file + " holds several orchestrator schemas " + orchestratorSchemas
          + "; a backup holds one");
    }
    long bytes;
    try {
      bytes = Files.size(file);
    } catch (IOException e) {
      bytes = -1;
    }
    int major = majorOf(from);
    return new BackupArchive(file, bytes, orchestratorSchemas.isEmpty() ? null : orchestratorSchemas.iterator().next(),
        tables, sequences, functions, from, major, by, createdAt, List.copyOf(toc));
  }

  /**
   * The table of contents to restore into a schema that exists already (the database's own
   * {@code public}, or one created beforehand): every entry but the schema's own (its CREATE,
   * comment and privileges), which would fail on an existing schema.
   */
  public List<String> restoreList() {
    List<String> list = new ArrayList<>();
    Pattern schemaEntry = Pattern.compile("^\\d+; \\d+ \\d+ (SCHEMA - |COMMENT - SCHEMA |ACL - SCHEMA ).*");
    for (String line : toc) {
      list.add(schemaEntry.matcher(line).matches() ? ";" + line : line);
    }
    return list;
  }

  /** "44 tables, 21 sequences, 2 functions of schema public; PostgreSQL 14.22, pg_dump 15.20" */
  public String describe() {
    return tables + " tables, " + sequences + " sequences, " + functions + " functions of schema " + schema
        + "; dumped from PostgreSQL " + from() + " by pg_dump " + (dumpedBy == null ? "?" : dumpedBy.split(" ")[0])
        + (createdAt == null ? "" : ", at " + createdAt);
  }

  private String from() {
    return dumpedFrom == null ? "?" : dumpedFrom;
  }

  static int majorOf(String version) {
    if (version == null) {
      return 0;
    }
    Matcher number = Pattern.compile("^(\\d+)").matcher(version.trim());
    return number.find() ? Integer.parseInt(number.group(1)) : 0;
  }

  /** "85.3 KB" */
  public static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " bytes";
    }
    String[] units = {"KB", "MB", "GB", "TB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
  }
}
