package org.ucp.wasm.disk;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/**
 * What one job directory holds, kept up to date as the program changes it: the logical size of
 * its regular files (a sparse file counts at its full length, a hard link once more) and its
 * number of entries (files, folders and links). A change that would pass {@code maxBytes} or
 * {@code maxEntries} is refused with {@link QuotaExceededException} before it touches the disk,
 * and the first refusal is remembered for the run's outcome. Thread-safe.
 */
public final class DiskQuota {
  /** Which limit a refusal hit. */
  public enum Kind {
    BYTES,
    ENTRIES
  }

  private final long maxBytes;
  private final long maxEntries;
  private long bytes;
  private long entries;
  private Kind firstRefusal;
  private Kind recentRefusal;

  public DiskQuota(long maxBytes, long maxEntries, long bytes, long entries) {
    this.maxBytes = maxBytes;
    this.maxEntries = maxEntries;
    this.bytes = bytes;
    this.entries = entries;
  }

  /** A quota for {@code dir} as it is now (its files count from the start). */
  public static DiskQuota of(Path dir, long maxBytes, long maxEntries) throws IOException {
    long[] usage = usage(dir);
    return new DiskQuota(maxBytes, maxEntries, usage[0], usage[1]);
  }

  /**
   * {bytes, entries} under {@code dir}, not following links: the logical size of regular files
   * and the number of files, folders and links below it.
   */
  public static long[] usage(Path dir) throws IOException {
    long[] total = {0, 0};
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return total;
    }
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
        if (!d.equals(dir)) {
          total[1]++;
        }
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
        total[1]++;
        if (attrs.isRegularFile()) {
          total[0] += attrs.size();
        }
        return FileVisitResult.CONTINUE;
      }
    });
    return total;
  }

  public long maxBytes() {
    return maxBytes;
  }

  public long maxEntries() {
    return maxEntries;
  }

  public synchronized long bytes() {
    return bytes;
  }

  public synchronized long entries() {
    return entries;
  }

  /** The first limit a change was refused for, if any. */
  public synchronized Optional<Kind> refused() {
    return Optional.ofNullable(firstRefusal);
  }

  /**
   * How many of {@code length} bytes written at {@code position} into a file of {@code size}
   * bytes fit: all, fewer (a short write), or none, which is refused.
   */
  synchronized int writable(long size, long position, int length) throws QuotaExceededException {
    long end = Math.max(size, bytes > maxBytes ? size : size + (maxBytes - bytes));
    long fits = Math.min(length, end - position);
    if (length > 0 && fits <= 0) {
      throw refuse(Kind.BYTES, "disk limit of " + maxBytes + " bytes reached");
    }
    return (int) Math.max(0, fits);
  }

  /** Refuses growing a file by {@code growth} bytes unless it fits. */
  synchronized void reserveGrowth(long growth) throws QuotaExceededException {
    if (growth > 0 && bytes + growth > maxBytes) {
      throw refuse(Kind.BYTES, "disk limit of " + maxBytes + " bytes reached");
    }
  }

  /** Records that the files grew (or, negative, shrank) by {@code delta} bytes. */
  synchronized void changed(long delta) {
    bytes = Math.max(0, bytes + delta);
  }

  /** Counts a new entry, or refuses it when the directory holds {@code maxEntries} already. */
  synchronized void addEntry() throws QuotaExceededException {
    if (entries >= maxEntries) {
      throw refuse(Kind.ENTRIES, "file limit of " + maxEntries + " files and folders reached");
    }
    entries++;
  }

  synchronized void removeEntry() {
    entries = Math.max(0, entries - 1);
  }

  private QuotaExceededException refuse(Kind kind, String why) {
    if (firstRefusal == null) {
      firstRefusal = kind;
    }
    recentRefusal = kind;
    return new QuotaExceededException(why);
  }

  /** Forgets the most recent refusal (before a call whose refusals are to be seen). */
  public synchronized void clearRecent() {
    recentRefusal = null;
  }

  /** The refusal since {@link #clearRecent()}, if any, and forgets it. */
  public synchronized Optional<Kind> takeRecent() {
    Kind k = recentRefusal;
    recentRefusal = null;
    return Optional.ofNullable(k);
  }
}
