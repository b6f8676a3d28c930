package org.ucp.broker;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ucp.bus.Messages.ExecutorInfo;
import org.ucp.sync.MetaEntry;
import org.ucp.sync.MetadataSync;

/**
 * Writes a broker's executor rows to the metadata, only those that changed (heartbeat times
 * aside). What an executor is executing stays with its broker: it changes with every program.
 * Rows of executors gone for a retention are deleted ({@link #retire}).
 */
final class ExecutorRows {
  private static final String PREFIX = "executor/";
  private final String brokerId;
  private final MetadataSync sync;
  private final Map<String, ExecutorInfo> written = new HashMap<>();

  ExecutorRows(String brokerId, MetadataSync sync) {
    this.brokerId = brokerId;
    this.sync = sync;
  }

  /**
   * Deletes this broker's rows of executors it no longer knows (its registry forgot them a
   * retention after they were LOST, or it restarted and they never came back) once a row is
   * older than {@code retentionMs} by its last heartbeat.
   */
  void retire(Set<String> known, long now, long retentionMs) {
    for (MetaEntry e : sync.replica().visible(PREFIX + brokerId + "/")) {
      ExecutorInfo row = MetadataSync.parse(e.value(), ExecutorInfo.class);
      if (!known.contains(row.executorId()) && now - row.lastHeartbeat() > retentionMs) {
        written.remove(row.executorId());
        sync.write(e.key(), null, 0);
      }
    }
  }

  void write(List<ExecutorInfo> rows) {
    for (ExecutorInfo row : rows) {
      ExecutorInfo stable = new ExecutorInfo(row.executorId(), row.broker(), row.slots(), row.running(),
          row.capabilities(), row.health(), 0);
      if (!stable.equals(written.get(row.executorId()))) {
        written.put(row.executorId(), stable);
        sync.write(PREFIX + brokerId + "/" + row.executorId(), new ExecutorInfo(row.executorId(), row.broker(),
            row.slots(), row.running(), row.capabilities(), row.health(), row.lastHeartbeat()), 0);
      }
    }
  }
}
