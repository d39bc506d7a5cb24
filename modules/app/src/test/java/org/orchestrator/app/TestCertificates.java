package org.orchestrator.app;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Throw-away certificates made at test time: a certificate authority, and server certificates it
 * signs for {@code localhost} and {@code 127.0.0.1}, written as the PEM files a node is given.
 */
public final class TestCertificates {

  private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());

  /** An authority: its key and certificate; {@link #pem()} is what clients trust ({@code --cacert}). */
  public record Authority(KeyPair keys, X509Certificate certificate, Path pem) {
  }

  /** A server certificate's files and its serial number (what a client sees to tell two apart). */
  public record Server(Path certFile, Path keyFile, BigInteger serial) {
  }

  private TestCertificates() {
  }

  public static Authority authority(Path directory) throws Exception {
    KeyPair keys = keys();
    X500Name name = new X500Name("CN=orchestrator test CA");
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(), start(), end(), name,
        keys.getPublic()).addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    X509Certificate certificate = sign(builder, keys);
    Path pem = directory.resolve("ca.pem");
    Files.writeString(pem, pem(certificate));
    return new Authority(keys, certificate, pem);
  }

  /** A certificate for localhost signed by {@code authority}, written (replacing) to {@code cert} and {@code key}. */
  public static Server server(Authority authority, Path cert, Path key, String commonName) throws Exception {
    KeyPair keys = keys();
    BigInteger serial = serial();
    X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
        new X500Name(authority.certificate().getSubjectX500Principal().getName()), serial, start(), end(),
        new X500Name("CN=" + commonName), keys.getPublic())
        .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
    X509Certificate certificate = sign(builder, authority.keys());
    // written aside and moved into place, as an operator's tooling (certbot) does
    Path certTemp = Files.createTempFile(cert.getParent(), "cert", ".tmp");
    Path keyTemp = Files.createTempFile(key.getParent(), "key", ".tmp");
    Files.writeString(certTemp, pem(certificate));
    Files.writeString(keyTemp, pem(new JcaPKCS8Generator(keys.getPrivate(), null)));
    Files.move(keyTemp, key, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    Files.move(certTemp, cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    return new Server(cert, key, serial);
  }

  private static KeyPair keys() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    return generator.generateKeyPair();
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer) throws Exception {
    return new JcaX509CertificateConverter().getCertificate(builder.build(
        new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
  }

  private static BigInteger serial() {
    return BigInteger.valueOf(SERIALS.incrementAndGet());
  }

  private static Date start() {
    return Date.from(Instant.now().minus(Duration.ofHours(1)));
  }

  private static Date end() {
    return Date.from(Instant.now().plus(Duration.ofDays(2)));
  }

  private static String pem(Object object) throws IOException {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(object);
    }
    return text.toString();
  }
}
