package org.ucp.broker;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.ucp.bus.Messages.ExecutorInfo;
import org.ucp.sync.MetadataSync;

/**
 * Writes a broker's executor rows to the metadata, only those that changed (heartbeat times
 * aside). What an executor is executing stays with its broker: it changes with every program.
 */
final class ExecutorRows {
  private final String brokerId;
  private final MetadataSync sync;
  private final Map<String, ExecutorInfo> written = new HashMap<>();

  ExecutorRows(String brokerId, MetadataSync sync) {
    this.brokerId = brokerId;
    this.sync = sync;
  }

  void write(List<ExecutorInfo> rows) {
    for (ExecutorInfo row : rows) {
      ExecutorInfo stable = new ExecutorInfo(row.executorId(), row.broker(), row.slots(), row.running(),
          row.capabilities(), row.health(), 0);
      if (!stable.equals(written.get(row.executorId()))) {
        written.put(row.executorId(), stable);
        sync.write("executor/" + brokerId + "/" + row.executorId(), new ExecutorInfo(row.executorId(), row.broker(),
            row.slots(), row.running(), row.capabilities(), row.health(), row.lastHeartbeat()), 0);
      }
    }
  }
}
