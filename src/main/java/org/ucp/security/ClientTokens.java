package org.ucp.security;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.ucp.sync.FolderSync;

/**
 * The client tokens of a cluster, as a file of entries {@code {"name", "role", "sha256",
 * "created"}}. Only the SHA-256 of a token is stored: a token is 32 random bytes (256 bits), so
 * its hash cannot be reversed or guessed, and a stolen file lets no one in. The token itself is
 * shown once, when it is created. Blocking file work: load at start, create from the command line.
 */
public final class ClientTokens {
  /** A token as given to a client: {@code ucp_} and 43 base64url characters. */
  private static final Pattern TOKEN = Pattern.compile("ucp_[A-Za-z0-9_-]{43}");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Who holds a token that checked out. */
  public record Holder(String name, ClientRole role) {}

  private final Map<String, Holder> byHash;

  private ClientTokens(Map<String, Holder> byHash) {
    this.byHash = Map.copyOf(byHash);
  }

  /** No tokens: a node with none stays open. */
  public static ClientTokens none() {
    return new ClientTokens(Map.of());
  }

  public boolean isEmpty() {
    return byHash.isEmpty();
  }

  public int size() {
    return byHash.size();
  }

  /** The holder of {@code token}, or empty when it is no token of this file. */
  public Optional<Holder> check(String token) {
    if (token == null || !TOKEN.matcher(token).matches()) {
      return Optional.empty();
    }
    return Optional.ofNullable(byHash.get(sha256(token)));
  }

  /** The token of an {@code Authorization: Bearer <token>} value, or null when it is none. */
  public static String bearer(String authorization) {
    return authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
        ? authorization.substring(7).trim() : null;
  }

  /** Reads a token file; a missing file is an error (the operator named it). */
  public static ClientTokens load(Path file) {
    Map<String, Holder> byHash = new LinkedHashMap<>();
    for (JsonObject entry : entries(file)) {
      byHash.put(entry.getString("sha256"), new Holder(entry.getString("name"),
          ClientRole.parse(file + ": role of '" + entry.getString("name") + "'", entry.getString("role"))));
    }
    return new ClientTokens(byHash);
  }

  /**
   * Adds a new token for {@code name} with {@code role} to {@code file} (created owner-only when
   * missing) and returns the token: the only time it is shown.
   */
  public static String create(Path file, String name, ClientRole role) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("--name: '" + name + "' must be 1-64 letters, digits or _ . : -");
    }
    List<JsonObject> entries = Files.exists(file) ? entries(file) : new ArrayList<>();
    if (entries.stream().anyMatch(e -> name.equals(e.getString("name")))) {
      throw new IllegalArgumentException("--name: " + file + " already has a token named '" + name + "'");
    }
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    String token = "ucp_" + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    entries.add(new JsonObject().put("name", name).put("role", role.id()).put("sha256", sha256(token))
        .put("created", Instant.now().toString()));
    write(file, new JsonObject().put("tokens", new JsonArray(new ArrayList<>(entries))).encodePrettily());
    return token;
  }

  /** The names and roles in {@code file}, never the hashes. */
  public static List<Holder> list(Path file) {
    return entries(file).stream()
        .map(e -> new Holder(e.getString("name"), ClientRole.parse("role", e.getString("role"))))
        .toList();
  }

  private static List<JsonObject> entries(Path file) {
    JsonObject json;
    try {
      json = new JsonObject(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the token file " + file + ": " + e.getMessage());
    } catch (DecodeException e) {
      throw new IllegalArgumentException(file + " is not a token file (JSON {\"tokens\": [...]})");
    }
    JsonArray tokens = json.getJsonArray("tokens");
    if (tokens == null) {
      throw new IllegalArgumentException(file + " is not a token file (JSON {\"tokens\": [...]})");
    }
    List<JsonObject> entries = new ArrayList<>();
    for (int i = 0; i < tokens.size(); i++) {
      if (!(tokens.getValue(i) instanceof JsonObject e) || !(e.getValue("name") instanceof String)
          || !(e.getValue("role") instanceof String) || !(e.getValue("sha256") instanceof String h)
          || !h.matches("[0-9a-f]{64}")) {
        throw new IllegalArgumentException(file + ": entry " + i + " needs a name, a role and a sha256 of 64 hex digits");
      }
      entries.add(e);
    }
    return entries;
  }

  private static void write(Path file, String text) {
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, ".tokens", ".tmp",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      // forced before the rename, and the folder after it: a power cut leaves the old file or the new one
      FolderSync.writeForced(tmp, text.getBytes(StandardCharsets.UTF_8));
      try {
        FolderSync.replace(tmp, file);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the token file " + file + ": " + e.getMessage(), e);
    }
  }

  static String sha256(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
