package org.ucp.security;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/** PEM files through Bouncy Castle: PKCS#8 private keys (owner-only) and X.509 certificates. */
final class Pem {
  private Pem() {}

  static void writePrivate(Path file, PrivateKey key) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(new JcaPKCS8Generator(key, null));
    }
    Files.writeString(file, out.toString(), StandardCharsets.US_ASCII);
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: the operator keeps it safe
    }
  }

  static void writeCertificate(Path file, X509Certificate cert) throws IOException {
    Files.writeString(file, text(cert), StandardCharsets.US_ASCII);
  }

  static String text(X509Certificate cert) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(cert);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  static PrivateKey readPrivate(Path file) {
    Object o = parse(file);
    try {
      if (o instanceof PrivateKeyInfo info) {
        return new JcaPEMKeyConverter().getPrivateKey(info);
      }
      if (o instanceof PEMKeyPair pair) {
        return new JcaPEMKeyConverter().getPrivateKey(pair.getPrivateKeyInfo());
      }
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": not a readable private key: " + e.getMessage());
    }
    throw new IllegalArgumentException(file + ": no private key in it");
  }

  static X509Certificate readCertificate(Path file) {
    return certificate(parse(file), file.toString());
  }

  /** A certificate from PEM text, or null when the text holds none. */
  static X509Certificate certificate(String pem) {
    try (PEMParser p = new PEMParser(new StringReader(pem))) {
      return certificate(p.readObject(), "certificate");
    } catch (IOException | IllegalArgumentException e) {
      return null;
    }
  }

  private static X509Certificate certificate(Object o, String what) {
    if (!(o instanceof X509CertificateHolder holder)) {
      throw new IllegalArgumentException(what + ": no certificate in it");
    }
    try {
      return new JcaX509CertificateConverter().getCertificate(holder);
    } catch (CertificateException e) {
      throw new IllegalArgumentException(what + ": not a valid certificate: " + e.getMessage());
    }
  }

  private static Object parse(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("no file " + file);
    }
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII); PEMParser p = new PEMParser(r)) {
      return p.readObject();
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": not PEM: " + e.getMessage());
    }
  }
}
