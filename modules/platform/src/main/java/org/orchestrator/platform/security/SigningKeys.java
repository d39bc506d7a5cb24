package org.orchestrator.platform.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ES256 key pair that signs and verifies access tokens. Read from {@code <data-dir>/jwt/}; on the
 * first start a new pair is generated there (private key mode 0600). Never committed, never logged.
 *
 * @param privatePem PKCS#8 private key
 * @param publicPem X.509 public key
 */
public record SigningKeys(String privatePem, String publicPem) {

  public static final String ALGORITHM = "ES256";
  private static final Logger LOG = LoggerFactory.getLogger(SigningKeys.class);

  /** Loads the key pair from {@code directory}, generating it when absent. */
  public static SigningKeys loadOrCreate(Path directory) throws IOException {
    Path privateFile = directory.resolve("signing-key.pem");
    Path publicFile = directory.resolve("signing-key.pub.pem");
    if (!Files.exists(privateFile)) {
      KeyPair pair = generate();
      Path publicTemp = directory.resolve(".signing-key.pub.pem." + ProcessHandle.current().pid());
      Files.createDirectories(directory);
      Files.writeString(publicTemp, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
      try {
        SecretFiles.writeNew(privateFile, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
        Files.move(publicTemp, publicFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        LOG.info("generated a new token signing key in {}", directory);
      } catch (IOException anotherNodeWon) {
        Files.deleteIfExists(publicTemp); // a node sharing the directory wrote its key first: use that one
        waitFor(publicFile);
      }
    }
    String privatePem = Files.readString(privateFile);
    if (!Files.exists(publicFile)) {
      throw new IOException("the signing key " + privateFile + " has no public half " + publicFile);
    }
    checkPrivateKey(privatePem, privateFile);
    return new SigningKeys(privatePem, Files.readString(publicFile));
  }

  private static void waitFor(Path file) throws IOException {
    for (int i = 0; i < 50 && !Files.exists(file); i++) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for " + file, e);
      }
    }
  }

  private static KeyPair generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot generate P-256 keys", e);
    }
  }

  private static void checkPrivateKey(String pemText, Path file) throws IOException {
    try {
      String body = pemText.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
      KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IOException("not a PKCS#8 EC private key: " + file, e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  @Override
  public String toString() {
    return "SigningKeys[" + ALGORITHM + "]";
  }

}
