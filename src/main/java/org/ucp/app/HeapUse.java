package org.ucp.app;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * What this process has allocated so far, and the collections that cost: the bytes its live
 * threads allocated (a thread that ended between two readings takes its bytes along, so a phase's
 * figure is a floor), and the collector's count and accumulated time. Every byte allocated brings
 * the next collection nearer, and while G1 collects the young generation it stops every thread:
 * those pauses set the tails of the latencies measured beside them.
 */
record HeapUse(long allocatedBytes, long collections, long collectionMs) {
  static HeapUse now() {
    long allocated = 0;
    if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads
        && threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled()) {
      for (long bytes : threads.getThreadAllocatedBytes(threads.getAllThreadIds())) {
        allocated += Math.max(0, bytes);
      }
    }
    long count = 0;
    long ms = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      count += Math.max(0, gc.getCollectionCount());
      ms += Math.max(0, gc.getCollectionTime());
    }
    return new HeapUse(allocated, count, ms);
  }

  HeapUse minus(HeapUse before) {
    return new HeapUse(allocatedBytes - before.allocatedBytes, collections - before.collections, collectionMs - before.collectionMs);
  }
}
