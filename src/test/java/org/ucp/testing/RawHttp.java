package org.ucp.testing;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Plain HTTP for tests that check status codes and error bodies. */
public final class RawHttp {
  private final String base;
  private final java.util.Map<String, String> always;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  public RawHttp(String base) {
    this(base, java.util.Map.of());
  }

  private RawHttp(String base, java.util.Map<String, String> always) {
    this.base = base;
    this.always = always;
  }

  /** The same, sending {@code name: value} on every request. */
  public RawHttp withHeader(String name, String value) {
    java.util.Map<String, String> headers = new java.util.HashMap<>(always);
    headers.put(name, value);
    return new RawHttp(base, java.util.Map.copyOf(headers));
  }

  /** The same, with {@code Authorization: Bearer token} on every request. */
  public RawHttp withToken(String token) {
    return withHeader("authorization", "Bearer " + token);
  }

  public record Response(int status, byte[] body) {
    public String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    public JsonObject json() {
      return new JsonObject(text());
    }
  }

  public Response get(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  public Response delete(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
  }

  public Response post(String path, String body) {
    return send(HttpRequest.newBuilder(URI.create(base + path))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  /** A POST with extra request headers (name, value pairs). */
  public Response post(String path, String body, java.util.Map<String, String> headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(request::header);
    return send(request);
  }

  public Response put(String path, byte[] body) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  private Response send(HttpRequest.Builder request) {
    always.forEach(request::header);
    try {
      HttpResponse<byte[]> r = http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofByteArray());
      return new Response(r.statusCode(), r.body());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
