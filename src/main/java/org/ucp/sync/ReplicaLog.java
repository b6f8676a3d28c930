package org.ucp.sync;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ucp.bus.JsonCodec;

/**
 * A broker's replica on its own disk, so that a broker killed and restarted has every version it
 * held, whatever its peers still hold: in a ten-minute chaos run all three brokers restarted
 * within a minute, each pulled a peer's partial replica, and the early jobs were gone from every
 * one. One JSON line per applied version ({@code {"e":...}}), or per claim that an origin's
 * writes up to a number are all applied or superseded ({@code {"w":{...}}}).
 *
 * <p>Lines are written in order by one thread of its own, never on the event loop, and handed to
 * the operating system after every batch: a killed process loses nothing it handed over (a
 * machine that loses power may lose the last second; its peers hold it too). The file is
 * rewritten from the replica as it stands (a snapshot) at the start and whenever it has grown to
 * twice the replica, so it does not grow with history. A torn last line (a kill mid-write) is
 * skipped on load.
 */
public final class ReplicaLog implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ReplicaLog.class.getName());
  static final String FILE = "replica.log";
  private static final int MIN_COMPACT_LINES = 20_000;

  /** One line: a version, or watermarks. */
  record Line(MetaEntry e, Map<String, Long> w) {}

  /** What a load found: the versions and the watermarks claimed, in the order written. */
  public record Loaded(List<MetaEntry> entries, Map<String, Long> watermarks, int skipped) {}

  private final Path file;
  private final ExecutorService writer;
  /** Touched only by the writer thread. */
  private volatile BufferedWriter out;
  /** Lines appended since the last snapshot (event-loop side). */
  private long lines;

  private ReplicaLog(Path dir) {
    this.file = dir == null ? null : dir.resolve(FILE);
    // At most one thread, so batches are written in order; it ends when idle for a few seconds
    // (and the file is then closed), so a node that stops without closing leaves nothing behind.
    this.writer = new java.util.concurrent.ThreadPoolExecutor(0, 1, 5, TimeUnit.SECONDS,
        new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
          Thread t = new Thread(() -> {
            try {
              r.run();
            } finally {
              closeOut();
            }
          }, "ucp-replica-log");
          t.setDaemon(true);
          return t;
        });
  }

  /** A log in {@code dir} (created if needed); without a data directory, one that keeps nothing. */
  public static ReplicaLog in(Path dir) {
    return new ReplicaLog(dir);
  }

  /** Whether this log keeps anything (it has a data directory). */
  public boolean kept() {
    return file != null;
  }

  /** Reads the log (blocking: call it off the event loop). An absent file is an empty log. */
  public Loaded load() {
    List<MetaEntry> entries = new ArrayList<>();
    Map<String, Long> marks = new TreeMap<>();
    int skipped = 0;
    if (file == null || !Files.exists(file)) {
      return new Loaded(entries, marks, 0);
    }
    try (var reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String text;
      while ((text = reader.readLine()) != null) {
        if (text.isBlank()) {
          continue;
        }
        try {
          Line line = JsonCodec.MAPPER.readValue(text, Line.class);
          if (line.e() != null) {
            entries.add(line.e());
          }
          if (line.w() != null) {
            line.w().forEach((origin, mark) -> marks.merge(origin, mark, Math::max));
          }
        } catch (JsonProcessingException | RuntimeException torn) {
          skipped++;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return new Loaded(entries, marks, skipped);
  }

  /** Appends versions (and watermark claims, if any) as one batch; turned into text on the log's thread. */
  public void append(List<MetaEntry> entries, Map<String, Long> caughtUp) {
    if (file == null || (entries.isEmpty() && caughtUp.isEmpty())) {
      return;
    }
    List<Line> batch = new ArrayList<>(entries.size() + 1);
    for (MetaEntry e : entries) {
      batch.add(new Line(e, null));
    }
    if (!caughtUp.isEmpty()) {
      batch.add(new Line(null, Map.copyOf(caughtUp)));
    }
    lines += batch.size();
    writer.execute(() -> write(batch));
  }

  /** Whether the log has grown enough past a replica of {@code size} keys to be rewritten. */
  public boolean due(int size) {
    return file != null && lines > Math.max(MIN_COMPACT_LINES, 2L * size);
  }

  /**
   * Rewrites the file as {@code snapshot} and {@code watermarks} (taken from the replica on its
   * own thread), atomically: written beside it, forced, then moved over it. Batches appended
   * after this call go to the new file.
   */
  public void snapshot(List<MetaEntry> snapshot, Map<String, Long> watermarks) {
    if (file == null) {
      return;
    }
    List<MetaEntry> entries = List.copyOf(snapshot);
    Map<String, Long> marks = Map.copyOf(watermarks);
    lines = 0;
    writer.execute(() -> {
      Path tmp = file.resolveSibling(FILE + ".tmp");
      try {
        closeOut();
        Files.createDirectories(file.getParent());
        try (var channel = java.nio.channels.FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING); var w = new BufferedWriter(java.nio.channels.Channels.newWriter(channel,
            StandardCharsets.UTF_8))) {
          w.write(json(new Line(null, marks)));
          w.write('\n');
          for (MetaEntry e : entries) {
            w.write(json(new Line(e, null)));
            w.write('\n');
          }
          w.flush();
          channel.force(true);
        }
        FolderSync.replace(tmp, file);
      } catch (IOException e) {
        LOG.log(Level.WARNING, "cannot write or force the replica snapshot " + file + "; appending to whichever log is in place", e);
      }
    });
  }

  private void write(List<Line> batch) {
    try {
      if (out == null) {
        Files.createDirectories(file.getParent());
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      }
      for (Line line : batch) {
        out.write(json(line));
        out.write('\n');
      }
      out.flush();
    } catch (IOException e) {
      LOG.log(Level.WARNING, "cannot append to " + file + " (a restart will need a peer's replica)", e);
      closeOut();
    }
  }

  private void closeOut() {
    if (out != null) {
      try {
        out.close();
      } catch (IOException ignored) {
        // the next batch opens it again
      }
      out = null;
    }
  }

  /** Writes what is queued, then closes the file. */
  @Override
  public void close() {
    writer.execute(this::closeOut);
    writer.shutdown();
    try {
      writer.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String json(Line line) {
    try {
      return JsonCodec.MAPPER.writeValueAsString(line);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
