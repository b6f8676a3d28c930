package org.ucp.sync;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Renames made durable. A file forced to disk and renamed into place is on the disk under its new
 * name only once its folder is forced too: until then a power cut may take the rename back (Linux
 * writes a folder's changes back within about 30 s). A kill -9 loses nothing either way; a power
 * cut does.
 *
 * <p>An instance forces folders for the writers that renamed into them, in rounds: a writer's
 * folders join the next round, which begins after its call; whoever finds no round under way
 * starts the next one, which forces every folder named for it, each once (group commit). Writes
 * that land together, in one folder or in several, share a round. A round that fails fails every
 * writer in it, and its folders are not tried again on their behalf: a second fsync after a failed
 * one may report success for data the first lost. Blocking: call from a worker thread. No Vert.x
 * here.
 */
public final class FolderSync {
  /** Forces a folder to disk; {@link #fsync} outside tests. */
  @FunctionalInterface
  public interface Force {
    void force(Path folder) throws IOException;
  }

  private static final Logger LOG = Logger.getLogger(FolderSync.class.getName());

  /** The folders of one round, and how it ended. */
  private static final class Round {
    final Set<Path> folders = new LinkedHashSet<>();
    boolean done;
    IOException failure;
  }

  private final Force force;
  /** The round callers join: it has not begun. */
  private Round next = new Round();
  private boolean running;
  private long forces;

  public FolderSync() {
    this(FolderSync::fsync);
  }

  public FolderSync(Force force) {
    this.force = force;
  }

  /**
   * Returns once each of {@code folders} has been forced in a round that began after this call
   * did, so every rename into them before the call is on the disk. A folder removed meanwhile is
   * skipped (it took what was renamed into it along). Throws when the round failed.
   */
  public void sync(Collection<Path> folders) throws IOException {
    Round mine;
    synchronized (this) {
      mine = next;
      mine.folders.addAll(folders);
      while (running && !mine.done) {
        try {
          wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while waiting for " + folders + " to be forced");
        }
      }
      if (mine.done) {
        if (mine.failure != null) {
          throw new IOException("forcing " + folders + " failed: " + mine.failure.getMessage(), mine.failure);
        }
        return;
      }
      running = true; // no round under way, and this one not begun: it is the next, and this caller runs it
      next = new Round();
    }
    IOException failure = new IOException("the round ended in an unexpected error"); // unless it completes
    try {
      forceAll(mine.folders);
      failure = null;
    } catch (IOException e) {
      failure = e;
    } finally {
      synchronized (this) {
        mine.done = true;
        mine.failure = failure;
        running = false;
        notifyAll();
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  public void sync(Path folder) throws IOException {
    sync(List.of(folder));
  }

  private void forceAll(Set<Path> round) throws IOException {
    for (Path folder : round) {
      try {
        force.force(folder);
      } catch (NoSuchFileException removed) {
        LOG.fine(() -> folder + " was removed before it was forced");
      } finally {
        synchronized (this) {
          forces++;
        }
      }
    }
  }

  /** How many folder forces this instance has run (waits in one round share them). */
  public synchronized long forces() {
    return forces;
  }

  /** Forces {@code folder}'s entries (the names in it) to disk. */
  public static void fsync(Path folder) throws IOException {
    try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  /** Writes {@code bytes} as the whole of {@code file} (made if need be) and forces them to disk. */
  public static void writeForced(Path file, byte[] bytes) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      java.nio.ByteBuffer rest = java.nio.ByteBuffer.wrap(bytes);
      while (rest.hasRemaining()) {
        channel.write(rest);
      }
      channel.force(true);
    }
  }

  /**
   * Replaces {@code target} by {@code source} (a file already forced) atomically, and forces the
   * folder, so the replacement outlives a power cut.
   */
  public static void replace(Path source, Path target) throws IOException {
    Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    fsync(target.toAbsolutePath().getParent());
  }
}
