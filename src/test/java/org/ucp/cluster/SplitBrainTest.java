package org.ucp.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.ucp.bus.JsonCodec;
import org.ucp.bus.Messages.AttemptAssigned;
import org.ucp.bus.Messages.Decision;
import org.ucp.bus.Messages.RejectReason;
import org.ucp.bus.Messages.ResultDecided;
import org.ucp.bus.Messages.ResultSubmission;
import org.ucp.bus.Messages.Verdict;
import org.ucp.sync.CausalPolicy;
import org.ucp.sync.DecisionStore.Arbitration;
import org.ucp.testing.Poll;
import org.ucp.testing.SplitSide;
import org.ucp.testing.TestNodes;
import org.ucp.wasm.Sha256;

/**
 * A real split brain. Two UCP nodes (roles arbiter, datastore, broker, web), each a separate JVM
 * in its own Linux network namespace, reach each other only through a bridge in a third
 * namespace; the test partitions them by taking one bridge port down and heals by bringing it
 * back up. Hazelcast detects the split by missed heartbeats, each side runs alone, and after the
 * heal the smaller (or, at equal size, the lower-priority) side merges into the other, running
 * {@code DecisionMergePolicy} on the {@code ucp.arbitration} map.
 *
 * <p>What it covers: the decision map and the arbiters end to end. The test plays the brokers and
 * executors through the production paths they use ({@link SplitSide}: {@code DecisionStore.assigned}
 * to record an attempt, the data client for the provisional zip, its own node's arbiter address
 * for the submission), so each side's own arbiter accepts a different attempt of the same job. It does not
 * run WebAssembly jobs or the brokers' job tables: the brokers are up (the data plane needs them)
 * but no job is submitted to them.
 *
 * <p>First scenario, two jobs: {@code redeployed}, recorded before the split, redeployed on side B
 * during it (so B's attempt dominates A's, which A accepts because it never heard of it), and
 * {@code twins}, where each side records its own attempt under the same number 2 (concurrent
 * clocks). Second scenario: side A decides alone and is killed before the merge, then restarted.
 * A cut whose side dies before the sides merge brings nothing of its decision map back, only
 * its data.
 * Skipped unless run as root with {@code ip} available; namespaces and processes it made are
 * removed whatever happens.
 */
@Timeout(value = 480, unit = TimeUnit.SECONDS)
class SplitBrainTest {
  private static final String POLICY = "VECTOR_CLOCK_CAUSAL";
  private static final Duration STEP = Duration.ofSeconds(60);

  @TempDir Path dir;

  /** A scenario on two sides in their namespaces; {@link #split} sets them up and removes them. */
  private interface Scenario {
    void run(Topology net, Sides sides) throws Exception;
  }

  /** The sides of one run: each started in its namespace, all killed at the end. */
  private final class Sides {
    final List<Side> started = new ArrayList<>();
    final String cluster = TestNodes.clusterName();

    /** Starts side {@code id} (A or B by {@code onA}); the same id again is a restart on the same data directory. */
    Side start(String id, Topology net, boolean onA) throws IOException {
      String members = Topology.ADDR_A + ":5701," + Topology.ADDR_B + ":5701";
      Side side = new Side(id, onA ? net.nsA : net.nsB, onA ? Topology.ADDR_A : Topology.ADDR_B, cluster, members, dir);
      started.add(side);
      side.awaitUp();
      return side;
    }
  }

  private void split(Scenario scenario) throws Exception {
    assumeTrue(isRoot(), "needs root for network namespaces");
    assumeTrue(ipCommand() != null, "needs the ip command (iproute2)");
    Topology net = new Topology(ipCommand(), UUID.randomUUID().toString().substring(0, 6));
    Sides sides = new Sides();
    try {
      net.create();
      scenario.run(net, sides);
    } catch (AssertionError | RuntimeException e) {
      for (Side side : sides.started) {
        System.err.println("---- " + side.id + " output:\n" + side.output());
      }
      throw e;
    } finally {
      for (Side side : sides.started) {
        // The protocol lines and Hazelcast's own account of the split and the merge, for the record.
        System.out.println("---- " + side.id + ":\n" + side.output().lines()
            .filter(l -> l.startsWith("@@") || l.contains("Members {") || l.contains("merge") || l.contains("MERGED")
                || l.contains("split brain") || l.contains("/result"))
            .collect(java.util.stream.Collectors.joining("\n")));
        side.close();
      }
      net.close();
    }
  }

  @Test
  void theSidesAcceptDifferentAttemptsAndTheMergeKeepsTheCausalWinner() throws Exception {
    split((net, started) -> {
      Side a = started.start("split-a", net, true);
      Side b = started.start("split-b", net, false);
      List<Side> sides = List.of(a, b);
      awaitMembers(a, 2);
      awaitMembers(b, 2);

      // Before the split: attempt 1 of each job, known to both sides (owner and backup).
      AttemptAssigned first = a.attempt("redeployed", 1, "exec-1", "broker-a");
      a.attempt("twins", 1, "exec-0", "broker-a");
      for (String job : List.of("redeployed", "twins")) {
        Poll.until(STEP, "side B to hold " + job, () -> b.entry(job) != null ? true : null);
      }

      net.partition();
      awaitMembers(a, 1);
      awaitMembers(b, 1);

      // Side A accepts attempt 1; side B, which lost broker-a, redeploys and accepts attempt 2.
      assertEquals(Verdict.ACCEPTED, a.submit("redeployed", 1, "exec-1", "from-A").verdict());
      AttemptAssigned redeploy = b.attempt("redeployed", 2, "exec-2", "broker-b");
      assertTrue(first.clock().happenedBefore(redeploy.clock()), first + " / " + redeploy);
      assertEquals(Verdict.ACCEPTED, b.submit("redeployed", 2, "exec-2", "from-B").verdict());
      // Each side gives number 2 of "twins" to its own executor and accepts it.
      a.attempt("twins", 2, "exec-a", "broker-a");
      b.attempt("twins", 2, "exec-b", "broker-b");
      assertEquals(Verdict.ACCEPTED, a.submit("twins", 2, "exec-a", "twin-A").verdict());
      assertEquals(Verdict.ACCEPTED, b.submit("twins", 2, "exec-b", "twin-B").verdict());
      ResultSubmission twinA = a.entry("twins").accepted();
      ResultSubmission twinB = b.entry("twins").accepted();

      net.heal();
      awaitMembers(a, 2);
      awaitMembers(b, 2);

      // One accepted submission per job, the same seen from both sides; the loser merged away.
      Arbitration redeployed = awaitMerged(a, b, "redeployed");
      assertEquals(2, redeployed.accepted().attempt(), "the redeploy that dominates wins: " + redeployed);
      assertEquals("exec-2", redeployed.accepted().executorId());
      assertEquals(List.of(1), redeployed.mergedAway().stream().map(ResultSubmission::attempt).toList());
      assertEquals(2, redeployed.attempts().size(), "the union of attempts: " + redeployed.attempts());

      Arbitration twins = awaitMerged(a, b, "twins");
      assertEquals(3, twins.attempts().size(), "both attempts numbered 2 are kept: " + twins.attempts());
      ResultSubmission expected = CausalPolicy.winner(twins.attempts(), List.of(twinA, twinB)).orElseThrow();
      assertEquals(expected, twins.accepted());
      ResultSubmission twinLoser = expected.equals(twinA) ? twinB : twinA;
      assertEquals(List.of(twinLoser), twins.mergedAway());

      // The losers are announced REJECTED MERGED_AWAY, then the winners decided again, and both
      // sides hear it (the merged side's consumers too, once its Vert.x has re-registered them).
      for (Side side : sides) {
        for (ResultSubmission lost : List.of(redeployed.mergedAway().get(0), twinLoser)) {
          Decision d = Poll.until(STEP, side.id + " to hear MERGED_AWAY for " + lost.jobId(), () -> side.rejected()
              .stream().filter(x -> x.jobId().equals(lost.jobId()) && x.attempt() == lost.attempt()
                  && x.executorId().equals(lost.executorId())).findFirst().orElse(null));
          assertEquals(RejectReason.MERGED_AWAY, d.reason());
        }
        for (ResultSubmission won : List.of(redeployed.accepted(), twins.accepted())) {
          Poll.until(STEP, side.id + " to hear ResultDecided for the winner of " + won.jobId(), () -> side.decided()
              .stream().filter(x -> x.jobId().equals(won.jobId()) && x.attempt() == won.attempt()
                  && x.executorId().equals(won.executorId()) && x.sha256().equals(won.sha256())).findFirst().orElse(null));
        }
      }
      // GET /api/conflicts counts each loser once, whichever arbiter claimed it (each web role sums
      // every arbiter's counts; the publication itself is repeated for late consumers).
      for (Side side : sides) {
        Poll.until(STEP, side.id + "'s /api/conflicts to count 2 MERGED_AWAY", () -> {
          JsonNode counts = side.conflicts().path("counts");
          return counts.path(POLICY + " REJECTED MERGED_AWAY").asLong() == 2 ? true : null;
        });
      }

      // The job's public result is the winner's bytes, read through either side.
      for (Side side : sides) {
        Poll.until(STEP, side.id + " to read the winner's redeployed/result",
            () -> "from-B".equals(side.get("redeployed/result")) ? true : null);
      }
      Poll.until(STEP, "the winners marked promoted again", () ->
          a.entry("redeployed").promoted() && a.entry("twins").promoted() ? true : null);
    });
  }

  /**
   * A side that decides alone and is killed before the merge. Its decision dies with its only data
   * member, so no merge ever compares it; but its datastore and its broker's replica, on disk, come
   * back with the restarted node, holding the bytes that side promoted to {@code <jobId>/result}, a
   * newer version than the other side's, and the data index adopts them. Without a repair those
   * bytes stay the job's public result while the decision map holds the other side's acceptance
   * (what chaos with splits found: the 79 wrong results of seed 4242). The broker that sees its
   * replica's result replaced reports it; an arbiter promotes the accepted result again. Without
   * that report the restarted side reads its own bytes for good (checked by disabling it).
   */
  @Test
  void aSideThatDecidedAloneAndDiedBeforeTheMergeDoesNotKeepItsBytesAsTheResult() throws Exception {
    split((net, started) -> {
      Side a = started.start("split-a", net, true);
      Side b = started.start("split-b", net, false);
      awaitMembers(a, 2);
      awaitMembers(b, 2);

      net.partition();
      awaitMembers(a, 1);
      awaitMembers(b, 1);
      // Each side gives attempt 1 of "alone" to its own executor and accepts it; B first, so A's
      // promotion is the newer data version.
      b.attempt("alone", 1, "exec-b", "broker-b");
      assertEquals(Verdict.ACCEPTED, b.submit("alone", 1, "exec-b", "alone-B").verdict());
      Poll.until(STEP, "B to read its own alone/result", () -> "alone-B".equals(b.get("alone/result")) ? true : null);
      a.attempt("alone", 1, "exec-a", "broker-a");
      assertEquals(Verdict.ACCEPTED, a.submit("alone", 1, "exec-a", "alone-A").verdict());
      Poll.until(STEP, "A to read its own alone/result", () -> "alone-A".equals(a.get("alone/result")) ? true : null);

      a.close();
      net.heal();
      Side again = started.start("split-a", net, true);
      awaitMembers(again, 2);
      awaitMembers(b, 2);
      assertEquals("exec-b", b.entry("alone").accepted().executorId(), "A's decision died with A");

      Poll.until(STEP, "an arbiter to promote the accepted result of alone again", () ->
          (again.output() + b.output()).contains("alone/result holds " + Sha256.of("alone-A".getBytes(StandardCharsets.UTF_8)))
              ? true : null);
      for (Side side : List.of(again, b)) {
        Poll.until(STEP, side.id + " to read the accepted alone/result",
            () -> "alone-B".equals(side.get("alone/result")) ? true : null);
      }
      // And it stays: A's bytes do not come back through either broker.
      for (int i = 0; i < 4; i++) {
        for (Side side : List.of(again, b)) {
          assertEquals("alone-B", side.get("alone/result"), side.id + " read " + i);
        }
      }
      assertTrue(b.entry("alone").promoted(), "the accepted result is marked promoted");
    });
  }

  private static void awaitMembers(Side side, int n) {
    Poll.until(Duration.ofSeconds(90), side.id + " to see " + n + " members",
        () -> side.members() == n ? true : null);
  }

  /** Waits until both sides read the same entry for {@code job}, with one loser merged away and announced. */
  private static Arbitration awaitMerged(Side a, Side b, String job) {
    return Poll.until(STEP, job + " merged alike on both sides", () -> {
      Arbitration onA = a.entry(job);
      Arbitration onB = b.entry(job);
      boolean done = onA != null && onA.equals(onB) && onA.accepted() != null && !onA.mergedAway().isEmpty()
          && onA.unreportedMergedAway().isEmpty();
      return done ? onA : null;
    });
  }

  private static boolean isRoot() {
    try {
      Process p = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return p.waitFor() == 0 && out.equals("0");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static String ipCommand() {
    for (String candidate : List.of("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    return null;
  }

  /**
   * Three namespaces of this run only: A and B, each with one veth into a bridge in X. The
   * addresses live inside them; nothing is added to the test's own namespace.
   */
  static final class Topology implements AutoCloseable {
    static final String ADDR_A = "10.234.77.1";
    static final String ADDR_B = "10.234.77.2";
    final String ip;
    final String nsA;
    final String nsB;
    final String nsX;
    final String sfx;
    private final List<String> created = new ArrayList<>();

    Topology(String ip, String sfx) {
      this.ip = ip;
      this.sfx = sfx;
      this.nsA = "ucpA-" + sfx;
      this.nsB = "ucpB-" + sfx;
      this.nsX = "ucpX-" + sfx;
    }

    void create() {
      for (String ns : List.of(nsA, nsB, nsX)) {
        run(ip, "netns", "add", ns);
        created.add(ns);
        run(ip, "-n", ns, "link", "set", "lo", "up");
      }
      run(ip, "-n", nsX, "link", "add", "br0", "type", "bridge");
      run(ip, "-n", nsX, "link", "set", "br0", "up");
      side(nsA, "a", ADDR_A);
      side(nsB, "b", ADDR_B);
    }

    private void side(String ns, String tag, String addr) {
      String inner = "v" + tag + sfx;
      String port = "p" + tag + sfx;
      run(ip, "-n", ns, "link", "add", inner, "type", "veth", "peer", "name", port, "netns", nsX);
      run(ip, "-n", nsX, "link", "set", port, "master", "br0");
      run(ip, "-n", nsX, "link", "set", port, "up");
      run(ip, "-n", ns, "addr", "add", addr + "/24", "dev", inner);
      run(ip, "-n", ns, "link", "set", inner, "up");
    }

    /** B's bridge port goes down: A and B no longer exchange a single packet. */
    void partition() {
      run(ip, "-n", nsX, "link", "set", "pb" + sfx, "down");
    }

    void heal() {
      run(ip, "-n", nsX, "link", "set", "pb" + sfx, "up");
    }

    /** Deletes the namespaces this run made (their veths and bridge go with them). */
    @Override
    public void close() {
      for (String ns : created) {
        try {
          run(ip, "netns", "del", ns);
        } catch (RuntimeException e) {
          System.err.println("could not delete netns " + ns + ": " + e.getMessage());
        }
      }
      created.clear();
    }

    static void run(String... cmd) {
      try {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
          throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /** One side's JVM ({@link SplitSide}) in its namespace, driven over stdin/stdout. */
  static final class Side implements AutoCloseable {
    final String id;
    private final Process process;
    private final Writer stdin;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    Side(String id, String ns, String addr, String cluster, String members, Path dir) throws IOException {
      this.id = id;
      List<String> cmd = new ArrayList<>(List.of(ipCommand(), "netns", "exec", ns,
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx256m", "-XX:+UseSerialGC",
          "-Dhazelcast.phone.home.enabled=false", "-Dhazelcast.logging.type=jdk",
          "-Dhazelcast.merge.first.run.delay.seconds=5", "-Dhazelcast.merge.next.run.delay.seconds=5",
          "--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
          "-cp", System.getProperty("java.class.path"), SplitSide.class.getName(),
          id, dir.resolve(id).toString(), cluster, addr, "5701", members, "arbiter,datastore,broker,web", POLICY));
      process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
      Thread reader = new Thread(() -> {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = out.readLine()) != null) {
            lines.add(line);
          }
        } catch (IOException e) {
          lines.add("!! reader: " + e);
        }
      }, id + "-output");
      reader.setDaemon(true);
      reader.start();
    }

    void awaitUp() {
      Poll.until(Duration.ofSeconds(120), id + " to start", () -> {
        if (lines.contains("@@ up " + id)) {
          return true;
        }
        if (!process.isAlive()) {
          throw new AssertionError(id + " exited:\n" + output());
        }
        return null;
      });
    }

    /** Sends a command and waits for the next answer starting with {@code "@@ " + answer}. */
    String ask(String command, String answer) {
      int from = lines.size();
      try {
        stdin.write(command + "\n");
        stdin.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(id + " is gone", e);
      }
      String prefix = "@@ " + answer;
      String line = Poll.until(STEP, id + " to answer " + command, () -> {
        for (int i = from; i < lines.size(); i++) {
          if (lines.get(i).startsWith(prefix)) {
            return lines.get(i);
          }
        }
        if (!process.isAlive()) {
          throw new AssertionError(id + " exited:\n" + output());
        }
        return null;
      });
      String body = line.substring(prefix.length()).trim();
      if (body.startsWith("!")) {
        throw new IllegalStateException(id + ": " + command + " failed: " + body);
      }
      return body;
    }

    int members() {
      return Integer.parseInt(ask("members", "members "));
    }

    AttemptAssigned attempt(String job, int n, String executor, String broker) {
      return read(ask("attempt " + job + " " + n + " " + executor + " " + broker, "attempt "), AttemptAssigned.class);
    }

    Decision submit(String job, int n, String executor, String text) {
      return read(ask("submit " + job + " " + n + " " + executor + " " + text, "decision "), Decision.class);
    }

    Arbitration entry(String job) {
      String body = ask("entry " + job, "entry ");
      return body.equals("null") ? null : read(body, Arbitration.class);
    }

    /** The named data's content, or null while it cannot be read. */
    String get(String name) {
      try {
        return ask("get " + name, "get " + name + " ");
      } catch (IllegalStateException e) {
        return null;
      }
    }

    JsonNode conflicts() {
      return read(ask("conflicts", "conflicts "), JsonNode.class);
    }

    List<Decision> rejected() {
      return events("@@ event rejected ", Decision.class);
    }

    List<ResultDecided> decided() {
      return events("@@ event decided ", ResultDecided.class);
    }

    private <T> List<T> events(String prefix, Class<T> type) {
      return lines.stream().filter(l -> l.startsWith(prefix)).map(l -> read(l.substring(prefix.length()), type)).toList();
    }

    String output() {
      return String.join("\n", lines);
    }

    private static <T> T read(String json, Class<T> type) {
      try {
        return JsonCodec.MAPPER.readValue(json, type);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + json, e);
      }
    }

    /** Kills this side's JVM (the process this test started, by its handle). */
    @Override
    public void close() {
      if (process.isAlive()) {
        process.destroyForcibly();
        try {
          process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
