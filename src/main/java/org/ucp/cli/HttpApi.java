package org.ucp.cli;

import io.vertx.core.json.JsonObject;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.ucp.model.DataName;
import org.ucp.model.ValidationException;

/** A blocking client of a node's HTTP API, for the command line, the demo and the bench. */
public final class HttpApi {
  private final String base;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).version(HttpClient.Version.HTTP_1_1).build();

  private final String token;

  public HttpApi(String base) {
    this(base, null);
  }

  /** @param token a client token sent as {@code Authorization: Bearer}, or null */
  public HttpApi(String base, String token) {
    this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    this.token = token == null || token.isBlank() ? null : token.strip();
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
    return json(send(HttpRequest.newBuilder(uri(dataPath(name))).PUT(HttpRequest.BodyPublishers.ofByteArray(bytes))));
  }

  public byte[] getData(String name) {
    return send(HttpRequest.newBuilder(uri(dataPath(name))).GET());
  }

  /** Submits a job and returns {@code {"jobId", "state"}}. */
  public JsonObject submit(JsonObject job) {
    return json(send(HttpRequest.newBuilder(uri("/api/jobs"))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(job.encode()))));
  }

  public JsonObject job(String jobId) {
    return json(send(HttpRequest.newBuilder(uri(jobPath(jobId))).GET()));
  }

  /** {@code DELETE /api/jobs/{id}}: the job, now CANCELLED. */
  public JsonObject cancel(String jobId) {
    return json(send(HttpRequest.newBuilder(uri(jobPath(jobId))).DELETE()));
  }

  /** {@code GET /api/jobs}: the first page of jobs, oldest first. */
  public JsonObject jobs() {
    return json(send(HttpRequest.newBuilder(uri("/api/jobs?size=1000")).GET()));
  }

  /**
   * {@code GET /api/jobs?state=&limit=&after=}: up to {@code limit} jobs, newest first, after the
   * cursor {@code after} (null: from the newest); the answer's {@code next} is the next cursor.
   */
  public JsonObject newestJobs(String state, int limit, String after) {
    String query = "?limit=" + limit + (state == null ? "" : "&state=" + URLEncoder.encode(state, StandardCharsets.UTF_8))
        + (after == null ? "" : "&after=" + URLEncoder.encode(after, StandardCharsets.UTF_8));
    return json(send(HttpRequest.newBuilder(uri("/api/jobs" + query)).GET()));
  }

  /** {@code GET /api/conflicts}, as raw JSON. */
  public byte[] conflicts() {
    return send(HttpRequest.newBuilder(uri("/api/conflicts")).GET());
  }

  public byte[] result(String jobId) {
    return send(HttpRequest.newBuilder(uri(jobPath(jobId) + "/result")).GET());
  }

  /** Streams the job's result zip into {@code file}; returns its size. */
  public long resultTo(String jobId, Path file) {
    return download(HttpRequest.newBuilder(uri(jobPath(jobId) + "/result")).GET(), file);
  }

  /** Streams the job's result zip into {@code out}. */
  public void resultTo(String jobId, java.io.OutputStream out) {
    stream(HttpRequest.newBuilder(uri(jobPath(jobId) + "/result")).GET(), out);
  }

  /** {@code GET /api/jobs/{id}/logs?follow=false}: the job's {@code stream} (stdout or stderr) as it is now, into {@code out}. */
  public void logsTo(String jobId, String stream, java.io.OutputStream out) {
    stream(HttpRequest.newBuilder(uri(jobPath(jobId) + "/logs?follow=false&stream=" + stream)).GET(), out);
  }

  /**
   * {@code GET /api/jobs/{id}/logs} as server-sent events, followed: the open event stream (the
   * caller closes it). With {@code lastEventId} (the last id seen) it resumes after that event.
   */
  public java.io.InputStream logEvents(String jobId, String stream, String lastEventId) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(jobPath(jobId) + "/logs?stream=" + stream))
        .header("accept", "text/event-stream").GET();
    if (lastEventId != null) {
      request.header("last-event-id", lastEventId);
    }
    HttpRequest built = authorized(request).timeout(Duration.ofSeconds(60)).build();
    HttpResponse<java.io.InputStream> response = call(() -> http.send(built, HttpResponse.BodyHandlers.ofInputStream()));
    if (response.statusCode() >= 400) {
      try (java.io.InputStream in = response.body()) {
        throw failure(built, response.statusCode(), in.readAllBytes());
      } catch (IOException e) {
        throw new ApiException(response.statusCode(), "talking to " + base + ": " + e.getMessage());
      }
    }
    return response.body();
  }

  /** Streams named data into {@code out}. */
  public void getDataTo(String name, java.io.OutputStream out) {
    stream(HttpRequest.newBuilder(uri(dataPath(name))).GET(), out);
  }

  private void stream(HttpRequest.Builder request, java.io.OutputStream out) {
    HttpRequest built = authorized(request).timeout(Duration.ofSeconds(60)).build();
    HttpResponse<java.io.InputStream> response = call(() -> http.send(built, HttpResponse.BodyHandlers.ofInputStream()));
    try (java.io.InputStream in = response.body()) {
      if (response.statusCode() >= 400) {
        throw failure(built, response.statusCode(), in.readAllBytes());
      }
      in.transferTo(out);
    } catch (IOException e) {
      throw new ApiException(0, "download from " + base + " broke off: " + e.getMessage());
    }
  }

  /** Streams {@code file} into named data without reading it into memory; returns the stored entry. */
  public JsonObject putFile(String name, Path file) {
    try {
      return json(send(HttpRequest.newBuilder(uri(dataPath(name))).PUT(HttpRequest.BodyPublishers.ofFile(file))));
    } catch (FileNotFoundException e) {
      throw new ApiException(0, "cannot read " + file + ": no such file");
    }
  }

  /** Streams named data into {@code file}; returns its size. */
  public long getDataTo(String name, Path file) {
    return download(HttpRequest.newBuilder(uri(dataPath(name))).GET(), file);
  }

  /** {@code GET /api/data?prefix=&page=&size=}: one page of names. */
  public JsonObject listData(String prefix, int page, int size) {
    String query = "?prefix=" + URLEncoder.encode(prefix, StandardCharsets.UTF_8) + "&page=" + page + "&size=" + size;
    return json(send(HttpRequest.newBuilder(uri("/api/data" + query)).GET()));
  }

  /** {@code POST /api/emergency}: declares a cluster-wide emergency. */
  public JsonObject declareEmergency(String level, String reason) {
    JsonObject body = new JsonObject().put("level", level).put("reason", reason);
    return json(send(HttpRequest.newBuilder(uri("/api/emergency"))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.encode()))));
  }

  /** {@code DELETE /api/emergency}. */
  public JsonObject clearEmergency() {
    return json(send(HttpRequest.newBuilder(uri("/api/emergency")).DELETE()));
  }

  /**
   * Streams a response body into {@code file} through a {@code .part} file beside it, so a failed
   * or broken download never leaves a wrong file under the asked-for name.
   */
  private long download(HttpRequest.Builder request, Path file) {
    HttpRequest built = authorized(request).timeout(Duration.ofSeconds(60)).build();
    Path part = file.resolveSibling(file.getFileName() + ".part");
    try {
      HttpResponse<Path> response = call(() -> http.send(built, HttpResponse.BodyHandlers.ofFile(part)));
      if (response.statusCode() >= 400) {
        byte[] body = Files.readAllBytes(part);
        throw failure(built, response.statusCode(), body);
      }
      Files.move(part, file, StandardCopyOption.REPLACE_EXISTING);
      return Files.size(file);
    } catch (IOException e) {
      throw new ApiException(0, "cannot write " + file + ": " + e.getMessage());
    } finally {
      try {
        Files.deleteIfExists(part);
      } catch (IOException e) {
        // Best effort: a leftover .part file names itself.
      }
    }
  }

  /**
   * The path of a data name, checked here as the node would check it (so a name like
   * {@code ../x} gets the node's reason, not whatever the path it normalises to finds), each
   * segment percent-encoded.
   */
  private static String dataPath(String name) {
    try {
      DataName.validate("name", name);
    } catch (ValidationException e) {
      throw new ApiException(400, e.getMessage());
    }
    return "/api/data/" + encodeSegments(name);
  }

  /** The path of a job id, percent-encoded (an id with a space or % is no id, and the node says so). */
  private static String jobPath(String jobId) {
    if (jobId.isEmpty()) {
      throw new ApiException(400, "id: a job id is needed");
    }
    return "/api/jobs/" + encodeSegments(jobId).replace("/", "%2F");
  }

  private static String encodeSegments(String path) {
    return java.util.Arrays.stream(path.split("/", -1))
        .map(segment -> URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"))
        .collect(java.util.stream.Collectors.joining("/"));
  }

  private URI uri(String path) {
    return URI.create(base + path);
  }

  private static JsonObject json(byte[] body) {
    return new JsonObject(new String(body, StandardCharsets.UTF_8));
  }

  private HttpRequest.Builder authorized(HttpRequest.Builder request) {
    return token == null ? request : request.header("authorization", "Bearer " + token);
  }

  private byte[] send(HttpRequest.Builder request) {
    HttpRequest built = authorized(request).timeout(Duration.ofSeconds(60)).build();
    HttpResponse<byte[]> response = call(() -> http.send(built, HttpResponse.BodyHandlers.ofByteArray()));
    if (response.statusCode() >= 400) {
      throw failure(built, response.statusCode(), response.body());
    }
    return response.body();
  }

  private static ApiException failure(HttpRequest request, int status, byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8).strip();
    String message;
    try {
      message = new JsonObject(text).getString("error", text);
    } catch (RuntimeException notJson) {
      message = text;
    }
    if (message.isEmpty()) {
      message = "HTTP " + status + (status == 414 ? " (the address is too long)" : "");
    }
    String hint = status == 401 && request.headers().firstValue("authorization").isEmpty()
        ? " (give --token TOKEN or set UCP_TOKEN)" : "";
    String path = request.uri().getRawPath();
    path = path.length() <= 80 ? path : path.substring(0, 80) + "...";
    return new ApiException(status, request.method() + " " + path + ": " + message + hint);
  }

  /** One HTTP exchange. */
  private interface Exchange<T> {
    HttpResponse<T> run() throws IOException, InterruptedException;
  }

  /** Runs an exchange, turning transport failures into one line that names the node's URL. */
  private <T> HttpResponse<T> call(Exchange<T> exchange) {
    try {
      return exchange.run();
    } catch (ConnectException e) {
      throw new ApiException(0, "cannot reach " + base + " (is a node with the web role running?)");
    } catch (IOException e) {
      String detail = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
      throw new ApiException(0, "talking to " + base + ": " + detail);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(0, "interrupted");
    }
  }
}
