package org.ucp.web;

import static org.ucp.web.Answers.fail;
import static org.ucp.web.Answers.intParam;
import static org.ucp.web.Answers.json;
import static org.ucp.web.Answers.shorten;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.logging.Logger;
import org.ucp.bus.Addresses;
import org.ucp.bus.Bus;
import org.ucp.bus.FailureCode;
import org.ucp.bus.Failures;
import org.ucp.bus.JsonCodec;
import org.ucp.bus.Messages.JobAccepted;
import org.ucp.bus.Messages.JobListQuery;
import org.ucp.bus.Messages.JobPage;
import org.ucp.bus.Messages.SubmitJob;
import org.ucp.client.BrokerDirectory;
import org.ucp.client.BrokerQueries;
import org.ucp.client.ClientEdge;
import org.ucp.client.DataClient;
import org.ucp.clock.VectorClock;
import org.ucp.config.UcpConfig.HttpConfig;
import org.ucp.model.EmergencyLevel;
import org.ucp.model.EmergencyState;
import org.ucp.model.JobSpecParser;
import org.ucp.model.JobState;
import org.ucp.model.ValidationException;
import org.ucp.security.ClientRole;

/**
 * The web role: the HTTP API docs/api.md lists. It validates input at the edge (400 naming the field)
 * and turns every request into an event-bus request to the role that owns the answer.
 */
public final class WebVerticle extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(WebVerticle.class.getName());

  /** Who submits: a client id ({@link SubmitJob#CLIENT_ID}). */
  public static final String CLIENT_HEADER = "X-UCP-Client";
  /** The submitter's causal knowledge: the stamp of the last job it saw accepted. */
  public static final String CLOCK_HEADER = "X-UCP-Clock";
  /** The largest counter a client stamp may carry: 2^53-1, JavaScript's largest safe integer. */
  public static final long MAX_COUNTER = (1L << 53) - 1;
  /** The most entries a client stamp may carry. */
  public static final int MAX_CLOCK_ENTRIES = 64;

  private final HttpConfig config;
  private final String nodeId;
  private final String localBroker;
  private final PrometheusMeterRegistry registry;
  private final ClientEdge edge;
  private DataClient data;
  private UcpMetrics metrics;
  private BrokerQueries brokers;
  private HttpServer server;
  private Router router;
  private ClientAuth auth;

  /** This API as an OpenAPI 3 document, from the jar ({@code GET /api/openapi.json}). */
  private static final String OPENAPI = resource("openapi.json");

  /** @param registry this node's meters, served at {@code /metrics} with the ucp_* ones added */
  public WebVerticle(HttpConfig config, String nodeId, PrometheusMeterRegistry registry) {
    this(config, nodeId, registry, null);
  }

  /**
   * @param localBroker the broker on this node, or null: jobs POSTed here go to it (and to any
   *     broker when it does not answer), so a node's HTTP port submits through its own broker
   */
  public WebVerticle(HttpConfig config, String nodeId, PrometheusMeterRegistry registry, String localBroker) {
    this(config, nodeId, registry, localBroker, ClientEdge.open(config));
  }

  /** @param edge the client tokens every route checks and the connection cap, shared with the bridge */
  public WebVerticle(HttpConfig config, String nodeId, PrometheusMeterRegistry registry, String localBroker,
      ClientEdge edge) {
    this.config = config;
    this.nodeId = nodeId;
    this.registry = registry;
    this.localBroker = localBroker;
    this.edge = edge;
  }

  @Override
  public Future<?> start() {
    data = new DataClient(vertx);
    brokers = new BrokerQueries(vertx, BrokerDirectory.listen(vertx, 2_000));
    ConflictStats conflicts = new ConflictStats(vertx);
    metrics = new UcpMetrics(vertx, registry, brokers, conflicts).start();
    edge.access().bind(registry);
    router = Router.router(vertx);
    auth = new ClientAuth(edge.access());
    router.route().failureHandler(auth::failure);
    // What no route serves, or no route serves with this method, is answered in JSON like the rest.
    router.errorHandler(404, ctx -> Answers.error(ctx, 404, "nothing at " + shorten(ctx.request().path())));
    router.errorHandler(405, ctx -> Answers.error(ctx, 405, ctx.request().method() + " is not served at " + shorten(ctx.request().path())));
    router.errorHandler(415, ctx -> Answers.error(ctx, 415, "send the body as application/json"));
    router.route().handler(new EdgeGuard(config.allowedHosts())::check);
    // Every API route needs a token of the role it names (none on an open node); the dashboard's
    // own files do not, so that it can load and ask for one.
    router.route("/api/*").handler(auth.authenticate());
    router.route("/metrics").handler(auth.authenticate());
    router.get("/api/*").handler(auth.require(ClientRole.READ));
    router.head("/api/*").handler(auth.require(ClientRole.READ));
    router.get("/metrics").handler(auth.require(ClientRole.READ));
    router.post("/api/jobs").handler(auth.require(ClientRole.SUBMIT));
    router.put("/api/data/*").handler(auth.require(ClientRole.SUBMIT));
    router.post("/api/emergency").handler(auth.require(ClientRole.ADMIN));
    // Whoever may submit may cancel; every other removal is the administrator's.
    router.delete("/api/jobs/:id").handler(auth.require(ClientRole.SUBMIT));
    router.post("/api/jobs/:id/cancel").handler(auth.require(ClientRole.SUBMIT));
    router.deleteWithRegex("/api/(?!jobs/[^/]+$).*").handler(auth.require(ClientRole.ADMIN));
    // Data bodies stream through to the datastores: these routes come before the body handler.
    DataRoutes dataRoutes = new DataRoutes(data, brokers);
    router.put("/api/data/*").handler(dataRoutes::putData);
    router.route("/api/*").handler(BodyHandler.create(false).setBodyLimit(config.maxBodyKb() * 1024L));
    // A JSON body must say so: anything else (or nothing) is 415.
    router.post("/api/jobs").consumes("application/json").handler(this::submit);
    router.get("/api/jobs").handler(this::listJobs);
    router.get("/api/jobs/:id").handler(this::job);
    router.delete("/api/jobs/:id").handler(this::cancel);
    router.post("/api/jobs/:id/cancel").handler(this::cancel);
    router.get("/api/jobs/:id/result").handler(dataRoutes::result);
    router.get("/api/jobs/:id/logs").handler(new LogRoute(vertx, brokers, data, config.idleTimeoutSeconds())::handle);
    router.delete("/api/jobs/:id/data").handler(dataRoutes::purgeJob);
    router.get("/api/data").handler(dataRoutes::listData);
    router.get("/api/data/*").handler(dataRoutes::getData);
    router.head("/api/data/*").handler(dataRoutes::headData);
    router.delete("/api/data/*").handler(dataRoutes::deleteData);
    router.get("/api/cluster").handler(ctx -> brokers.cluster()
        .onComplete(view -> json(ctx, 200, view), failure -> fail(ctx, failure)));
    router.get("/api/coordination-status").handler(ctx -> brokers.coordination("true".equals(ctx.request().getParam("metadata")))
        .onComplete(views -> json(ctx, 200, java.util.Map.of("brokers", views)), failure -> fail(ctx, failure)));
    router.get("/api/conflicts").handler(ctx -> ctx.response().putHeader("content-type", "application/json")
        .end(conflicts.json().encodePrettily()));
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
    router.get("/api/openapi.json").handler(ctx -> ctx.response().putHeader("content-type", "application/json").end(OPENAPI));
    router.post("/api/emergency").consumes("application/json").handler(this::declareEmergency);
    router.delete("/api/emergency").handler(this::clearEmergency);
    // The live dashboard: the page from the jar, fed by a stream of snapshots.
    router.get("/api/events").handler(new DashboardEvents(vertx, brokers, conflicts, nodeId, 1_000)::stream);
    router.get("/*").handler(StaticHandler.create("webroot").setCachingEnabled(false));
    return vertx.createHttpServer(new io.vertx.core.http.HttpServerOptions()
            .setIdleTimeout(config.idleTimeoutSeconds()).setIdleTimeoutUnit(java.util.concurrent.TimeUnit.SECONDS))
        .connectionHandler(this::capped)
        .requestHandler(router)
        .listen(config.port(), config.host())
        .onSuccess(s -> {
          server = s;
          LOG.info(() -> "HTTP API on http://" + config.host() + ":" + s.actualPort());
        });
  }

  @Override
  public Future<?> stop() {
    metrics.close();
    return Future.succeededFuture();
  }

  /** Closes a connection one too many from its client address; counts the others until they close. */
  private void capped(io.vertx.core.http.HttpConnection connection) {
    Runnable release = edge.connections().admit(connection.remoteAddress());
    if (release == null) {
      LOG.warning(() -> "refused a connection from " + connection.remoteAddress() + ": over http.maxConnectionsPerClient");
      connection.close();
    } else {
      connection.closeHandler(v -> release.run());
    }
  }

  /** The routes this API serves, for the test that holds them against the OpenAPI document. */
  java.util.List<io.vertx.ext.web.Route> routes() {
    return router.getRoutes();
  }

  private static String resource(String name) {
    try (java.io.InputStream in = WebVerticle.class.getClassLoader().getResourceAsStream(name)) {
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (java.io.IOException | NullPointerException e) {
      throw new IllegalStateException(name + " is missing from the jar", e);
    }
  }

  /** The bound port (useful when configured as 0). */
  public int port() {
    return server.actualPort();
  }

  /**
   * {@code POST /api/jobs}. Optional headers make causal order explicit: {@code X-UCP-Client}
   * names the submitter and {@code X-UCP-Clock} carries the stamp of the last job it saw
   * accepted (the {@code stamp} of a 202 answer), so this job is causally after that one.
   */
  private void submit(RoutingContext ctx) {
    SubmitJob submit;
    try {
      String client = clientId(ctx.request().getHeader(CLIENT_HEADER));
      VectorClock clock = clientClock(ctx.request().getHeader(CLOCK_HEADER), client);
      // The id is chosen here, so that the retry below of a submission whose broker left is the same job.
      submit = new SubmitJob(JobSpecParser.parse(ctx.body().asString()), client, clock, java.util.UUID.randomUUID().toString(),
          ctx.user() == null ? null : ctx.user().subject());
    } catch (ValidationException e) {
      fail(ctx, e);
      return;
    }
    String client = ClientEdge.clientKey(ctx.user() == null ? null : ctx.user().subject(), ctx.request().remoteAddress());
    edge.quota().submit(client, brokers, () -> submitTo(
            localBroker == null ? Addresses.BROKER_SUBMIT : Addresses.brokerSubmit(localBroker), submit)
        .recover(failure -> localBroker != null && Failures.unwrap(failure).code() == FailureCode.UNAVAILABLE
            // This node's broker is not serving (yet, or any more): any broker takes it.
            ? submitTo(Addresses.BROKER_SUBMIT, submit)
            : Future.failedFuture(failure)))
        .onComplete(accepted -> json(ctx, 202, accepted), failure -> fail(ctx, failure));
  }

  private Future<JobAccepted> submitTo(String address, SubmitJob submit) {
    return Bus.request(vertx, address, submit);
  }

  /** The {@code X-UCP-Client} header, checked: absent is null, anything else must be a client id. */
  static String clientId(String header) {
    if (header == null) {
      return null;
    }
    if (!SubmitJob.CLIENT_ID.matcher(header).matches()) {
      throw new ValidationException(CLIENT_HEADER, "must be 1-64 letters, digits or _ . : -");
    }
    return header;
  }

  /**
   * The {@code X-UCP-Clock} header, checked: a JSON object of at most {@value #MAX_CLOCK_ENTRIES}
   * entries, each a client id mapped to a whole number from 0 to {@value #MAX_COUNTER} (2^53-1,
   * the largest integer JavaScript holds exactly, since the dashboard shows stamps). The
   * submitting client's own counter is ticked on acceptance, so it must be below that maximum.
   * Absent or blank is the empty stamp, which carries no causal knowledge.
   */
  static VectorClock clientClock(String header, String client) {
    if (header == null || header.isBlank()) {
      return VectorClock.empty();
    }
    com.fasterxml.jackson.databind.JsonNode tree;
    try {
      tree = JsonCodec.MAPPER.reader()
          .with(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .readTree(header);
    } catch (JsonProcessingException e) {
      throw new ValidationException(CLOCK_HEADER, "must be a JSON object of counters like {\"client-a\":3}");
    }
    if (tree == null || !tree.isObject()) {
      throw new ValidationException(CLOCK_HEADER, "must be a JSON object of counters like {\"client-a\":3}");
    }
    if (tree.size() > MAX_CLOCK_ENTRIES) {
      throw new ValidationException(CLOCK_HEADER, "has " + tree.size() + " entries, at most " + MAX_CLOCK_ENTRIES + " are allowed");
    }
    java.util.Map<String, Long> counters = new java.util.TreeMap<>();
    for (var entry : (Iterable<java.util.Map.Entry<String, com.fasterxml.jackson.databind.JsonNode>>) tree::fields) {
      String key = entry.getKey();
      com.fasterxml.jackson.databind.JsonNode value = entry.getValue();
      if (!SubmitJob.CLIENT_ID.matcher(key).matches()) {
        throw new ValidationException(CLOCK_HEADER, "key '" + shorten(key) + "' is not a client id (1-64 letters, digits or _ . : -)");
      }
      if (!value.isIntegralNumber()) {
        throw new ValidationException(CLOCK_HEADER, "counter of '" + key + "' must be a whole number, not " + shorten(value.toString()));
      }
      java.math.BigInteger counter = value.bigIntegerValue();
      if (counter.signum() < 0) {
        throw new ValidationException(CLOCK_HEADER, "counter of '" + key + "' must not be negative");
      }
      long max = key.equals(client) ? MAX_COUNTER - 1 : MAX_COUNTER;
      if (counter.compareTo(java.math.BigInteger.valueOf(max)) > 0) {
        throw new ValidationException(CLOCK_HEADER, "counter of '" + key + "' exceeds the maximum of " + max
            + (key.equals(client) ? " (the submitting client's own counter is ticked on acceptance)" : ""));
      }
      counters.put(key, counter.longValueExact());
    }
    return VectorClock.of(counters);
  }

  private void job(RoutingContext ctx) {
    brokers.job(ctx.pathParam("id")).onComplete(view -> json(ctx, 200, view.redacted()), failure -> fail(ctx, failure));
  }

  /**
   * {@code DELETE /api/jobs/{id}} (or {@code POST /api/jobs/{id}/cancel}): 200 with the job, now
   * CANCELLED (again, for a job cancelled before); 409 naming its state when it is finished. A
   * token of role submit may cancel only the jobs submitted with it; others' jobs need admin.
   */
  private void cancel(RoutingContext ctx) {
    String reason = "cancelled by " + (ctx.user() == null ? "a client" : "token '" + ctx.user().subject() + "'");
    brokers.job(ctx.pathParam("id"))
        .compose(view -> auth.mayCancel(ctx, view.jobId(), view.submittedBy()) ? brokers.cancel(view.jobId(), reason)
            : Future.failedFuture(new org.ucp.bus.UcpException(FailureCode.FORBIDDEN, "job " + view.jobId() + " was submitted by "
                + (view.submittedBy() == null ? "no token" : "token '" + view.submittedBy() + "'")
                + "; a token of role submit may cancel only its own jobs, others' need admin")))
        .onComplete(view -> json(ctx, 200, view.redacted()), failure -> fail(ctx, failure));
  }

  /** {@code POST /api/emergency {"level", "reason"}}: published, so every broker has it at once. */
  private void declareEmergency(RoutingContext ctx) {
    EmergencyState state;
    try {
      JsonObject body = ctx.body().asJsonObject();
      if (body == null || !(body.getValue("level") instanceof String level)) {
        throw new ValidationException("level", "is required: one of NONE, LOW, MEDIUM, HIGH, CRITICAL");
      }
      Object reason = body.getValue("reason");
      if (reason != null && !(reason instanceof String)) {
        throw new ValidationException("reason", "must be a string");
      }
      if (reason != null && EmergencyState.bytes((String) reason) > EmergencyState.MAX_REASON_BYTES) {
        throw new ValidationException("reason", "is " + EmergencyState.bytes((String) reason) + " bytes, at most "
            + EmergencyState.MAX_REASON_BYTES + " are allowed");
      }
      state = new EmergencyState(EmergencyLevel.parse("level", level), (String) reason, System.currentTimeMillis(), nodeId);
    } catch (io.vertx.core.json.DecodeException | ClassCastException e) {
      fail(ctx, new ValidationException("body", "must be a JSON object like {\"level\":\"HIGH\",\"reason\":\"flood\"}"));
      return;
    } catch (ValidationException e) {
      fail(ctx, e);
      return;
    }
    vertx.eventBus().publish(Addresses.EMERGENCY_CHANGED, state);
    json(ctx, 200, state);
  }

  private void clearEmergency(RoutingContext ctx) {
    EmergencyState cleared = new EmergencyState(EmergencyLevel.NONE, "cleared", System.currentTimeMillis(), nodeId);
    vertx.eventBus().publish(Addresses.EMERGENCY_CHANGED, cleared);
    json(ctx, 200, cleared);
  }

  /**
   * {@code GET /api/jobs}: with {@code limit} (and {@code after}, the {@code next} of the page
   * before) the newest jobs first, page by page; with {@code page} and {@code size} by number,
   * oldest first. {@code state} filters either way.
   */
  private void listJobs(RoutingContext ctx) {
    JobListQuery query;
    try {
      String state = ctx.queryParams().get("state");
      JobState filter = state == null || state.isEmpty() ? null : parseState(state);
      String after = ctx.queryParams().get("after");
      boolean cursor = ctx.queryParams().contains("limit") || after != null;
      query = cursor
          ? new JobListQuery(filter, 0, intParam(ctx, "limit", 50, 1, 1000), true, after == null || after.isEmpty() ? null : after)
          : new JobListQuery(filter, intParam(ctx, "page", 0, 0, Integer.MAX_VALUE), intParam(ctx, "size", 50, 1, 1000));
    } catch (ValidationException e) {
      fail(ctx, e);
      return;
    }
    brokers.jobs(query)
        .map(page -> new JobPage(page.jobs().stream().map(org.ucp.model.JobView::redacted).toList(), page.page(),
            page.size(), page.total(), page.next()))
        .onComplete(page -> json(ctx, 200, page), failure -> fail(ctx, failure));
  }

  private static JobState parseState(String state) {
    try {
      return JobState.valueOf(state);
    } catch (IllegalArgumentException e) {
      throw new ValidationException("state", "unknown job state '" + state + "'");
    }
  }

}
