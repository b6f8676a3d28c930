package org.ucp.security;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The certificates cluster members show (the {@value #ATTRIBUTE} member attribute, PEM), kept by
 * name once they check out against the cluster authority. A member whose certificate does not
 * check out is logged once and ignored: no name maps to it, so nothing it signs is accepted.
 * Reads only the local member list (no remote call), so it is safe on an event loop.
 */
public final class MemberCerts {
  public static final String ATTRIBUTE = "ucp.cert";
  private static final Logger LOG = Logger.getLogger(MemberCerts.class.getName());

  private final HazelcastInstance hazelcast;
  private final X509Certificate ca;
  private final Map<String, X509Certificate> byName = new ConcurrentHashMap<>();
  private final Set<String> seen = ConcurrentHashMap.newKeySet();

  public MemberCerts(HazelcastInstance hazelcast, X509Certificate ca) {
    this.hazelcast = hazelcast;
    this.ca = ca;
  }

  /** The checked certificate of the member named {@code name}, or null. */
  X509Certificate of(String name) {
    X509Certificate cert = byName.get(name);
    return cert != null ? cert : refresh(name);
  }

  /** Every member's checked certificate by name, as the local member list shows them now. */
  Map<String, X509Certificate> all() {
    refresh(null);
    return byName;
  }

  /** Reads the member list again (a member joined, or re-joined with a new certificate). */
  X509Certificate refresh(String name) {
    for (Member m : hazelcast.getCluster().getMembers()) {
      String pem = m.getAttribute(ATTRIBUTE);
      String key = m.getUuid() + "/" + (pem == null ? 0 : pem.hashCode());
      if (!seen.add(key)) {
        continue;
      }
      X509Certificate cert = pem == null ? null : Pem.certificate(pem);
      String problem = cert == null ? "shows no certificate" : Credentials.problem(cert, ca);
      if (problem != null) {
        LOG.warning(() -> "cluster member " + m.getAddress() + " is ignored: its certificate " + problem);
        continue;
      }
      byName.put(Credentials.commonName(cert), cert);
    }
    return name == null ? null : byName.get(name);
  }
}
