package org.ucp.security;

import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Date;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * A node's identity: its name, key and certificate, and the cluster authority's certificate it
 * trusts; loaded from {@code DIR/NAME.key}, {@code DIR/NAME.crt} and {@code DIR/ca.crt}, and checked
 * (signed by the authority, in date, named NAME, the key belongs to the certificate).
 */
public record Credentials(String name, PrivateKey key, X509Certificate cert, X509Certificate ca, Path keyFile,
    Path certFile, Path caFile) {
  public static final String CA_CERT = "ca.crt";

  public static Credentials load(Path dir, String name) {
    checkName(name);
    Path keyFile = dir.resolve(name + ".key");
    Path certFile = dir.resolve(name + ".crt");
    Path caFile = dir.resolve(CA_CERT);
    X509Certificate ca = Pem.readCertificate(caFile);
    X509Certificate cert = Pem.readCertificate(certFile);
    PrivateKey key = Pem.readPrivate(keyFile);
    String problem = problem(cert, ca);
    if (problem != null) {
      throw new IllegalArgumentException(certFile + ": " + problem);
    }
    if (!name.equals(commonName(cert))) {
      throw new IllegalArgumentException(certFile + ": issued to '" + commonName(cert) + "', not to '" + name + "'");
    }
    byte[] probe = "ucp key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    if (!Signatures.verify(cert.getPublicKey(), probe, Signatures.sign(key, probe))) {
      throw new IllegalArgumentException(keyFile + ": not the key of " + certFile);
    }
    return new Credentials(name, key, cert, ca, keyFile, certFile, caFile);
  }

  /** Names are node ids: 1-64 letters, digits, _ or -. */
  static void checkName(String name) {
    if (name == null || !name.matches("[A-Za-z0-9_-]{1,64}")) {
      throw new IllegalArgumentException("'" + name + "' is not a node name (1-64 letters, digits, _ or -)");
    }
  }

  /** Why {@code cert} is not a valid node certificate of {@code ca}'s cluster, or null if it is. */
  static String problem(X509Certificate cert, X509Certificate ca) {
    try {
      cert.checkValidity(new Date());
    } catch (CertificateException e) {
      return "out of date: " + e.getMessage();
    }
    if (!cert.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
      return "not issued by this cluster's authority";
    }
    try {
      cert.verify(ca.getPublicKey());
    } catch (java.security.GeneralSecurityException e) {
      return "not signed by this cluster's authority";
    }
    if (cert.getBasicConstraints() >= 0) {
      return "an authority's certificate, not a node's";
    }
    return commonName(cert) == null ? "no common name" : null;
  }

  /** The certificate's common name (CN), or null. */
  static String commonName(X509Certificate cert) {
    try {
      for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return String.valueOf(rdn.getValue());
        }
      }
    } catch (InvalidNameException e) {
      return null;
    }
    return null;
  }

  /** The certificate as PEM text (what a node shows the others as its member attribute). */
  public String certificatePem() {
    return Pem.text(cert);
  }
}
