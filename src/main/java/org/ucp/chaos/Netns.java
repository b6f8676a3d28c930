package org.ucp.chaos;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces for the network faults (Linux, root, iproute2): every node runs in its own
 * namespace with one veth into a bridge that lives in a namespace of its own; the harness reaches
 * the bridge through one more veth from its own namespace, so it talks to every node at its own
 * address, as a client on the same LAN would. A cut between two groups is a set of blackhole
 * routes in the nodes' namespaces (each side drops what it sends to the other); the harness's
 * address is never cut. Everything made here is named with this run's tag and deleted by
 * {@link #close()}.
 */
final class Netns implements AutoCloseable {
  private final String tag;
  private final String prefix;
  private final String bridgeNs;
  private final String hostLink;
  private final List<String> namespaces = new ArrayList<>();

  private Netns(String tag, String prefix) {
    this.tag = tag;
    this.prefix = prefix;
    this.bridgeNs = tag + "-br";
    this.hostLink = tag + "h";
  }

  static String ip() {
    for (String c : List.of("/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip")) {
      if (new java.io.File(c).canExecute()) {
        return c;
      }
    }
    return "ip";
  }

  /** Root on Linux with a working {@code ip netns}. */
  static boolean available() {
    if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
      return false;
    }
    try {
      return run(false, "id", "-u").trim().equals("0") && run(false, ip(), "netns", "list") != null;
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Makes the bridge and the harness's link; picks a free 10.x.y.0/24 for this run. */
  static Netns create() {
    long pid = ProcessHandle.current().pid();
    String tag = "ucpc" + (pid % 100_000);
    String routes = run(true, ip(), "-4", "addr") + run(true, ip(), "-4", "route");
    String prefix = null;
    for (int i = 0; i < 500 && prefix == null; i++) {
      String p = "10." + (200 + (int) ((pid + i) % 50)) + "." + (int) (((pid + i) / 50) % 250) + ".";
      if (!routes.contains(p)) {
        prefix = p;
      }
    }
    if (prefix == null) {
      throw new IllegalStateException("no free 10.x.y.0/24 for the chaos network");
    }
    Netns n = new Netns(tag, prefix);
    try {
      n.namespaces.add(n.bridgeNs);
      run(true, ip(), "netns", "add", n.bridgeNs);
      run(true, ip(), "-n", n.bridgeNs, "link", "set", "lo", "up");
      run(true, ip(), "-n", n.bridgeNs, "link", "add", "br0", "type", "bridge");
      run(true, ip(), "-n", n.bridgeNs, "link", "set", "br0", "up");
      run(true, ip(), "link", "add", n.hostLink, "type", "veth", "peer", "name", "hport", "netns", n.bridgeNs);
      run(true, ip(), "-n", n.bridgeNs, "link", "set", "hport", "master", "br0");
      run(true, ip(), "-n", n.bridgeNs, "link", "set", "hport", "up");
      run(true, ip(), "addr", "add", n.prefix + "254/24", "dev", n.hostLink);
      run(true, ip(), "link", "set", n.hostLink, "up");
    } catch (RuntimeException e) {
      n.close();
      throw e;
    }
    return n;
  }

  /** Node {@code index} (0-based)'s namespace, made with its veth and address; returns the address. */
  String addNode(int index) {
    String ns = namespace(index);
    String addr = address(index);
    namespaces.add(ns);
    run(true, ip(), "netns", "add", ns);
    run(true, ip(), "-n", ns, "link", "set", "lo", "up");
    run(true, ip(), "-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", "p" + index, "netns", bridgeNs);
    run(true, ip(), "-n", bridgeNs, "link", "set", "p" + index, "master", "br0");
    run(true, ip(), "-n", bridgeNs, "link", "set", "p" + index, "up");
    run(true, ip(), "-n", ns, "addr", "add", addr + "/24", "dev", "eth0");
    run(true, ip(), "-n", ns, "link", "set", "eth0", "up");
    return addr;
  }

  String namespace(int index) {
    return tag + "-n" + index;
  }

  String address(int index) {
    return prefix + (index + 1);
  }

  String subnet() {
    return prefix + "0/24";
  }

  /** Each side stops reaching the other (blackhole routes in both directions). */
  void cut(Collection<Integer> side, Collection<Integer> other) {
    routes("add", side, other);
  }

  void heal(Collection<Integer> side, Collection<Integer> other) {
    routes("del", side, other);
  }

  private void routes(String verb, Collection<Integer> side, Collection<Integer> other) {
    for (int a : side) {
      for (int b : other) {
        // "replace" rather than "add": a route left by an earlier cut is no error.
        String how = verb.equals("add") ? "replace" : verb;
        run(verb.equals("add"), ip(), "-n", namespace(a), "route", how, "blackhole", address(b) + "/32");
        run(verb.equals("add"), ip(), "-n", namespace(b), "route", how, "blackhole", address(a) + "/32");
      }
    }
  }

  @Override
  public void close() {
    for (int i = namespaces.size() - 1; i >= 0; i--) {
      run(false, ip(), "netns", "del", namespaces.get(i));
    }
    namespaces.clear();
    run(false, ip(), "link", "del", hostLink);
  }

  /** Runs a command; its output, or null when it failed and {@code strict} is false. */
  static String run(boolean strict, String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
        if (strict) {
          throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out.trim());
        }
        return null;
      }
      return out;
    } catch (IOException e) {
      if (strict) {
        throw new IllegalStateException(String.join(" ", cmd) + ": " + e.getMessage(), e);
      }
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
