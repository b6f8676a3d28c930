package org.ucp.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.ucp.bus.JsonCodec;

/**
 * One JSON text per value, the same on every node: map entries in key order (a record's map built
 * by {@code Map.copyOf} iterates in an order that differs from JVM to JVM).
 */
final class CanonicalJson {
  private static final ObjectMapper MAPPER = JsonCodec.MAPPER.copy().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  private CanonicalJson() {}

  static String of(Object value) {
    Object plain = value instanceof JsonObject j ? j.getMap() : value instanceof JsonArray a ? a.getList() : value;
    try {
      return MAPPER.writeValueAsString(plain);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write " + value.getClass().getName() + " as JSON: " + e.getMessage(), e);
    }
  }
}
