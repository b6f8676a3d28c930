package org.ucp.app;

import org.ucp.config.Args;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.ucp.cli.Cli;
import org.ucp.config.ConfigException;
import org.ucp.config.ConfigLoader;
import org.ucp.config.UcpConfig;

/**
 * The command line: {@code node}, {@code demo}, {@code bench}, and the client commands of
 * {@link Cli}. Exit 2 on bad usage or config.
 */
public final class Main {
  static final String USAGE = """
      Urban Compute Platform on Vert.x

      Usage:
        java -jar ucp.jar node [flags]      run a cluster node with the given roles
        java -jar ucp.jar demo [--keep-running] [--http-port N]
                                            every role in one JVM, a sample plan end to end
        java -jar ucp.jar bench [--warm-up N] [--jobs N] [--http-jobs N] [--cpu-iterations N] [--repeat N] [--decision-pairs N] [--no-sync] [--no-loss] [--no-data]
                                [--scaling] [--history N [--queued M]]
                                            throughput, latency and overhead, printed as JSON
        java -jar ucp.jar chaos [--seconds N] [--seed S] [--brokers N] [--executors N] [--rate N]
                                [--quiet-seconds N] [--dir DIR] [--no-net] [--faults kill,freeze,net] [--min-gap S] [--long-jobs PCT] [--serial] [--secure] [--plan]
                                            node processes under kill -9, SIGSTOP and (as root)
                                            network cuts; checks every acknowledged job completed
                                            exactly once; exit 1 on any loss (docs/chaos.md)
        java -jar ucp.jar certs init [--dir DIR] [--cluster-name NAME]
                                            create the cluster's authority (DIR: ucp-certs);
                                            its ca.key stays with the operator
        java -jar ucp.jar certs node NAME [--dir DIR] [--out DIR] [--hosts H,...]
                                            issue node NAME's key and certificate
        java -jar ucp.jar token create --role read|submit|admin --name NAME [--file FILE]
                                            a client token, printed once; only its SHA-256 is
                                            kept in FILE (default ucp-tokens.json)
        java -jar ucp.jar token list [--file FILE]
                                            the names and roles in FILE
        java -jar ucp.jar --help            this text

      Client commands (talk to a node's HTTP API; every one takes --url URL, default
      http://127.0.0.1:8080, --token TOKEN, default $UCP_TOKEN, and --json for
      machine-readable output):
        submit JOB.json [--wait] [--timeout S]   submit a job (the job JSON of the HTTP API);
                                                 --wait polls until it is final, prints its
                                                 stdout, exit 1 unless it completed with exit
                                                 code 0
        jobs [--state S] [--limit N]             the newest jobs first (N: 20), one line each
        status ID                                a job's state, exit code, attempts; exit 1 if
                                                 it ended without completing with exit code 0
        cancel ID                                cancel a job (stops a running attempt); exit 1
                                                 if it is already COMPLETED or FAILED
        result ID [-o FILE]                      download a job's result zip (to stdout
                                                 without -o)
        logs ID [-f] [--stderr]                  a job's stdout (--stderr: its stderr) as it is
                                                 now; -f follows it while the job runs, until
                                                 the job ends (also after it ended)
        put NAME FILE                            store a file as named data (streamed)
        get NAME [-o FILE]                       download named data, streamed (to stdout
                                                 without -o)
        ls [PREFIX] [--all]                      list data names under a prefix (--all: with
                                                 attempts' provisional outputs)
        emergency declare LEVEL REASON           LEVEL: NONE, LOW, MEDIUM, HIGH, CRITICAL
        emergency clear
        plan PLAN.toml [--out DIR] [--timeout S] upload a plan's data, run its jobs in order,
                                                 download results to DIR (default: results/
                                                 beside the plan); exit 1 if any job failed
      Exit codes: 0 success, 1 failure (one line on stderr), 2 bad usage.

      node flags:
        --roles LIST         comma-separated roles: broker,executor,arbiter,datastore,web
                             (default: all of them)
        --config FILE        a JSON config file laid over the defaults (conf/ucp.json)
        --id NAME            the node's name; every role on it is known by this name
                             (default: kept in DATA-DIR/node-id, generated once)
        --data-dir DIR       where the node keeps its files (default: ucp-data, or
                             ucp-data/NAME when --id is given)
        --http-port N        port of the HTTP API and dashboard (web role; default 8080, 0 = any)
        --cluster-port N     first Hazelcast port to try (default 5701)
        --join LIST          cluster members host:port,... (default 127.0.0.1:5701)
        --cluster-name NAME  only nodes with the same name form a cluster (default ucp)
        --certs DIR          NAME.key, NAME.crt and ca.crt for this node (NAME = --id): the
                             event bus runs mutual TLS and every bus message carries a MAC
        --tokens FILE        the client tokens (token create): every HTTP route and bridge
                             frame needs one of them, of the role it names
        --insecure           start without --certs (and, with the web role, without --tokens)
                             although listening beyond loopback

      Every config key can also be set as a system property -Ducp.SECTION.KEY=VALUE or an
      environment variable UCP_SECTION_KEY (e.g. UCP_EXECUTOR_SLOTS=4); flags win over both.
      """;

  /** Held so the levels set below are not lost when the loggers are collected. */
  private static final Logger HAZELCAST_LOG = Logger.getLogger("com.hazelcast");
  private static final Logger VERTX_LOG = Logger.getLogger("io.vertx");
  private static final Logger CP_LOG = Logger.getLogger("com.hazelcast.cp.CPSubsystem");
  private static final Logger METER_LOG = Logger.getLogger("io.micrometer.core.instrument.MeterRegistry");

  private Main() {}

  public static void main(String[] args) {
    configureLogging();
    int code = run(Arrays.asList(args));
    if (code >= 0) {
      System.exit(code);
    }
  }

  /** Runs a command; returns its exit code, or -1 when a node keeps running. */
  static int run(List<String> args) {
    if (args.isEmpty() || args.contains("--help") || args.contains("-h") || args.get(0).equals("help")) {
      System.out.print(USAGE);
      return args.isEmpty() ? 2 : 0;
    }
    if (Cli.isCommand(args.get(0))) {
      return Cli.run(args, System.out, System.err);
    }
    List<String> rest = args.subList(1, args.size());
    try {
      return switch (args.get(0)) {
        case "node" -> node(rest);
        case "demo" -> Demo.run(rest);
        case "bench" -> Bench.run(rest);
        case "chaos" -> org.ucp.chaos.Chaos.run(rest);
        case "certs" -> Certs.run(rest, System.out);
        case "token" -> TokenCommand.run(rest, System.out);
        default -> throw new Args.UsageException("unknown command '" + args.get(0) + "' (see --help)");
      };
    } catch (Args.UsageException | ConfigException e) {
      System.err.println("ucp: " + e.getMessage());
      return 2;
    }
  }

  private static int node(List<String> rest) {
    Args flags = Args.parse(rest,
        Set.of("--roles", "--config", "--id", "--data-dir", "--http-port", "--cluster-port", "--join", "--cluster-name",
            "--certs", "--tokens"),
        Set.of("--insecure"));
    if (!flags.positional().isEmpty()) {
      throw new Args.UsageException("unexpected argument '" + flags.positional().get(0) + "'");
    }
    Map<String, String> overrides = new LinkedHashMap<>();
    put(overrides, "node.roles", flags.get("--roles"));
    put(overrides, "node.id", flags.get("--id"));
    put(overrides, "http.port", flags.get("--http-port"));
    put(overrides, "cluster.port", flags.get("--cluster-port"));
    put(overrides, "cluster.members", flags.get("--join"));
    put(overrides, "cluster.name", flags.get("--cluster-name"));
    put(overrides, "security.certs", flags.get("--certs"));
    put(overrides, "security.tokens", flags.get("--tokens"));
    if (flags.has("--insecure")) {
      overrides.put("security.insecure", "true");
    }
    if (flags.has("--data-dir")) {
      overrides.put("node.dataDir", flags.get("--data-dir"));
    } else if (flags.has("--id")) {
      overrides.put("node.dataDir", "ucp-data/" + flags.get("--id"));
    }
    UcpConfig config = ConfigLoader.load(flags.has("--config") ? Path.of(flags.get("--config")) : null, overrides);
    CountDownLatch started = new CountDownLatch(1);
    Node[] node = new Node[1];
    Throwable[] failure = new Throwable[1];
    Node.start(config).onComplete(n -> {
      node[0] = n;
      started.countDown();
    }, t -> {
      failure[0] = t;
      started.countDown();
    });
    awaitQuietly(started);
    if (failure[0] != null) {
      if (failure[0] instanceof ConfigException c) {
        throw c;
      }
      System.err.println("ucp: node failed to start: " + failure[0].getMessage());
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      CountDownLatch closed = new CountDownLatch(1);
      node[0].close().onComplete(ar -> closed.countDown());
      awaitQuietly(closed);
    }, "ucp-shutdown"));
    String host = config.http().host().isEmpty() || config.http().host().equals("0.0.0.0") ? "127.0.0.1" : config.http().host();
    String http = node[0].httpPort() > 0
        ? ", HTTP on port " + node[0].httpPort() + ", dashboard http://" + host + ":" + node[0].httpPort() + "/" : "";
    System.out.println("ucp: node " + node[0].id() + " running roles " + config.node().roles() + http);
    return -1;
  }

  private static void put(Map<String, String> overrides, String key, String value) {
    if (value != null) {
      overrides.put(key, value);
    }
  }

  static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One line per record; Hazelcast and Vert.x internals only from WARNING up. */
  static void configureLogging() {
    System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT.%1$tL %4$-7s [%3$s] %5$s%6$s%n");
    System.setProperty("hazelcast.logging.type", "jdk");
    HAZELCAST_LOG.setLevel(Level.WARNING);
    VERTX_LOG.setLevel(Level.WARNING);
    // UCP uses no CP data structures, so Hazelcast's warning that CP is off is noise.
    CP_LOG.setLevel(Level.SEVERE);
    // A clustered Vert.x creates its event-bus metrics twice, and Micrometer warns once per node
    // that the second "vertx.eventbus.handlers" gauge is ignored: nothing a user can act on.
    METER_LOG.setLevel(Level.SEVERE);
  }
}
