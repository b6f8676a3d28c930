package org.ucp.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.app.Embedded;
import org.ucp.app.Node;
import org.ucp.testing.ControlNode;
import org.ucp.testing.Poll;
import org.ucp.testing.RawHttp;
import org.ucp.testing.Wasm;
import org.ucp.testing.WebDriver;

/**
 * The dashboard in a real headless Chromium: it is opened on a cluster with no executor, and
 * without any reload it shows the executor that joins afterwards, a job submitted through the API
 * reaching COMPLETED, that job's attempt timeline and output, the emergency banner, and a running
 * job's output as it is written. Leaves a screenshot in
 * {@code target/dashboard.png} and {@code docs/dashboard.png}.
 *
 * <p>Run with {@code ./mvnw verify -Pbrowser}; skipped when {@code chromedriver} is not installed.
 */
@Tag("browser")
@Timeout(240)
class DashboardBrowserTest {
  private static final Duration SEEN = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void theDashboardFollowsTheClusterLiveWithoutReloading() throws IOException {
    Optional<Path> chromedriver = WebDriver.find();
    assumeTrue(chromedriver.isPresent(), "chromedriver is not installed (apt-get install chromium chromium-driver)");
    Files.createDirectories(Path.of("target"));

    ControlNode control = new ControlNode(dir, 2);
    Node executor = null;
    try (WebDriver browser = WebDriver.start(chromedriver.get(), Path.of("target", "chromedriver.log"))) {
      browser.navigate(control.api.base() + "/");
      Poll.until(SEEN, "the first snapshot on the page", () -> number(browser, "return window.ucpDashboard.snapshots") >= 1 ? true : null);
      Object loadId = browser.execute("return window.ucpDashboard.loadId");
      assertNull(browser.text("#executors tr[data-id='exec-1']"), "no executor yet");
      Poll.until(SEEN, "the control node's broker on the page",
          () -> browser.text("#brokers tr[data-id='control']") != null ? true : null);

      executor = control.inProcess(dir, "exec-1", 1, "executor", Map.of());
      String row = Poll.until(SEEN, "exec-1 ALIVE on the page", () -> {
        String text = browser.text("#executors tr[data-id='exec-1']");
        return text != null && text.contains("ALIVE") ? text : null;
      });
      assertTrue(row.contains("0 / "), "no job running yet: " + row);

      control.api.putData("apps/smoke.wasm", Wasm.bytes("smoke"));
      control.api.putData("demo/data.txt", "hello dashboard\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      String jobId = control.submit(new JsonObject().put("module", "apps/smoke.wasm")
          .put("args", new JsonArray().add("from").add("the dashboard test"))
          .put("inputs", new JsonObject().put("/in/data.txt", "demo/data.txt"))
          .put("results", new JsonArray().add("/out/result.txt")));
      String jobRow = "#jobs tr[data-id='" + jobId + "']";
      Poll.until(SEEN, "job " + jobId + " COMPLETED on the page", () -> {
        String state = browser.text(jobRow + " .state");
        return "COMPLETED".equals(state) ? state : null;
      });
      assertTrue(browser.text(jobRow).contains("#1 · exit 0"), browser.text(jobRow));

      browser.click(jobRow);
      String attempt = Poll.until(SEEN, "the attempt timeline of " + jobId, () -> browser.text("#detail li.ACCEPTED[data-attempt='1']"));
      assertTrue(attempt.contains("on exec-1"), attempt);
      assertTrue(browser.text("#detail .facts").contains(jobId), browser.text("#detail .facts"));
      // A finished job's output comes from its result.
      Poll.until(SEEN, "the output of " + jobId, () -> String.valueOf(browser.text("#detail .log-state")).startsWith("ended: COMPLETED") ? true : null);
      String output = browser.text("#detail .log-text");
      assertTrue(output.contains("argv[1]=from") && output.contains("smoke: done"), output);

      RawHttp.Response declared = new RawHttp(control.api.base())
          .post("/api/emergency", "{\"level\":\"HIGH\",\"reason\":\"flood on the river front\"}");
      assertEquals(200, declared.status(), declared.text());
      String banner = Poll.until(SEEN, "the emergency banner", () -> {
        Object shown = browser.execute("const b = document.getElementById('emergency'); return b.hidden ? null : b.textContent");
        return shown == null ? null : shown.toString();
      });
      assertTrue(banner.contains("HIGH") && banner.contains("flood on the river front"), banner);
      Poll.until(SEEN, "the decision statistics", () -> browser.text("#conflicts").contains("ACCEPTED") ? true : null);

      // A job that fails (its module is missing) shows why, not an exit code it never had.
      String failedId = control.submit(new JsonObject().put("module", "apps/missing.wasm"));
      String failedRow = "#jobs tr[data-id='" + failedId + "']";
      Poll.until(SEEN, "job " + failedId + " FAILED on the page", () -> "FAILED".equals(browser.text(failedRow + " .state")) ? true : null);
      String failedText = Poll.until(SEEN, "the failed job's reason", () -> {
        String text = browser.text(failedRow);
        return text != null && !text.contains("exit none") && (text.contains("missing") || text.contains("failed")) ? text : null;
      });
      assertTrue(!failedText.contains("exit none"), failedText);

      // Narrowed to FAILED jobs, then to an id prefix: only the matching rows stay.
      browser.execute("const s = document.getElementById('job-state'); s.value = 'FAILED'; s.dispatchEvent(new Event('input'))");
      Poll.until(SEEN, "only failed jobs listed", () -> browser.text(jobRow) == null && browser.text(failedRow) != null ? true : null);
      browser.execute("const s = document.getElementById('job-state'); s.value = ''; s.dispatchEvent(new Event('input'));"
          + "const q = document.getElementById('job-search'); q.value = arguments[0]; q.dispatchEvent(new Event('input'))",
          jobId.substring(0, 8));
      Poll.until(SEEN, "only the job with that id prefix listed", () -> browser.text(jobRow) != null && browser.text(failedRow) == null ? true : null);

      // A running job's output appears as it is written, and the view says when the job ended.
      browser.execute("const q = document.getElementById('job-search'); q.value = ''; q.dispatchEvent(new Event('input'))");
      control.api.putData("apps/ticker.wasm", Wasm.bytes("ticker"));
      String tickerId = control.submit(new JsonObject().put("module", "apps/ticker.wasm").put("args", new JsonArray().add("4").add("1500")));
      String tickerRow = "#jobs tr[data-id='" + tickerId + "']";
      Poll.until(SEEN, "job " + tickerId + " running on the page", () -> "RUNNING".equals(browser.text(tickerRow + " .state")) ? true : null);
      browser.click(tickerRow);
      Poll.until(SEEN, "tick 1 in the output view", () -> String.valueOf(browser.text("#detail .log-text")).contains("tick 1") ? true : null);
      assertEquals("RUNNING", control.api.job(tickerId).getString("state"), "tick 1 was shown while the job ran");
      assertEquals("following", browser.text("#detail .log-state"));
      Poll.until(SEEN, "the end of " + tickerId + " in the output view",
          () -> String.valueOf(browser.text("#detail .log-state")).startsWith("ended: COMPLETED, exit 0") ? true : null);
      String ticks = browser.text("#detail .log-text");
      assertTrue(ticks.startsWith("— attempt 1 on exec-1 —") && ticks.contains("tick 4") && ticks.contains("tock 4")
          && ticks.contains("ticker done"), ticks);
      assertEquals("tock 1\ntock 2\ntock 3\ntock 4\n",
          browser.execute("return Array.from(document.querySelectorAll('#detail .log-text .stderr')).map(s => s.textContent).join('')"),
          "stderr is told apart: " + ticks);

      // Cancel from the job panel: the running job ends CANCELLED, its output view says so.
      String longId = control.submit(new JsonObject().put("module", "apps/ticker.wasm").put("args", new JsonArray().add("200").add("1500")));
      String longRow = "#jobs tr[data-id='" + longId + "']";
      Poll.until(SEEN, "job " + longId + " running on the page", () -> "RUNNING".equals(browser.text(longRow + " .state")) ? true : null);
      browser.click(longRow);
      Poll.until(SEEN, "the cancel button of " + longId, () -> browser.text("#detail button.cancel") != null ? true : null);
      browser.click("#detail button.cancel");
      Poll.until(SEEN, "job " + longId + " CANCELLED on the page", () -> "CANCELLED".equals(browser.text(longRow + " .state")) ? true : null);
      assertEquals("CANCELLED", control.api.job(longId).getString("state"));
      assertEquals("CANCELLED", control.api.job(longId).getJsonArray("attempts").getJsonObject(0).getString("outcome"),
          "its running attempt was stopped");
      Poll.until(SEEN, "the output view to say it ended", () -> String.valueOf(browser.text("#detail .log-state")).startsWith("ended: CANCELLED") ? true : null);
      Poll.until(SEEN, "the panel to show the job cancelled, without its button",
          () -> browser.text("#detail button.cancel") == null && String.valueOf(browser.text("#detail .facts .state")).contains("CANCELLED") ? true : null);

      assertEquals(loadId, browser.execute("return window.ucpDashboard.loadId"), "the page was never reloaded");
      assertTrue(number(browser, "return window.ucpDashboard.snapshots") > 3, "the page followed several snapshots");

      byte[] png = browser.screenshot();
      Path shot = Files.write(Path.of("target", "dashboard.png"), png);
      Files.createDirectories(Path.of("docs"));
      Files.copy(shot, Path.of("docs", "dashboard.png"), StandardCopyOption.REPLACE_EXISTING);
    } finally {
      if (executor != null) {
        Embedded.await(executor.close(), 30);
      }
      control.close();
    }
  }

  /**
   * On a node with client tokens the page loads, asks for a token once (a wrong one is asked for
   * again), keeps it in its cookie and then follows the cluster; the API itself still refuses a
   * request without one.
   */
  @Test
  void theDashboardAsksForATokenOnceAndThenFollowsTheCluster() {
    Optional<Path> chromedriver = WebDriver.find();
    assumeTrue(chromedriver.isPresent(), "chromedriver is not installed (apt-get install chromium chromium-driver)");
    Path tokens = dir.resolve("tokens.json");
    String reader = org.ucp.security.ClientTokens.create(tokens, "viewer", org.ucp.security.ClientRole.READ);
    ControlNode control = new ControlNode(dir, 2, "broker,arbiter,datastore,web", Map.of("security.tokens", tokens.toString()));
    try (WebDriver browser = WebDriver.start(chromedriver.get(), Path.of("target", "chromedriver-tokens.log"))) {
      browser.navigate(control.api.base() + "/");
      String asked = Poll.until(SEEN, "the page to ask for a token", browser::promptText);
      assertTrue(asked.contains("client token"), asked);
      browser.answerPrompt("ucp_" + "W".repeat(43));
      String again = Poll.until(SEEN, "the page to ask again after a wrong token", browser::promptText);
      assertTrue(again.startsWith("That token was refused"), again);
      browser.answerPrompt(reader);
      Poll.until(SEEN, "the first snapshot on the page", () -> number(browser, "return window.ucpDashboard.snapshots") >= 1 ? true : null);
      Poll.until(SEEN, "the control node's broker on the page",
          () -> browser.text("#brokers tr[data-id='control']") != null ? true : null);
      assertNull(browser.promptText(), "asked once");
      assertEquals(401, new RawHttp(control.api.base()).get("/api/cluster").status(), "the API still needs a token");
    } finally {
      control.close();
    }
  }

  private static long number(WebDriver browser, String script) {
    return ((Number) browser.execute(script)).longValue();
  }
}
