package org.ucp.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.ucp.config.Args;
import org.ucp.model.DataName;

/** {@code put NAME FILE}, {@code get NAME -o FILE}, {@code ls PREFIX}: named data, streamed. */
final class DataCommands {
  private static final int PAGE = 1000;

  private DataCommands() {}

  static int put(Session s) {
    var args = s.positional("put NAME FILE", 2);
    Path file = Path.of(args.get(1));
    if (!Files.isRegularFile(file)) {
      throw new CliException("cannot read " + file + ": no such file");
    }
    JsonObject entry = s.api().putFile(args.get(0), file);
    if (s.json()) {
      s.printJson(entry);
    } else {
      s.out().println("stored " + args.get(0) + " (" + entry.getValue("size", "?") + " bytes, sha256 " + entry.getString("sha256", "?") + ")");
    }
    return 0;
  }

  static int get(Session s) {
    String name = s.positional("get NAME [-o FILE]", 1).get(0);
    String out = s.flags().get("--output");
    if (out == null) {
      if (s.json()) {
        throw new Args.UsageException("get --json needs -o FILE (the data goes to the file, the JSON to stdout)");
      }
      s.api().getDataTo(name, s.out());
      s.out().flush();
      return 0;
    }
    Path file = Path.of(out);
    long bytes = s.api().getDataTo(name, file);
    if (s.json()) {
      s.printJson(new JsonObject().put("name", name).put("file", file.toString()).put("bytes", bytes));
    } else {
      s.out().println("wrote " + file + " (" + bytes + " bytes)");
    }
    return 0;
  }

  /** Whether {@code name} is an attempt's provisional output, {@code <jobId>/attempts/...}. */
  static boolean provisional(String name) {
    return name != null && DataName.isJobOwned(name) && name.indexOf('/') + 1 == name.indexOf("attempts/");
  }

  /** Lists every name under the prefix (all pages); {@code ls} alone lists everything. */
  static int ls(Session s) {
    if (s.flags().positional().size() > 1) {
      throw new Args.UsageException("unexpected argument '" + s.flags().positional().get(1) + "'; usage: ls [PREFIX]");
    }
    String prefix = s.flags().positional().isEmpty() ? "" : s.flags().positional().get(0);
    JsonArray entries = new JsonArray();
    long total;
    int page = 0;
    do {
      JsonObject answer = s.api().listData(prefix, page++, PAGE);
      total = answer.getLong("total", 0L);
      JsonArray got = answer.getJsonArray("entries", new JsonArray());
      got.forEach(entries::add);
      if (got.isEmpty()) {
        break;
      }
    } while (entries.size() < total);
    if (!s.flags().has("--all")) {
      // An attempt's provisional outputs (<jobId>/attempts/<n>/...) are the platform's working
      // copies, not results: shown only with --all.
      JsonArray kept = new JsonArray();
      entries.stream().filter(o -> !provisional(((JsonObject) o).getString("name"))).forEach(kept::add);
      total -= entries.size() - kept.size();
      entries = kept;
    }
    if (s.json()) {
      s.printJson(new JsonObject().put("prefix", prefix).put("total", total).put("entries", entries));
    } else {
      for (Object o : entries) {
        JsonObject e = (JsonObject) o;
        s.out().println(e.getValue("size", "?") + "\t" + e.getString("name"));
      }
    }
    return 0;
  }
}
