package org.ucp.app;

import io.vertx.core.Future;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.ucp.config.ConfigLoader;
import org.ucp.config.UcpConfig;

/**
 * The embedded default: every role in one clustered JVM on loopback, under a cluster name of its
 * own so it never merges with another cluster. Used by {@code demo} and {@code bench}.
 */
public final class Embedded {
  private Embedded() {}

  public static Node start(Path dataDir, int httpPort, Map<String, String> extra) {
    int clusterPort = freePort();
    Map<String, String> overrides = new java.util.LinkedHashMap<>(Map.of(
        "node.id", "embedded",
        "node.dataDir", dataDir.toString(),
        "http.port", String.valueOf(httpPort),
        "cluster.name", "ucp-embedded-" + UUID.randomUUID().toString().substring(0, 8),
        "cluster.port", String.valueOf(clusterPort),
        "cluster.members", "127.0.0.1:" + clusterPort,
        "cluster.maxJoinSeconds", "1"));
    overrides.putAll(extra);
    UcpConfig config = ConfigLoader.load(null, overrides);
    return await(Node.start(config), 60);
  }

  public static <T> T await(Future<T> future, int seconds) {
    CountDownLatch done = new CountDownLatch(1);
    future.onComplete(ar -> done.countDown());
    try {
      if (!done.await(seconds, TimeUnit.SECONDS)) {
        dumpThreads("gave up after " + seconds + " s");
        throw new IllegalStateException("gave up after " + seconds + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    if (future.failed()) {
      throw new IllegalStateException(future.cause().getMessage(), future.cause());
    }
    return future.result();
  }

  /** What every thread was doing when a wait gave up, on stderr: a hang is then diagnosable. */
  private static void dumpThreads(String why) {
    StringBuilder out = new StringBuilder("ucp: " + why + "; the threads:\n");
    Thread.getAllStackTraces().forEach((thread, stack) -> {
      out.append("  \"").append(thread.getName()).append("\" ").append(thread.getState()).append('\n');
      for (int i = 0; i < Math.min(stack.length, 12); i++) {
        out.append("      at ").append(stack[i]).append('\n');
      }
    });
    System.err.print(out);
  }

  /** A sample module shipped in the jar ({@code wasm/NAME.wasm}). */
  public static byte[] module(String name) {
    try (InputStream in = Embedded.class.getClassLoader().getResourceAsStream("wasm/" + name + ".wasm")) {
      if (in == null) {
        throw new IllegalStateException("wasm/" + name + ".wasm is missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
