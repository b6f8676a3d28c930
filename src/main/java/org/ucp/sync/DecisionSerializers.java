package org.ucp.sync;

import com.hazelcast.config.Config;
import com.hazelcast.config.SerializerConfig;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.StreamSerializer;
import java.io.IOException;
import org.ucp.bus.JsonCodec;
import org.ucp.sync.DecisionStore.Arbitration;
import org.ucp.sync.DecisionStore.Outcome;

/**
 * How Hazelcast turns decision entries and decisions into bytes: their JSON, written straight
 * into Hazelcast's own buffer. Java serialization did the same through an {@code
 * ObjectOutputStream} and its class descriptors, each time an entry processor ran (the map keeps
 * a copy of the old value for its index) and each time one answered: 2 % of the bench's CPU. Every
 * member registers them through {@link #register}; the classes keep their Java form for anything
 * else that serializes them.
 */
public final class DecisionSerializers {
  /** Type ids of UCP's own serializers (positive: Hazelcast keeps the negative ones). */
  static final int ARBITRATION = 7301;
  static final int OUTCOME = 7302;
  private static final int MAX_BYTES = 16 << 20;

  private DecisionSerializers() {}

  /** Adds both serializers to a member's configuration. */
  public static Config register(Config config) {
    config.getSerializationConfig()
        .addSerializerConfig(new SerializerConfig().setTypeClass(Arbitration.class).setImplementation(new Json<>(ARBITRATION, Arbitration.class)))
        .addSerializerConfig(new SerializerConfig().setTypeClass(Outcome.class).setImplementation(new Json<>(OUTCOME, Outcome.class)));
    return config;
  }

  /** A value as its JSON bytes, at most {@value #MAX_BYTES} of them. */
  static final class Json<T> implements StreamSerializer<T> {
    private final int typeId;
    private final Class<T> type;

    Json(int typeId, Class<T> type) {
      this.typeId = typeId;
      this.type = type;
    }

    @Override
    public int getTypeId() {
      return typeId;
    }

    @Override
    public void write(ObjectDataOutput out, T value) throws IOException {
      out.writeByteArray(JsonCodec.MAPPER.writeValueAsBytes(value));
    }

    @Override
    public T read(ObjectDataInput in) throws IOException {
      byte[] json = in.readByteArray();
      if (json == null || json.length > MAX_BYTES) {
        throw new IOException("a " + type.getSimpleName() + " of " + (json == null ? "no" : json.length) + " bytes");
      }
      return JsonCodec.MAPPER.readValue(json, type);
    }
  }
}
