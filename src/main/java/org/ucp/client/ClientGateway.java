package org.ucp.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.util.logging.Logger;
import org.ucp.bus.Addresses;
import org.ucp.bus.FailureCode;
import org.ucp.bus.Failures;
import org.ucp.bus.JsonCodec;
import org.ucp.bus.UcpException;
import org.ucp.config.UcpConfig.HttpConfig;

/**
 * The client operations as JSON on the event bus ({@code ucp.client.*}), and, when {@code
 * http.bridgePort} is set, the TCP bridge for programs outside the cluster ({@link ClientBridge}).
 * The bridge lets in only requests to {@code ucp.client.submit} and {@code ucp.client.job} and
 * lets out only {@code ucp.client.events}: nothing that could forge a result, store data or reach
 * an executor or a broker directly.
 */
public final class ClientGateway extends VerticleBase {
  private static final Logger LOG = Logger.getLogger(ClientGateway.class.getName());

  private final HttpConfig config;
  private final ClientEdge edge;
  private ClientBridge bridge;

  public ClientGateway(HttpConfig config) {
    this(config, ClientEdge.open(config));
  }

  public ClientGateway(HttpConfig config, ClientEdge edge) {
    this.config = config;
    this.edge = edge;
  }

  @Override
  public Future<?> start() {
    UcpClient client = new UcpClient(vertx);
    BrokerQueries brokers = new BrokerQueries(vertx, BrokerDirectory.listen(vertx, 2_000));
    // Requests through the bridge name their sender, whose waiting jobs are counted; a program
    // inside the cluster sends none.
    vertx.eventBus().<JsonObject>consumer(Addresses.CLIENT_SUBMIT,
        m -> answer(m, edge.quota().submit(m.headers().get(ClientBridge.SUBMITTER), brokers,
            () -> client.submit(m.body() == null ? "" : m.body().encode(), m.headers().get(ClientBridge.TOKEN_HOLDER)))));
    vertx.eventBus().<JsonObject>consumer(Addresses.CLIENT_JOB, m -> {
      String jobId = m.body() == null ? null : m.body().getString("jobId");
      answer(m, jobId == null
          ? Future.failedFuture(new UcpException(FailureCode.BAD_REQUEST, "jobId: required"))
          : client.job(jobId).map(org.ucp.model.JobView::redacted));
    });
    // Each gateway republishes to its own node only, so a bridge client hears each result once.
    client.watchResults(d -> vertx.eventBus().publish(Addresses.CLIENT_EVENTS,
        json(d).put("type", "result"), new DeliveryOptions().setLocalOnly(true)));
    if (config.bridgePort() < 0) {
      return Future.succeededFuture();
    }
    ClientBridge b = new ClientBridge(vertx, edge.access(), edge.connections(), config.idleTimeoutSeconds());
    return b.listen(config.bridgePort(), config.host())
        .onSuccess(s -> {
          bridge = b;
          LOG.info(() -> "TCP bridge on " + config.host() + ":" + config.bridgePort());
        });
  }

  @Override
  public Future<?> stop() {
    return bridge == null ? Future.succeededFuture() : bridge.close();
  }

  private static void answer(Message<JsonObject> m, Future<?> result) {
    result.onComplete(r -> m.reply(json(r)), failure -> Failures.reply(m, failure));
  }

  private static JsonObject json(Object record) {
    try {
      return new JsonObject(JsonCodec.MAPPER.writeValueAsString(record));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

}
