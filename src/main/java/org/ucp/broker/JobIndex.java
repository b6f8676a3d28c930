package org.ucp.broker;

import org.ucp.model.JobView;

/** An index a {@link JobTable} keeps in step with its jobs: told of every job held as it changes, and of every job dropped. */
interface JobIndex {
  /** {@code job} is held as it is now (added, changed, or adopted). */
  void changed(JobView job);

  /** {@code jobId} is no longer held. */
  void remove(String jobId);
}
