package org.ucp.datastore;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Empty files in {@code .tmp} made ahead of the writes that take them. Making a file is the
 * costliest step of a small write on a file system that skips recently freed inodes when it looks
 * for a free one (ext4 without a journal does): 0.1–1.0 ms of a 1 MiB put's 2–3 ms, measured
 * (docs/performance.md). A write that finds a spare opens it instead, and the making is done
 * between writes, on a worker ({@link #fill}). A write that finds none makes its file as before.
 * A spare is named {@code spare-…} until a write takes it and renames it to {@code put-…} (a
 * rename in one folder costs far less than a making), so what a spare's name says holds: it was
 * never written. Spares are ordinary leftovers of {@code .tmp}: the next opening of the store
 * removes them with the rest.
 */
final class SpareFiles {
  /** The prefix of a write's file in {@code .tmp}. */
  private static final String PUT = "put-";
  /** How many are kept ready. */
  static final int KEEP = 16;
  /**
   * A fill starts when this many are taken. Each making costs processor time (the file system's
   * search for a free inode); a fill of a few at a time spreads it between writes instead of
   * holding both cores for the next one.
   */
  static final int FILL_FROM = 4;

  /** A new empty file of {@code .tmp}, open for writing. */
  record Part(Path path, FileChannel channel) {}

  private final Path tmp;
  private final String opening;
  private final AtomicLong made = new AtomicLong();
  private final ConcurrentLinkedQueue<Path> ready = new ConcurrentLinkedQueue<>();
  private final AtomicInteger readyCount = new AtomicInteger();
  private final AtomicBoolean filling = new AtomicBoolean();
  private volatile boolean closed;

  /** Files of {@code tmp} named after {@code opening}, which must be this opening's own. */
  SpareFiles(Path tmp, String opening) {
    this.tmp = tmp;
    this.opening = opening;
  }

  /** A spare if one is ready, else a file made now. A file taken and not handed out is removed. */
  Part take() throws IOException {
    for (Path spare; (spare = ready.poll()) != null; ) {
      readyCount.decrementAndGet();
      Path part = tmp.resolve(PUT + spare.getFileName().toString().substring(StoreLayout.SPARE.length()));
      try {
        Files.move(spare, part, StandardCopyOption.ATOMIC_MOVE);
      } catch (NoSuchFileException removed) {
        continue; // someone emptied .tmp by hand: the next, or one made below
      } catch (IOException e) {
        throw removing(spare, e);
      }
      try {
        return new Part(part, FileChannel.open(part, StandardOpenOption.WRITE));
      } catch (IOException e) {
        throw removing(part, e);
      }
    }
    Path part = tmp.resolve(PUT + name());
    return new Part(part, FileChannel.open(part, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
  }

  /** Whether {@link #FILL_FROM} or more of the spares are taken and no fill is under way. */
  boolean low() {
    return !closed && !filling.get() && readyCount.get() <= KEEP - FILL_FROM;
  }

  /** Makes files until {@link #KEEP} are ready (blocking; one fill at a time). Answers how many it made. */
  int fill() throws IOException {
    if (!filling.compareAndSet(false, true)) {
      return 0;
    }
    try {
      int n = 0;
      while (!closed && readyCount.get() < KEEP) {
        ready.add(Files.createFile(tmp.resolve(StoreLayout.SPARE + name())));
        readyCount.incrementAndGet();
        n++;
      }
      if (closed) {
        drop(); // closed while the last was being made: close() may have emptied the queue before it came
      }
      return n;
    } finally {
      filling.set(false);
    }
  }

  /** Stops filling and removes the spares not taken; a fill under way removes what it makes after. */
  void close() throws IOException {
    closed = true;
    drop();
  }

  private void drop() throws IOException {
    for (Path spare; (spare = ready.poll()) != null; ) {
      readyCount.decrementAndGet();
      Files.deleteIfExists(spare);
    }
  }

  /** {@code failure}, after removing {@code file} (a failure to remove it is added to it). */
  private static IOException removing(Path file, IOException failure) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      failure.addSuppressed(e);
    }
    return failure;
  }

  /** What follows the prefix in the name of a file of this opening, each time another. */
  private String name() {
    return opening + "-" + made.incrementAndGet() + ".part";
  }
}
