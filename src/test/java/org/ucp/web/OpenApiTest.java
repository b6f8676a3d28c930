package org.ucp.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.ucp.app.Embedded;
import org.ucp.bus.Codecs;
import org.ucp.config.ConfigLoader;
import org.ucp.config.UcpConfig;
import org.ucp.testing.RawHttp;

/**
 * {@code GET /api/openapi.json} describes exactly the routes the router serves: every API route
 * is in the document, and every operation in the document is a route.
 */
@Timeout(60)
class OpenApiTest {
  @Test
  void theDocumentAndTheRouterNameTheSameRoutes() {
    Vertx vertx = Vertx.vertx();
    try {
      Codecs.register(vertx);
      UcpConfig config = ConfigLoader.load(null, Map.of("http.port", "0"), Map.of(), Map.of());
      WebVerticle web = new WebVerticle(config.http(), "openapi", new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
      Embedded.await(vertx.deployVerticle(web), 30);

      Set<String> served = new TreeSet<>();
      for (io.vertx.ext.web.Route route : web.routes()) {
        String path = route.getPath();
        if (path == null || route.methods() == null || route.methods().isEmpty() || path.equals("/") || path.equals("/api/")) {
          continue; // checks on every request, the body handler, the dashboard's files
        }
        String documented = route.isExactPath() ? path.replaceAll(":(\\w+)", "{$1}") : path + "{name}";
        for (HttpMethod m : route.methods()) {
          served.add(m.name() + " " + documented);
        }
      }
      JsonObject doc = new RawHttp("http://127.0.0.1:" + web.port()).get("/api/openapi.json").json();
      Set<String> described = new TreeSet<>();
      JsonObject paths = doc.getJsonObject("paths");
      for (String path : paths.fieldNames()) {
        for (String method : paths.getJsonObject(path).fieldNames()) {
          described.add(method.toUpperCase(java.util.Locale.ROOT) + " " + path);
        }
      }
      assertEquals("3.0.3", doc.getString("openapi"));
      assertEquals(served, described, "routes served vs routes described");
    } finally {
      Embedded.await(vertx.close(), 30);
    }
  }
}
