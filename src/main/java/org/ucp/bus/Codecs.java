package org.ucp.bus;

import io.vertx.core.Vertx;
import java.util.List;
import org.ucp.model.JobView;

/** Registers one JSON codec per message record, and the chunk codec ({@link ChunkCodec}), on a node's event bus. */
public final class Codecs {
  private Codecs() {}

  /** Every type that crosses the bus as a record. */
  public static final List<Class<?>> MESSAGE_TYPES =
      List.of(
          Messages.SubmitJob.class,
          Messages.JobAccepted.class,
          Messages.JobQuery.class,
          Messages.JobListQuery.class,
          Messages.JobPage.class,
          JobView.class,
          Messages.RegisterExecutor.class,
          Messages.Registered.class,
          Messages.Heartbeat.class,
          Messages.HeartbeatReply.class,
          Messages.RunJob.class,
          Messages.AttemptAssigned.class,
          Messages.ResultSubmission.class,
          Messages.Decision.class,
          Messages.ResultDecided.class,
          Messages.ResultRepair.class,
          Messages.DataEntry.class,
          Messages.DataListQuery.class,
          Messages.DataPage.class,
          Messages.CopyData.class,
          Messages.ClusterView.class,
          Messages.DataRequest.class,
          Messages.StopAttempt.class,
          Messages.CancelJob.class,
          Messages.LogRead.class,
          Messages.LogChunk.class,
          Messages.BrokerAnnounce.class,
          org.ucp.model.EmergencyState.class,
          Messages.ArbiterStatsView.class,
          Messages.SyncDelta.class,
          Messages.SyncDigest.class,
          Messages.CoordinationView.class,
          Messages.IndexUpdate.class,
          Messages.DataLocation.class,
          Messages.UploadTicket.class,
          Messages.ReadAt.class,
          Messages.DeleteData.class,
          Messages.LocalCopy.class,
          Messages.DatastoreAnnounce.class,
          Messages.DatastoreInfo.class);

  public static void register(Vertx vertx) {
    for (Class<?> type : MESSAGE_TYPES) {
      registerOne(vertx, type);
    }
    vertx.eventBus().registerCodec(new ChunkCodec());
  }

  private static <T> void registerOne(Vertx vertx, Class<T> type) {
    vertx.eventBus().registerDefaultCodec(type, new JsonCodec<>(type));
  }
}
