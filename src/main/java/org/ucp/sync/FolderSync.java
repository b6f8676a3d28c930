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
 * <p>An instance forces folders for the writers that renamed into them, as a group: a writer waits
 * for a round of forces that began after its rename; whoever finds none under way starts one, which
 * forces every folder named by a writer waiting then, each once (group commit). Writes that land
 * together, in one folder or in several, share a round. Blocking: call from a worker thread. No
 * Vert.x here.
 */
public final class FolderSync {
  /** Forces a folder to disk; {@link #fsync} outside tests. */
  @FunctionalInterface
  public interface Force {
    void force(Path folder) throws IOException;
  }

  private static final Logger LOG = Logger.getLogger(FolderSync.class.getName());

  private final Force force;
  /** The folders named since the round under way began. */
  private Set<Path> pending = new LinkedHashSet<>();
  /** The number of the newest wait begun. */
  private long requested;
  /** Every wait up to this number has seen its folders forced. */
  private long synced;
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
   * skipped (it took what was renamed into it along). A failed force fails the caller that ran the
   * round; the others waiting for it start another, with its folders.
   */
  public void sync(Collection<Path> folders) throws IOException {
    Set<Path> round;
    long upTo;
    synchronized (this) {
      pending.addAll(folders);
      long mine = ++requested;
      while (running && synced < mine) {
        try {
          wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while waiting for " + folders + " to be forced");
        }
      }
      if (synced >= mine) {
        return;
      }
      running = true;
      upTo = requested;
      round = pending;
      pending = new LinkedHashSet<>();
    }
    boolean done = false;
    try {
      forceAll(round);
      done = true;
    } finally {
      synchronized (this) {
        running = false;
        if (done) {
          synced = Math.max(synced, upTo);
        } else {
          pending.addAll(round);
        }
        notifyAll();
      }
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
      }
      synchronized (this) {
        forces++;
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

  /**
   * Replaces {@code target} by {@code source} (a file already forced) atomically, and forces the
   * folder, so the replacement outlives a power cut.
   */
  public static void replace(Path source, Path target) throws IOException {
    Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    fsync(target.toAbsolutePath().getParent());
  }
}
