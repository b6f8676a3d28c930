package org.ucp.broker;

import org.ucp.model.JobView;

/** An index a {@link JobTable} keeps in step with its jobs: told of every job held as it changes, and of every job dropped. */
interface JobIndex {
  /** {@code job} is held as it is now (added, changed, or adopted). */
  void changed(JobView job);

  /** {@code jobId} is no longer held. */
  void remove(String jobId);

  /** An index that only needs to know which job changed, held or dropped alike. */
  static JobIndex byId(java.util.function.Consumer<String> changedId) {
    return new JobIndex() {
      @Override
      public void changed(JobView job) {
        changedId.accept(job.jobId());
      }

      @Override
      public void remove(String jobId) {
        changedId.accept(jobId);
      }
    };
  }
}
