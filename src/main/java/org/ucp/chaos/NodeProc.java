package org.ucp.chaos;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One node process the harness started: {@code org.ucp.app.Main node} in its own JVM, always under
 * the same id, data directory, ports and (with network faults) network namespace, so a restart is
 * the same node coming back. Only this process is ever signalled, by its pid.
 */
final class NodeProc {
  enum State { STARTING, UP, KILLED, FROZEN, CUT }

  final String id;
  final boolean broker;
  final String roles;
  final Path dataDir;
  final Path log;
  final String host;
  final int httpPort;
  final int clusterPort;
  /** The network namespace it runs in, or null on loopback. */
  final String netns;
  private final List<String> command;
  private volatile Process process;
  private volatile State state = State.STARTING;
  private volatile long logOffset;
  private int starts;

  NodeProc(String id, boolean broker, String roles, Path runDir, String host, int httpPort, int clusterPort,
      String netns, List<String> command) {
    this.id = id;
    this.broker = broker;
    this.roles = roles;
    this.dataDir = runDir.resolve("data").resolve(id);
    this.log = runDir.resolve("logs").resolve(id + ".log");
    this.host = host;
    this.httpPort = httpPort;
    this.clusterPort = clusterPort;
    this.netns = netns;
    this.command = List.copyOf(command);
  }

  String base() {
    return "http://" + host + ":" + httpPort;
  }

  State state() {
    return state;
  }

  void state(State s) {
    state = s;
  }

  boolean up() {
    return state == State.UP;
  }

  long pid() {
    Process p = process;
    return p == null ? -1 : p.pid();
  }

  int starts() {
    return starts;
  }

  /** Launches the JVM (output appended to its log); {@link #awaitUp} tells when it serves. */
  synchronized void start() {
    try {
      Files.createDirectories(dataDir);
      Files.createDirectories(log.getParent());
      logOffset = Files.exists(log) ? Files.size(log) : 0;
      starts++;
      Files.writeString(log, "\n=== chaos: start #" + starts + " of " + id + " ===\n", StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
      state = State.STARTING;
      process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Waits until this start's output says the node runs; false when the process died first or the
   * deadline passed (the caller decides what to do).
   */
  boolean awaitUp(long deadlineMillis) throws InterruptedException {
    String running = "ucp: node " + id + " running";
    while (System.currentTimeMillis() < deadlineMillis) {
      if (logSinceStart().contains(running)) {
        state = State.UP;
        return true;
      }
      Process p = process;
      if (p == null || !p.isAlive()) {
        return false;
      }
      Thread.sleep(100);
    }
    return false;
  }

  boolean alive() {
    Process p = process;
    return p != null && p.isAlive();
  }

  /** The output of the current start, at most the last 4 KB. */
  String logSinceStart() {
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
      long from = Math.max(logOffset, f.length() - 64 * 1024);
      byte[] b = new byte[(int) (f.length() - from)];
      f.seek(from);
      f.readFully(b);
      return new String(b, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  String tail(int chars) {
    String s = logSinceStart();
    return s.length() <= chars ? s : s.substring(s.length() - chars);
  }

  /** kill -9, and wait until the process is gone. */
  void kill9() throws InterruptedException {
    Process p = process;
    state = State.KILLED;
    if (p != null) {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  void freeze() {
    signal("STOP");
    state = State.FROZEN;
  }

  void thaw() {
    signal("CONT");
    state = State.UP;
  }

  private void signal(String name) {
    Process p = process;
    if (p == null || !p.isAlive()) {
      return;
    }
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(p.pid())).redirectErrorStream(true).start();
      kill.getInputStream().readAllBytes();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + name + " " + p.pid() + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** At the end: thaw if frozen, then kill -9 (the harness checks nothing after this). */
  void destroy() {
    Process p = process;
    if (p != null && p.isAlive()) {
      signal("CONT");
      p.destroyForcibly();
      try {
        p.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The command line of a node; the harness's own java and classpath. */
  static List<String> command(String netnsExec, String id, String roles, Path dataDir, String host, int httpPort,
      int clusterPort, String join, String clusterName, Path certs) {
    List<String> cmd = new ArrayList<>();
    if (netnsExec != null) {
      cmd.addAll(List.of(Netns.ip(), "netns", "exec", netnsExec));
    }
    cmd.add(javaBinary());
    cmd.addAll(List.of("-Xmx256m", "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-XX:CICompilerCount=1", "-Xshare:auto",
        "-Dhazelcast.phone.home.enabled=false",
        "-Ducp.cluster.host=" + host, "-Ducp.http.host=" + host,
        "-cp", classpath(), "org.ucp.app.Main",
        "node", "--id", id, "--roles", roles, "--data-dir", dataDir.toString(),
        "--http-port", String.valueOf(httpPort), "--cluster-port", String.valueOf(clusterPort),
        "--join", join, "--cluster-name", clusterName));
    cmd.addAll(certs != null
        ? List.of("--certs", certs.toString(), "--tokens", certs.resolve(TOKENS).toString())
        : List.of("--insecure"));
    return cmd;
  }

  /** The client token file of a --secure run, in its certificate directory. */
  static final String TOKENS = "tokens.json";

  /** This JVM's classpath, every entry made absolute. */
  static String classpath() {
    return java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
        .filter(e -> !e.isEmpty())
        .map(e -> Path.of(e).toAbsolutePath().toString())
        .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
  }

  static String javaBinary() {
    return ProcessHandle.current().info().command()
        .filter(c -> c.endsWith("java"))
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }
}
