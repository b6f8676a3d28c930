package org.ucp.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The harness's own small HTTP client (java.net.http), so that the chaos package depends on no
 * role package. Every call has a deadline: a frozen node accepts a connection and never answers.
 */
final class Http {
  /** A response: status, body, and the {@code X-UCP-SHA256} header when there is one. */
  record Answer(int status, byte[] body, String sha256) {
    String text() {
      return new String(body, java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  private final HttpClient client = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2))
      .version(HttpClient.Version.HTTP_1_1)
      .build();

  private volatile String token;

  /** Sends {@code Authorization: Bearer token} from now on (null: nothing). */
  void useToken(String token) {
    this.token = token;
  }

  private HttpRequest.Builder request(String url, Duration timeout) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(timeout);
    String t = token;
    return t == null ? b : b.header("authorization", "Bearer " + t);
  }

  Answer get(String url, Duration timeout) throws IOException {
    return send(request(url, timeout).GET().build());
  }

  CompletableFuture<Answer> getAsync(String url, Duration timeout) {
    return client.sendAsync(request(url, timeout).GET().build(), HttpResponse.BodyHandlers.ofByteArray()).thenApply(Http::answer);
  }

  Answer put(String url, byte[] body, Duration timeout) throws IOException {
    return send(request(url, timeout).PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build());
  }

  CompletableFuture<Answer> postJsonAsync(String url, String json, Duration timeout) {
    HttpRequest request = request(url, timeout)
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build();
    return client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()).thenApply(Http::answer);
  }

  private Answer send(HttpRequest request) throws IOException {
    try {
      return answer(client.send(request, HttpResponse.BodyHandlers.ofByteArray()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static Answer answer(HttpResponse<byte[]> r) {
    return new Answer(r.statusCode(), r.body(), r.headers().firstValue("x-ucp-sha256").orElse(null));
  }

  /** A short name for why a call failed, for the refused-submission tally. */
  static String reason(Throwable t) {
    Throwable c = t;
    while ((c instanceof java.util.concurrent.CompletionException || c instanceof java.util.concurrent.ExecutionException)
        && c.getCause() != null) {
      c = c.getCause();
    }
    if (c instanceof HttpTimeoutException) {
      return "timeout (outcome unknown)";
    }
    if (c instanceof java.net.ConnectException) {
      return "connection refused";
    }
    String m = c.getMessage();
    return c.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }
}
