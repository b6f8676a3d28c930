package org.ucp.executor;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.function.Predicate;
import org.ucp.bus.Messages.LogChunk;
import org.ucp.bus.Messages.LogRead;
import org.ucp.model.AttemptRef;
import org.ucp.model.LogStream;

/**
 * The output so far of the attempts this executor holds, read from their capture files (which the
 * runner writes unbuffered and caps at {@code executor.maxOutputKb}): nothing is kept in memory
 * beyond one answer of at most {@link LogRead#MAX_BYTES} per stream. Only an attempt the executor
 * holds is read, so a question never names a path of its own.
 */
final class AttemptLogs {
  private final Vertx vertx;
  private final Workspaces workspaces;
  private final Predicate<AttemptRef> held;

  /** @param held whether the executor holds an attempt (it is running or submitting its result) */
  AttemptLogs(Vertx vertx, Workspaces workspaces, Predicate<AttemptRef> held) {
    this.vertx = vertx;
    this.workspaces = workspaces;
    this.held = held;
  }

  /** Answers a {@link LogRead}; the files are read on a worker thread. */
  Future<LogChunk> read(LogRead ask) {
    AttemptRef ref = new AttemptRef(ask.jobId(), ask.attempt());
    if (!held.test(ref)) {
      return Future.succeededFuture(LogChunk.NONE);
    }
    // The workspace is not emptied or lent to another attempt while it is read.
    return vertx.executeBlocking(() -> workspaces.read(ref, ws -> {
      byte[] out = read(ws.stdout(), ask.from(LogStream.STDOUT), ask.maxBytes());
      byte[] err = read(ws.stderr(), ask.from(LogStream.STDERR), ask.maxBytes());
      // Not there (yet: the attempt is being set up).
      return out == null || err == null ? null : new LogChunk(out, err, true);
    }).orElse(LogChunk.NONE), false);
  }

  /** Up to {@code max} bytes of {@code file} from {@code from} (none when -1); null when the file does not exist. */
  static byte[] read(Path file, long from, int max) throws IOException {
    if (from < 0) {
      return new byte[0];
    }
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      if (from >= size) {
        return new byte[0];
      }
      ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(max, size - from));
      while (buffer.hasRemaining() && channel.read(buffer, from + buffer.position()) > 0) {
        // until the buffer is full or the file ends
      }
      return Arrays.copyOf(buffer.array(), buffer.position());
    } catch (NoSuchFileException gone) {
      return null;
    }
  }
}
