package org.ucp.datastore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.logging.Logger;
import org.ucp.bus.FailureCode;
import org.ucp.bus.UcpException;
import org.ucp.model.ValidationException;

/**
 * The failures a datastore sends to brokers (and, through them, to clients), typed and worded
 * without the host's file system: a client learns which data name failed and why, never where
 * the datastore keeps its files. The full exception is logged on the datastore's node.
 */
final class StoreErrors {
  private static final Logger LOG = Logger.getLogger(StoreErrors.class.getName());

  private final String datastoreId;
  private final StoreLayout layout;
  private final Path root;

  StoreErrors(String datastoreId, Path root) {
    this.datastoreId = datastoreId;
    this.layout = StoreLayout.of(root);
    this.root = layout.root();
  }

  /** The typed, host-path-free form of a failure of file work. */
  Throwable forClient(Throwable t) {
    if (t instanceof UncheckedIOException u && u.getCause() != null) {
      t = u.getCause();
    }
    if (t instanceof UcpException || t instanceof ValidationException) {
      return t;
    }
    if (t instanceof NoSuchFileException e) {
      return new UcpException(FailureCode.NOT_FOUND, "no data named '" + dataName(e.getFile()) + "'");
    }
    if (t instanceof FileDataStore.StaleVersionException e) {
      return new UcpException(FailureCode.CONFLICT, scrub(e.getMessage()));
    }
    if (t instanceof IllegalArgumentException e) {
      return new UcpException(FailureCode.BAD_REQUEST, scrub(e.getMessage()));
    }
    Throwable logged = t;
    LOG.warning(() -> "datastore " + datastoreId + ": " + logged);
    if (t instanceof FileSystemException e) {
      String reason = e.getReason() == null ? e.getClass().getSimpleName() : e.getReason();
      return new UcpException(FailureCode.UNAVAILABLE, "datastore " + datastoreId + ": " + reason
          + (e.getFile() == null ? "" : " for '" + dataName(e.getFile()) + "'"));
    }
    if (t instanceof IOException e) {
      return new UcpException(FailureCode.UNAVAILABLE, "datastore " + datastoreId + ": " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + scrub(e.getMessage())));
    }
    return new UcpException(FailureCode.INTERNAL, "datastore " + datastoreId + ": " + t.getClass().getSimpleName()
        + (t.getMessage() == null ? "" : ": " + scrub(t.getMessage())));
  }

  /**
   * The data name a file of the store belongs to ({@link StoreLayout#nameOf}); a name given by the
   * code (not a host path) is kept as it is.
   */
  String dataName(String file) {
    if (file == null) {
      return "";
    }
    Path p = Path.of(file);
    if (!p.isAbsolute()) {
      return file;
    }
    p = p.normalize();
    if (!p.startsWith(root)) {
      return "(outside the datastore)";
    }
    return layout.nameOf(p);
  }

  /** Any text with the root's host path taken out. */
  String scrub(String text) {
    if (text == null) {
      return null;
    }
    String r = root.toString();
    return text.replace(r + java.io.File.separator, "").replace(r, "(datastore)");
  }
}
