package org.ucp.testing;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** A server-sent event stream read on its own thread, event by event, each with when it arrived. */
public final class EventStream implements AutoCloseable {
  /** One event. */
  public record Event(String name, String id, String data, long at) {
    public JsonObject json() {
      return new JsonObject(data);
    }
  }

  public final int status;
  private final List<Event> events = new ArrayList<>();
  private final InputStream body;
  private final Thread reader;
  private volatile boolean closed;

  /** Opens {@code url} with {@code Accept: text/event-stream} (and {@code Last-Event-ID} when not null). */
  public EventStream(String url, String lastEventId) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("accept", "text/event-stream");
    if (lastEventId != null) {
      request.header("last-event-id", lastEventId);
    }
    HttpResponse<InputStream> response = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    status = response.statusCode();
    body = response.body();
    reader = new Thread(this::read, "sse-reader");
    reader.start();
  }

  private void read() {
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      String name = null;
      String id = null;
      StringBuilder data = new StringBuilder();
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (line.isEmpty()) {
          if (name != null) {
            synchronized (events) {
              events.add(new Event(name, id, data.toString(), System.currentTimeMillis()));
            }
          }
          name = null;
          id = null;
          data.setLength(0);
        } else if (line.startsWith("event: ")) {
          name = line.substring(7);
        } else if (line.startsWith("id: ")) {
          id = line.substring(4);
        } else if (line.startsWith("data: ")) {
          data.append(line.substring(6));
        }
      }
    } catch (IOException broken) {
      // closed by the test
    } finally {
      closed = true;
    }
  }

  /** Every event so far. */
  public List<Event> all() {
    synchronized (events) {
      return List.copyOf(events);
    }
  }

  /** The first event that matches, waiting up to {@code timeout} for it. */
  public Event await(Duration timeout, String what, Predicate<Event> match) {
    return Poll.until(timeout, () -> what + "; events so far: " + all(), () -> all().stream().filter(match).findFirst().orElse(null));
  }

  /** Waits until the server closed the stream. */
  public void awaitClosed(Duration timeout) {
    Poll.until(timeout, () -> "the stream to close; events: " + all(), () -> closed ? true : null);
  }

  /** The {@code text} of every event named {@code name} from {@code from} on, in order. */
  public String text(String name, int from) {
    StringBuilder text = new StringBuilder();
    List<Event> all = all();
    all.subList(Math.min(from, all.size()), all.size()).stream().filter(e -> e.name().equals(name))
        .forEach(e -> text.append(e.json().getString("text")));
    return text.toString();
  }

  public String text(String name) {
    return text(name, 0);
  }

  @Override
  public void close() throws IOException {
    body.close();
    try {
      reader.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
