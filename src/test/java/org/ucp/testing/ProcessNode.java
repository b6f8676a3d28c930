package org.ucp.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A UCP node in a separate JVM, started from the test classpath with {@code Main node}, for the
 * tests that crash (kill -9), freeze (SIGSTOP) and resume (SIGCONT) real processes. Only the
 * processes a test started are signalled; {@link #close()} kills what is left.
 */
public final class ProcessNode implements AutoCloseable {
  private static final Pattern HTTP = Pattern.compile("HTTP on port (\\d+)");

  private final String id;
  private final Process process;
  private final Path log;

  private ProcessNode(String id, Process process, Path log) {
    this.id = id;
    this.process = process;
    this.log = log;
  }

  /**
   * Starts a node and waits until it reports itself up.
   *
   * @param config {@code ucp.*} keys passed as system properties
   */
  public static ProcessNode start(String id, Path dataDir, String roles, String clusterName, int clusterPort,
      String members, Map<String, String> config) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-Dhazelcast.phone.home.enabled=false");
    config.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("org.ucp.app.Main");
    cmd.addAll(List.of("node", "--id", id, "--roles", roles, "--data-dir", dataDir.toString(),
        "--cluster-name", clusterName, "--cluster-port", String.valueOf(clusterPort), "--join", members,
        "--http-port", "0"));
    try {
      Files.createDirectories(dataDir);
      Path log = dataDir.resolveSibling(id + ".log");
      Process process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      ProcessNode node = new ProcessNode(id, process, log);
      node.awaitLog("ucp: node " + id + " running", Duration.ofSeconds(60));
      return node;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String id() {
    return id;
  }

  public long pid() {
    return process.pid();
  }

  /** The node's output so far. */
  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "";
    }
  }

  public int httpPort() {
    Matcher m = HTTP.matcher(log());
    if (!m.find()) {
      throw new IllegalStateException(id + " has no HTTP port in its log");
    }
    return Integer.parseInt(m.group(1));
  }

  /** Waits until the log contains {@code text}; fails early, with the log, if the process dies. */
  public void awaitLog(String text, Duration timeout) {
    Poll.until(timeout, id + " to log '" + text + "'", () -> {
      String out = log();
      if (out.contains(text)) {
        return true;
      }
      if (!process.isAlive()) {
        throw new AssertionError(id + " exited with " + process.exitValue() + " before '" + text + "':\n" + out);
      }
      return null;
    });
  }

  /** kill -9: the process dies at once, with no chance to say goodbye. */
  public void kill9() {
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** SIGTERM: the node's shutdown hook closes it cleanly (leaves the cluster), then the process exits. */
  public void stop() {
    process.destroy();
    try {
      if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
        throw new AssertionError(id + " did not exit within 60 s of SIGTERM:\n" + log());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** SIGSTOP: the process is frozen, its sockets stay open. */
  public void freeze() {
    signal("STOP");
  }

  /** SIGCONT: a frozen process resumes where it was. */
  public void resume() {
    signal("CONT");
  }

  private void signal(String name) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start();
      if (kill.waitFor() != 0) {
        throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public boolean alive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      resume();
      process.destroyForcibly();
      try {
        process.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
