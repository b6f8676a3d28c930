package org.ucp.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * A headless Chromium driven through a {@code chromedriver} process over the W3C WebDriver JSON
 * protocol, with nothing but {@code java.net.http}: enough to open a page, run a script, read an
 * element's text and take a screenshot.
 */
public final class WebDriver implements AutoCloseable {
  /** The W3C name of the key that holds an element reference. */
  private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
  private static final List<String> ARGS = List.of("--headless=new", "--no-sandbox", "--disable-gpu",
      "--disable-background-networking", "--no-first-run", "--window-size=1400,1000");

  private final Process process;
  private final String base;
  private final String session;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  /** {@code chromedriver} from {@code $CHROMEDRIVER} or the {@code PATH}, if installed. */
  public static Optional<Path> find() {
    String explicit = System.getenv("CHROMEDRIVER");
    if (explicit != null && Files.isExecutable(Path.of(explicit))) {
      return Optional.of(Path.of(explicit));
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir.isEmpty() ? "." : dir, "chromedriver");
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** Starts {@code chromedriver} on a free port (its log in {@code log}) and opens a browser session. */
  public static WebDriver start(Path chromedriver, Path log) {
    int port = TestNodes.freePort();
    Process process;
    try {
      process = new ProcessBuilder(chromedriver.toString(), "--port=" + port)
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + chromedriver, e);
    }
    try {
      return new WebDriver(process, "http://127.0.0.1:" + port);
    } catch (RuntimeException | Error e) {
      process.destroy();
      throw e;
    }
  }

  private WebDriver(Process process, String base) {
    this.process = process;
    this.base = base;
    Poll.until(Duration.ofSeconds(20), "chromedriver to be ready", () -> {
      try {
        return call("GET", "/status", null).getJsonObject("value").getBoolean("ready") ? true : null;
      } catch (UncheckedIOException notYet) {
        return null;
      }
    });
    JsonObject chrome = new JsonObject().put("args", new JsonArray(ARGS));
    JsonObject capabilities = new JsonObject().put("alwaysMatch",
        new JsonObject().put("browserName", "chrome").put("goog:chromeOptions", chrome));
    JsonObject created = call("POST", "/session", new JsonObject().put("capabilities", capabilities));
    this.session = "/session/" + created.getJsonObject("value").getString("sessionId");
  }

  public void navigate(String url) {
    call("POST", session + "/url", new JsonObject().put("url", url));
  }

  /** Runs {@code script} (a function body; {@code return} gives the value) in the page. */
  public Object execute(String script, Object... args) {
    JsonObject body = new JsonObject().put("script", script).put("args", new JsonArray(List.of(args)));
    return call("POST", session + "/execute/sync", body).getValue("value");
  }

  /** The rendered text of the first element matching {@code css}, or null when there is none. */
  public String text(String css) {
    return fresh(() -> {
      String id = find(css);
      return id == null ? null : call("GET", session + "/element/" + id + "/text", null).getString("value");
    });
  }

  /** Clicks the first element matching {@code css}. */
  public void click(String css) {
    fresh(() -> {
      String id = find(css);
      if (id == null) {
        throw new WebDriverException("no such element", css);
      }
      return call("POST", session + "/element/" + id + "/click", new JsonObject());
    });
  }

  private String find(String css) {
    try {
      return call("POST", session + "/element", new JsonObject().put("using", "css selector").put("value", css))
          .getJsonObject("value").getString(ELEMENT);
    } catch (WebDriverException e) {
      if ("no such element".equals(e.error)) {
        return null;
      }
      throw e;
    }
  }

  /**
   * Runs {@code action} again when its element was replaced between finding and using it, as a
   * live page that re-renders does.
   */
  private <T> T fresh(java.util.function.Supplier<T> action) {
    for (int i = 0; ; i++) {
      try {
        return action.get();
      } catch (WebDriverException e) {
        if (!"stale element reference".equals(e.error) || i == 4) {
          throw e;
        }
      }
    }
  }

  /** The text of the open alert or prompt, or null when none is open. */
  public String promptText() {
    try {
      return call("GET", session + "/alert/text", null).getString("value");
    } catch (WebDriverException e) {
      if ("no such alert".equals(e.error)) {
        return null;
      }
      throw e;
    }
  }

  /** Types {@code text} into the open prompt and accepts it. */
  public void answerPrompt(String text) {
    call("POST", session + "/alert/text", new JsonObject().put("text", text));
    call("POST", session + "/alert/accept", new JsonObject());
  }

  /** A PNG of the viewport. */
  public byte[] screenshot() {
    return Base64.getDecoder().decode(call("GET", session + "/screenshot", null).getString("value"));
  }

  /** An error answer of the WebDriver protocol, with its W3C error code. */
  public static final class WebDriverException extends RuntimeException {
    public final String error;

    WebDriverException(String error, String message) {
      super(error + ": " + message);
      this.error = error;
    }
  }

  private JsonObject call(String method, String path, JsonObject body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
        .header("content-type", "application/json; charset=utf-8")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode()));
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    JsonObject answer = new JsonObject(response.body());
    if (response.statusCode() != 200) {
      JsonObject value = answer.getJsonObject("value", new JsonObject());
      throw new WebDriverException(value.getString("error", "HTTP " + response.statusCode()), value.getString("message", response.body()));
    }
    return answer;
  }

  @Override
  public void close() {
    try {
      if (session != null) {
        call("DELETE", session, null);
      }
    } catch (RuntimeException e) {
      // The browser is going away with its driver below.
    } finally {
      // Only the processes this driver started: chromedriver and the browser it launched.
      process.descendants().forEach(ProcessHandle::destroy);
      process.destroy();
    }
  }
}
