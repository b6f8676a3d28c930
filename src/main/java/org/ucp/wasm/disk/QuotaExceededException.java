package org.ucp.wasm.disk;

import java.nio.file.FileSystemException;

/** A change to a job directory refused because it would pass the job's disk or file limit. */
public final class QuotaExceededException extends FileSystemException {
  QuotaExceededException(String reason) {
    super(null, null, reason);
  }
}
