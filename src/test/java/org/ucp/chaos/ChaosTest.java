package org.ucp.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A short seeded chaos run: 2 brokers and 2 executors as real processes, 4 jobs/s, 30 s of
 * kill -9 / restart and SIGSTOP / SIGCONT and at most 25 s of quiet (network cuts are left to the {@code chaos} command, which does
 * them as root), then every acknowledged job must have COMPLETED exactly once with the right
 * output and every stored object must read back. {@link Chaos#execute} stops every process it
 * started before it returns, also when it fails.
 */
class ChaosTest {
  private static final long SEED = 20261129;

  @Test
  @Timeout(240)
  void everyAcknowledgedJobCompletesExactlyOnceUnderFaults() {
    // Under target/, kept after the run: the node logs are the evidence when it fails.
    Path dir = Path.of("target", "chaos-test", String.valueOf(System.currentTimeMillis())).toAbsolutePath();
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(new TeeStream(captured, System.out), true, StandardCharsets.UTF_8);
    // With certificates and client tokens, as a real cluster: faults and the authenticated bus together.
    // A sixth of the jobs long (0.65 s of program), so that polls find programs executing.
    ChaosOptions options = new ChaosOptions(30, SEED, 2, 2, false, 4, 25, dir.resolve("run"),
        java.util.EnumSet.allOf(Faults.Kind.class), false, true, 2, 17);
    long began = System.nanoTime();
    JsonObject s = Chaos.execute(options, out, false);
    long seconds = (System.nanoTime() - began) / 1_000_000_000L;
    String output = captured.toString(StandardCharsets.UTF_8);

    String last = output.lines().filter(l -> l.startsWith(Chaos.SUMMARY_PREFIX)).reduce((a, b) -> b).orElse("");
    assertEquals(s, new JsonObject(last.substring(Chaos.SUMMARY_PREFIX.length())), "the printed summary is the returned one");
    assertNull(s.getString("error"), () -> "the run itself failed:\n" + output);
    // 30 s of faults and at most 25 s of quiet; starting four JVMs on two cores adds 10-30 s.
    assertTrue(seconds <= 90, "the run took " + seconds + " s");
    assertTrue(s.getLong("acknowledged") >= 50, () -> "too few jobs acknowledged: " + s.encodePrettily());
    JsonObject kinds = s.getJsonObject("faultsByKind");
    assertTrue(s.getLong("faults") > 0 && kinds.size() >= 2, () -> "faults of at least two kinds: " + kinds);
    assertTrue(s.getLong("maxBrokersDownAtOnce") <= 1, () -> "more than one broker down: " + s.encodePrettily());
    assertEquals(0, s.getLong("lost"), () -> "lost jobs: " + s.getJsonObject("examples").encodePrettily());
    assertEquals(0, s.getLong("doubled"), () -> "doubled jobs: " + s.getJsonObject("examples").encodePrettily());
    assertEquals(0, s.getLong("wrong"), () -> "wrong results: " + s.getJsonObject("examples").encodePrettily());
    assertEquals(0, s.getLong("corrupt"), () -> "corrupt objects: " + s.getJsonObject("examples").encodePrettily());
    assertTrue(s.getLong("pollsWithAProgramExecuting") > 0,
        () -> "no poll saw an executor report a program executing: " + s.encodePrettily());
    assertTrue(s.getBoolean("ok"));
    assertFalse(ProcessHandle.current().descendants().anyMatch(p -> p.info().commandLine().orElse("").contains(dir.toString())),
        "a node process of the run is still alive");
  }

  @Test
  void theScheduleIsAFunctionOfTheSeedAndNeverTakesTwoBrokersDownAtOnce() {
    ChaosOptions o = new ChaosOptions(300, 7, 3, 4, true, 8, 60, null);
    List<Boolean> brokers = List.of(true, true, true, false, false, false, false);
    List<Faults.Fault> plan = Faults.plan(o, brokers);
    assertEquals(plan, Faults.plan(o, brokers));
    assertTrue(plan.size() >= 300 / 5 - 5, "a fault every 2-5 s: " + plan.size());
    assertFalse(plan.equals(Faults.plan(new ChaosOptions(300, 8, 3, 4, true, 8, 60, null), brokers)));
    for (Faults.Fault f : plan) {
      long cutBrokers = f.targets().stream().filter(brokers::get).count();
      assertTrue(cutBrokers <= 1, "at most one broker per fault: " + f);
    }
    assertTrue(plan.stream().anyMatch(f -> f.kind() == Faults.Kind.NET));
    assertTrue(plan.stream().anyMatch(f -> f.kind() == Faults.Kind.KILL));
    assertTrue(plan.stream().anyMatch(f -> f.kind() == Faults.Kind.FREEZE));
  }

  @Test
  void faultsNamesTheKindsTheScheduleUses() {
    List<Boolean> brokers = List.of(true, true, true, false, false, false, false);
    ChaosOptions killsOnly = ChaosOptions.parse(List.of("--seed", "7", "--seconds", "300", "--faults", "kill", "--no-net"));
    List<Faults.Fault> plan = Faults.plan(killsOnly, brokers);
    assertTrue(plan.size() >= 300 / 5 - 5, "a fault every 2-5 s: " + plan.size());
    assertTrue(plan.stream().allMatch(f -> f.kind() == Faults.Kind.KILL), plan::toString);
    // All kinds weigh kills and freezes 2, cuts 1: 40/40/20, or 50/50 without cuts.
    assertEquals(Faults.Kind.KILL, Faults.pick(39, java.util.EnumSet.allOf(Faults.Kind.class)));
    assertEquals(Faults.Kind.FREEZE, Faults.pick(40, java.util.EnumSet.allOf(Faults.Kind.class)));
    assertEquals(Faults.Kind.NET, Faults.pick(80, java.util.EnumSet.allOf(Faults.Kind.class)));
    assertEquals(Faults.Kind.FREEZE, Faults.pick(50, java.util.EnumSet.of(Faults.Kind.KILL, Faults.Kind.FREEZE)));
    org.ucp.config.Args.UsageException bad = org.junit.jupiter.api.Assertions.assertThrows(
        org.ucp.config.Args.UsageException.class, () -> ChaosOptions.parse(List.of("--faults", "kill,fire")));
    assertTrue(bad.getMessage().contains("'fire'"), bad.getMessage());
    org.junit.jupiter.api.Assertions.assertThrows(org.ucp.config.Args.UsageException.class,
        () -> ChaosOptions.parse(List.of("--faults", "net", "--no-net")));
  }

  @Test
  void minGapSpacesTheFaultsOutAndItsDefaultKeepsEverySchedule() {
    List<Boolean> brokers = List.of(true, true, true, false, false, false, false);
    ChaosOptions spaced = ChaosOptions.parse(List.of("--seed", "7", "--seconds", "600", "--min-gap", "4", "--no-net"));
    List<Faults.Fault> plan = Faults.plan(spaced, brokers);
    for (int i = 1; i < plan.size(); i++) {
      long gap = plan.get(i).atMs() - plan.get(i - 1).atMs();
      assertTrue(gap >= 4_000, "faults " + plan.get(i - 1) + " and " + plan.get(i) + " are " + gap + " ms apart");
    }
    assertTrue(plan.size() >= 600 / 7 - 5 && plan.size() <= 600 / 4, "a fault every 4-7 s: " + plan.size());
    assertEquals(Faults.plan(ChaosOptions.parse(List.of("--seed", "7", "--seconds", "600", "--no-net")), brokers),
        Faults.plan(ChaosOptions.parse(List.of("--seed", "7", "--seconds", "600", "--min-gap", "2", "--no-net")), brokers));
  }

  @Test
  void longJobsAreTheShareAskedForAndNoneKeepsASeedsWorkload() {
    java.util.Random plain = new java.util.Random(5);
    java.util.Random none = new java.util.Random(5);
    for (int i = 0; i < 1000; i++) {
      assertEquals(Workload.ITERATIONS[plain.nextInt(Workload.ITERATIONS.length)], Workload.iterations(none, 0));
    }
    java.util.Random r = new java.util.Random(5);
    long longOnes = java.util.stream.IntStream.range(0, 10_000).filter(i -> Workload.iterations(r, 17) == Workload.LONG).count();
    assertTrue(longOnes > 1_500 && longOnes < 1_900, "17 % of 10,000: " + longOnes);
    assertEquals(17, ChaosOptions.parse(List.of("--long-jobs", "17", "--no-net")).longJobsPercent());
    assertEquals(0, ChaosOptions.parse(List.of("--no-net")).longJobsPercent());
    org.ucp.config.Args.UsageException bad = org.junit.jupiter.api.Assertions.assertThrows(
        org.ucp.config.Args.UsageException.class, () -> ChaosOptions.parse(List.of("--long-jobs", "101")));
    assertTrue(bad.getMessage().contains("--long-jobs"), bad.getMessage());
  }

  @Test
  void theExpectedOutputIsWhatCpuWasmPrints() {
    // wasm/EXPECTED.txt, from a native build of the same loop.
    assertEquals("cpu iterations=1000 hash=1363160026601443621\n", Workload.expectedStdout(1000));
    assertEquals("cpu iterations=1000000 hash=7290476056423008982\n", Workload.expectedStdout(1_000_000));
  }

  /** Writes to two streams: the test's capture and the surefire output file. */
  private static final class TeeStream extends java.io.OutputStream {
    private final java.io.OutputStream a;
    private final java.io.OutputStream b;

    TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int x) throws java.io.IOException {
      a.write(x);
      b.write(x);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws java.io.IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }
  }
}
