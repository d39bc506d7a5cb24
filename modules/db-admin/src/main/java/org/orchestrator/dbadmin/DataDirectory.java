package org.orchestrator.dbadmin;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.orchestrator.platform.StartupFailure;

/**
 * The orchestrator's data directory, locked for the life of the process so that two servers never
 * share an embedded cluster or a signing key by accident. The lock dies with the process, also on
 * {@code kill -9}.
 */
public final class DataDirectory implements AutoCloseable {

  private final Path root;
  private final FileChannel channel;
  private final FileLock lock;

  private DataDirectory(Path root, FileChannel channel, FileLock lock) {
    this.root = root;
    this.channel = channel;
    this.lock = lock;
  }

  /** Creates the directory if needed and takes its lock, or fails when another process holds it. */
  public static DataDirectory claim(Path root) throws IOException {
    Files.createDirectories(root);
    FileChannel channel = FileChannel.open(root.resolve("orchestrator.lock"),
        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException heldInThisJvm) {
      lock = null;
    }
    if (lock == null) {
      channel.close();
      throw new StartupFailure("another orchestrator process is using the data directory "
          + root + " (dataDir, ORCH_DATA_DIR): stop it, or give this node its own data directory");
    }
    return new DataDirectory(root, channel, lock);
  }

  public Path root() {
    return root;
  }

  /** Where the embedded PostgreSQL cluster lives. */
  public Path embeddedCluster() {
    return root.resolve("postgres");
  }

  @Override
  public void close() throws IOException {
    lock.release();
    channel.close();
  }
}
