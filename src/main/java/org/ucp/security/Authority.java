package org.ucp.security;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The cluster's certificate authority: {@code certs init} makes its key and self-signed
 * certificate, {@code certs node NAME} issues a node's key and certificate under it (the name is
 * the certificate's common name). EC P-256 keys, SHA-256 with ECDSA; certificates by Bouncy
 * Castle's PKIX builders. The authority's key stays with the operator; nodes get
 * {@value Credentials#CA_CERT}, their own {@code NAME.crt} and {@code NAME.key}.
 */
public final class Authority {
  public static final String CA_KEY = "ca.key";
  static final Duration CA_VALIDITY = Duration.ofDays(3650);
  static final Duration NODE_VALIDITY = Duration.ofDays(825);

  private final PrivateKey key;
  private final X509Certificate cert;

  private Authority(PrivateKey key, X509Certificate cert) {
    this.key = key;
    this.cert = cert;
  }

  /** Creates a new authority in {@code dir}; refuses to overwrite one that is there. */
  public static Authority init(Path dir, String clusterName) {
    Path keyFile = dir.resolve(CA_KEY);
    Path certFile = dir.resolve(Credentials.CA_CERT);
    if (Files.exists(keyFile) || Files.exists(certFile)) {
      throw new IllegalArgumentException(dir + " already holds an authority (" + CA_KEY + ", " + Credentials.CA_CERT
          + "); remove them first to start over");
    }
    KeyPair pair = newKeyPair();
    X500Name subject = name("UCP cluster authority " + clusterName);
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder = builder(subject, subject, pair, CA_VALIDITY)
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
          .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
      X509Certificate cert = sign(builder, pair.getPrivate());
      Files.createDirectories(dir);
      Pem.writePrivate(keyFile, pair.getPrivate());
      Pem.writeCertificate(certFile, cert);
      return new Authority(pair.getPrivate(), cert);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The authority kept in {@code dir} by {@link #init}. */
  public static Authority open(Path dir) {
    Path keyFile = dir.resolve(CA_KEY);
    if (!Files.exists(keyFile)) {
      throw new IllegalArgumentException("no " + CA_KEY + " in " + dir + " (run certs init there first)");
    }
    return new Authority(Pem.readPrivate(keyFile), Pem.readCertificate(dir.resolve(Credentials.CA_CERT)));
  }

  /**
   * Issues {@code name}'s key and certificate into {@code out} ({@code NAME.key},
   * {@code NAME.crt}, and a copy of {@value Credentials#CA_CERT}); {@code hosts} (host names or IP
   * addresses) go into the subject alternative names beside the name itself.
   */
  public Credentials issue(Path out, String name, List<String> hosts) {
    Credentials.checkName(name);
    KeyPair pair = newKeyPair();
    try {
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      List<GeneralName> alt = new ArrayList<>();
      alt.add(new GeneralName(GeneralName.dNSName, name));
      for (String host : hosts) {
        alt.add(new GeneralName(host.matches("[0-9.]+|.*:.*") ? GeneralName.iPAddress : GeneralName.dNSName, host));
      }
      X509v3CertificateBuilder builder = builder(X500Name.getInstance(cert.getSubjectX500Principal().getEncoded()),
          name(name), pair, NODE_VALIDITY)
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement))
          .addExtension(Extension.extendedKeyUsage, false,
              new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
          .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alt.toArray(GeneralName[]::new)))
          .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(cert));
      X509Certificate issued = sign(builder, key);
      Files.createDirectories(out);
      Pem.writePrivate(out.resolve(name + ".key"), pair.getPrivate());
      Pem.writeCertificate(out.resolve(name + ".crt"), issued);
      Path caCopy = out.resolve(Credentials.CA_CERT);
      if (!Files.exists(caCopy)) {
        Pem.writeCertificate(caCopy, cert);
      }
      return Credentials.load(out, name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public X509Certificate certificate() {
    return cert;
  }

  private static X500Name name(String commonName) {
    return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "UCP").addRDN(BCStyle.CN, commonName).build();
  }

  private static X509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair pair, Duration validity) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(issuer, new BigInteger(127, new SecureRandom()).add(BigInteger.ONE),
        Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(validity)), subject, pair.getPublic());
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer) throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder(Signatures.ALGORITHM).build(signer)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  static KeyPair newKeyPair() {
    try {
      KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
      gen.initialize(new ECGenParameterSpec("secp256r1"));
      return gen.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
