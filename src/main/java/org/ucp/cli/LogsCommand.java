package org.ucp.cli;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.ucp.config.Args;

/**
 * {@code logs ID [-f] [--stderr]}: a job's stdout (or stderr) as it is now, exactly as the program
 * wrote it; with {@code -f} followed as server-sent events while the job runs, until it ends. A
 * followed stream that breaks off is taken up again where it left off ({@code Last-Event-ID}).
 */
final class LogsCommand {
  static final String USAGE = "logs ID [-f] [--stderr]";
  /** Connections in a row that bring no output before a broken-off stream is given up. */
  private static final int RECONNECTS = 5;

  private LogsCommand() {}

  static int run(Session s) {
    String id = s.positional(USAGE, 1).get(0);
    if (s.json()) {
      throw new Args.UsageException("logs prints the job's own output, which is no JSON (status ID --json describes the job)");
    }
    String stream = s.flags().has("--stderr") ? "stderr" : "stdout";
    if (!s.flags().has("--follow")) {
      s.api().logsTo(id, stream, s.out());
      s.out().flush();
      return 0;
    }
    String lastId = null;
    for (int fruitless = 0; ; ) {
      Read read = new Read(lastId);
      try (InputStream events = s.api().logEvents(id, stream, lastId)) {
        read.all(events, s);
      } catch (IOException e) {
        read.broke = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      }
      if (read.ended) {
        return 0;
      }
      fruitless = read.events > 0 ? 0 : fruitless + 1;
      if (fruitless >= RECONNECTS) {
        throw new CliException("the log stream of " + id + " from " + s.api().base() + " broke off"
            + (read.broke == null ? "" : ": " + read.broke));
      }
      lastId = read.lastId;
      JobCommands.pause(500L * fruitless);
    }
  }

  /** One connection's events. */
  private static final class Read {
    String lastId;
    int events;
    boolean ended;
    String broke;

    Read(String lastId) {
      this.lastId = lastId;
    }

    /** Writes the text of every output event to stdout until {@code end} (or the stream breaks). */
    void all(InputStream in, Session s) throws IOException {
      BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      String event = null;
      String id = null;
      StringBuilder data = new StringBuilder();
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (line.startsWith("event:")) {
          event = line.substring(6).strip();
        } else if (line.startsWith("id:")) {
          id = line.substring(3).strip();
        } else if (line.startsWith("data:")) {
          data.append(line.substring(line.startsWith("data: ") ? 6 : 5));
        } else if (line.isEmpty() && event != null) {
          handle(event, data.toString(), s);
          // Progress is output: a reconnection always begins with its attempt again.
          events += event.equals("stdout") || event.equals("stderr") ? 1 : 0;
          lastId = id == null ? lastId : id;
          if (ended) {
            return;
          }
          event = null;
          id = null;
          data.setLength(0);
        }
      }
    }

    private void handle(String event, String data, Session s) {
      switch (event) {
        case "stdout", "stderr" -> {
          byte[] text = json(data).getString("text", "").getBytes(StandardCharsets.UTF_8);
          s.out().write(text, 0, text.length);
          s.out().flush();
        }
        case "end" -> ended = true;
        case "failure" -> throw new CliException(json(data).getString("error", "reading the logs failed"));
        default -> {
          // "attempt": a new attempt's output follows the last one's
        }
      }
    }

    private static JsonObject json(String data) {
      try {
        return new JsonObject(data);
      } catch (DecodeException e) {
        throw new CliException("the node sent a log event that is no JSON: " + JobCommands.firstLine(e.getMessage()));
      }
    }
  }
}
