package org.ucp.cli;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A blocking client of a node's HTTP API, for the command line, the demo and the bench. */
public final class HttpApi {
  private final String base;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();

  public HttpApi(String base) {
    this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
  }

  /** A failed API call: the HTTP status and the server's error text. */
  public static final class ApiException extends RuntimeException {
    private final int status;

    public ApiException(int status, String message) {
      super(message);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }

  public String base() {
    return base;
  }

  /** {@code GET /api/cluster}: brokers and executors with their health. */
  public JsonObject cluster() {
    return json(send(HttpRequest.newBuilder(uri("/api/cluster")).GET()));
  }

  public JsonObject putData(String name, byte[] bytes) {
    return json(send(HttpRequest.newBuilder(uri("/api/data/" + name)).PUT(HttpRequest.BodyPublishers.ofByteArray(bytes))));
  }

  public byte[] getData(String name) {
    return send(HttpRequest.newBuilder(uri("/api/data/" + name)).GET());
  }

  /** Submits a job and returns {@code {"jobId", "state"}}. */
  public JsonObject submit(JsonObject job) {
    return json(send(HttpRequest.newBuilder(uri("/api/jobs"))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(job.encode()))));
  }

  public JsonObject job(String jobId) {
    return json(send(HttpRequest.newBuilder(uri("/api/jobs/" + jobId)).GET()));
  }

  /** {@code GET /api/jobs}: the first page of jobs, oldest first. */
  public JsonObject jobs() {
    return json(send(HttpRequest.newBuilder(uri("/api/jobs?size=1000")).GET()));
  }

  /** {@code GET /api/conflicts}, as raw JSON. */
  public byte[] conflicts() {
    return send(HttpRequest.newBuilder(uri("/api/conflicts")).GET());
  }

  public byte[] result(String jobId) {
    return send(HttpRequest.newBuilder(uri("/api/jobs/" + jobId + "/result")).GET());
  }

  private URI uri(String path) {
    return URI.create(base + path);
  }

  private static JsonObject json(byte[] body) {
    return new JsonObject(new String(body, java.nio.charset.StandardCharsets.UTF_8));
  }

  private byte[] send(HttpRequest.Builder request) {
    HttpRequest built = request.timeout(Duration.ofSeconds(60)).build();
    try {
      HttpResponse<byte[]> response = http.send(built, HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() >= 400) {
        String text = new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
        String message;
        try {
          message = new JsonObject(text).getString("error", text);
        } catch (RuntimeException notJson) {
          message = text;
        }
        throw new ApiException(response.statusCode(), built.method() + " " + built.uri().getPath() + ": " + message);
      }
      return response.body();
    } catch (ConnectException e) {
      throw new ApiException(0, "cannot reach " + base + " (is a node with the web role running?)");
    } catch (IOException e) {
      throw new ApiException(0, "talking to " + base + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(0, "interrupted");
    }
  }
}
