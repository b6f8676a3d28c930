package org.ucp.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The MAC key this node shares with each other node, agreed without a message: ECDH between this
 * node's private key and the public key in the other's certificate gives both the same secret,
 * from which HMAC-SHA256 over both names derives the key. No third node can compute it, so a MAC
 * under it proves the sender to that one receiver. Keys are kept per certificate (a renewed
 * certificate gets a new key).
 */
final class PairKeys {
  private static final String LABEL = "ucp bus mac v1";

  private final String self;
  private final PrivateKey key;
  private final Map<X509Certificate, SecretKeySpec> keys = new ConcurrentHashMap<>();

  PairKeys(String self, PrivateKey key) {
    this.self = self;
    this.key = key;
  }

  /** HMAC-SHA256 of {@code data} under the key shared with the holder of {@code peer}. */
  byte[] mac(String peerName, X509Certificate peer, byte[] data) {
    SecretKeySpec shared = keys.computeIfAbsent(peer, p -> derive(peerName, p));
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(shared);
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot compute a MAC: " + e.getMessage(), e);
    }
  }

  private SecretKeySpec derive(String peerName, X509Certificate peer) {
    try {
      KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
      agreement.init(key);
      agreement.doPhase(peer.getPublicKey(), true);
      byte[] secret = agreement.generateSecret();
      Mac kdf = Mac.getInstance("HmacSHA256");
      kdf.init(new SecretKeySpec(secret, "HmacSHA256"));
      String first = self.compareTo(peerName) <= 0 ? self : peerName;
      String second = first.equals(self) ? peerName : self;
      byte[] derived = kdf.doFinal((LABEL + "\n" + first + "\n" + second).getBytes(StandardCharsets.UTF_8));
      return new SecretKeySpec(derived, "HmacSHA256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot agree a key with " + peerName + ": " + e.getMessage(), e);
    }
  }
}
