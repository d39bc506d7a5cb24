package org.orchestrator.retention;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Writer;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.orchestrator.contracts.retention.RetentionMessages.RetainedTable;

/**
 * The archive directory: gzip-compressed JSON Lines files, one row a line, at
 * {@code <tenantId>/<table>/<yyyy-mm-dd>[-<n>].jsonl.gz}. A file is written under its name plus
 * {@value #TEMPORARY}, forced to disk, then renamed (atomically) and its directory forced: under
 * its own name a file is complete. Every method blocks (file I/O): call from a worker.
 */
final class Archive {

  static final String SUFFIX = ".jsonl.gz";
  static final String TEMPORARY = ".tmp";

  private final Path root;

  Archive(Path root) {
    this.root = root;
  }

  Path root() {
    return root;
  }

  /** The relative path of the {@code n}th file (1: no number) of a tenant's table for a day. */
  static String name(long tenantId, RetainedTable table, LocalDate day, int n) {
    return tenantId + "/" + table.name() + "/" + day + (n == 1 ? "" : "-" + n) + SUFFIX;
  }

  /** Whether {@code path} exists under its own name or as a temporary file. */
  boolean taken(String path) {
    return Files.exists(root.resolve(path)) || Files.exists(root.resolve(path + TEMPORARY));
  }

  boolean complete(String path) {
    return Files.isRegularFile(root.resolve(path));
  }

  /** Opens the temporary file of {@code path} (replacing a leftover one). */
  Writing open(String path) throws IOException {
    Path target = root.resolve(path);
    Files.createDirectories(target.getParent());
    return new Writing(target);
  }

  /** Removes what a run that died left of {@code path}'s temporary file. */
  void discardTemporary(String path) throws IOException {
    Files.deleteIfExists(root.resolve(path + TEMPORARY));
  }

  /**
   * Removes every temporary file (a run that died while writing it): its rows were never deleted,
   * since a file's rows are deleted only once it has its name. Answers how many.
   */
  int discardTemporaries() throws IOException {
    if (!Files.isDirectory(root)) {
      return 0;
    }
    List<Path> temporaries;
    try (var walk = Files.walk(root, 3)) {
      temporaries = walk.filter(path -> path.getFileName().toString().endsWith(SUFFIX + TEMPORARY)).toList();
    }
    for (Path temporary : temporaries) {
      Files.deleteIfExists(temporary);
    }
    return temporaries.size();
  }

  /** The value of {@code key} (as text) on each line of a complete file. */
  List<String> keys(String path, String key) throws IOException {
    List<String> keys = new ArrayList<>();
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(
        new GZIPInputStream(Files.newInputStream(root.resolve(path))), StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        Object value = new JsonObject(line).getValue(key);
        if (value == null) {
          throw new IOException(path + ": a line without '" + key + "'");
        }
        keys.add(value.toString());
      }
    }
    return keys;
  }

  /** A file being written: lines appended, then {@link #finish} forces it and gives it its name. */
  static final class Writing implements AutoCloseable {

    private final Path target;
    private final Path temporary;
    private final CountingStream counted;
    private final Writer writer;
    private long rows;
    private boolean finished;

    private Writing(Path target) throws IOException {
      this.target = target;
      this.temporary = target.resolveSibling(target.getFileName() + TEMPORARY);
      this.counted = new CountingStream(Files.newOutputStream(temporary, StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE));
      this.writer = new BufferedWriter(new OutputStreamWriter(new GZIPOutputStream(counted, 65_536),
          StandardCharsets.UTF_8), 65_536);
    }

    void append(List<String> lines) throws IOException {
      for (String line : lines) {
        writer.write(line);
        writer.write('\n');
      }
      rows += lines.size();
    }

    long rows() {
      return rows;
    }

    /** Completes the compressed stream and forces it to disk; answers its size in bytes. */
    long complete() throws IOException {
      writer.close();
      force(temporary, false);
      return counted.count;
    }

    /** Gives the complete file its name, atomically, and forces the directory entry. */
    void publish() throws IOException {
      Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      force(target.getParent(), true);
      finished = true;
    }

    @Override
    public void close() throws IOException {
      if (!finished) {
        try {
          writer.close();
        } catch (IOException ignored) {
          // the stream is being abandoned
        }
        Files.deleteIfExists(temporary);
      }
    }
  }

  private static void force(Path path, boolean directory) throws IOException {
    try (FileChannel channel = directory ? FileChannel.open(path, StandardOpenOption.READ)
        : FileChannel.open(path, StandardOpenOption.WRITE)) {
      channel.force(true);
    } catch (NoSuchFileException e) {
      throw e;
    } catch (IOException e) {
      if (!directory) {
        throw e;
      }
      // some file systems cannot open a directory for fsync; the rename is then as durable as they make it
    }
  }

  private static final class CountingStream extends OutputStream {

    private final OutputStream out;
    private long count;

    CountingStream(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }

    @Override
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }
}
