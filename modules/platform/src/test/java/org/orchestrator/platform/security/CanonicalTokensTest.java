package org.orchestrator.platform.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.orchestrator.platform.config.OrchestratorConfig;

/**
 * One spelling per token (issue 30 item 8): ES256 signatures are malleable, (r, s) and (r, n - s)
 * both verify with the JDK, so only the low-S one is accepted and our own signing produces it; and a
 * token must say when it expires, with a number.
 */
class CanonicalTokensTest {

  /** The order of P-256. */
  static final BigInteger N = new BigInteger("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", 16);

  private Vertx vertx;
  private JWTAuth provider;
  private JWTAuth bare;
  private SigningKeys signingKeys;
  private OrchestratorConfig.Security security;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    Path keys = Files.createTempDirectory("canonical-tokens");
    // no cache of verified tokens: every call reaches the checks
    security = new OrchestratorConfig.Security("test", 3600, 1_000, null, keys, 0);
    signingKeys = SigningKeys.loadOrCreate(keys);
    provider = TokenAuth.provider(vertx, signingKeys, security);
    bare = JWTAuth.create(vertx, new io.vertx.ext.auth.jwt.JWTAuthOptions()
        .addPubSecKey(new io.vertx.ext.auth.PubSecKeyOptions().setAlgorithm("ES256").setBuffer(signingKeys.privatePem())));
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(5, TimeUnit.SECONDS);
  }

  @Test
  void ourOwnTokensAreAllLowS() {
    for (int i = 0; i < 200; i++) {
      String token = provider.generateToken(new JsonObject().put("sub", "1"), TokenAuth.signing(security, 600));
      BigInteger s = s(token);
      assertTrue(s.compareTo(N.shiftRight(1)) <= 0, "token " + i + " has a high S: " + s.toString(16));
      assertTrue(CanonicalTokens.isCanonical(token));
      assertTrue(authenticate(token).succeeded(), "token " + i + " verifies");
    }
  }

  @Test
  void theHighSTwinOfAValidTokenIsRefused() {
    String token = provider.generateToken(new JsonObject().put("sub", "1"), TokenAuth.signing(security, 600));
    String twin = withS(token, N.subtract(s(token)));
    assertTrue(jdkVerifies(twin), "the twin is a valid signature for the JDK: only the check of S refuses it");
    assertFalse(CanonicalTokens.isCanonical(twin));
    assertTrue(authenticate(twin).failed(), "the high-S twin is refused");
    assertTrue(authenticate(token).succeeded(), "the low-S original still verifies");
    // s = 0, s = n and s beyond n are no signatures at all
    for (BigInteger s : List.of(BigInteger.ZERO, N, N.add(BigInteger.ONE))) {
      assertFalse(CanonicalTokens.isCanonical(withS(token, s)), s.toString(16));
    }
  }

  /**
   * With the cache of verified tokens on (the shipped setting), no canonical check stands in front
   * of the cache: other spellings of a kept token (its high-S twin, a surplus signature character,
   * padding) miss it and are refused by the check in front of the verifier, an overlong token too,
   * and none of them is kept.
   */
  @Test
  void otherSpellingsOfACachedTokenAreRefused() {
    JWTAuth cached = TokenAuth.provider(vertx, signingKeys, new OrchestratorConfig.Security("test", 3600, 1_000,
        null, security.keyDirectory(), 100));
    String token = cached.generateToken(new JsonObject().put("sub", "1"), TokenAuth.signing(security, 600));
    assertTrue(authenticate(cached, token).succeeded());
    assertTrue(authenticate(cached, token).succeeded(), "served from the cache");
    List<String> spellings = List.of(withS(token, N.subtract(s(token))), token + "A", token + "=", " " + token,
        token + ".", token + "A".repeat(CanonicalTokens.MAX_LENGTH));
    for (String spelling : spellings) {
      assertTrue(authenticate(cached, spelling).failed(), "refused: " + spelling.substring(0, 20) + "... (length "
          + spelling.length() + ")");
    }
    assertTrue(authenticate(cached, token).succeeded(), "the canonical token is still served");
    assertEquals(1, ((VerifiedTokens) cached).size(), "no other spelling was kept");
  }

  @Test
  void aTokenWithoutExpOrWithANonNumericExpIsRefusedNeverThrown() {
    JWTOptions noExpiry = new JWTOptions().setAlgorithm("ES256").setIssuer("test").setAudience(List.of("test"));
    long later = System.currentTimeMillis() / 1000 + 600;
    String withoutExp = low(bare.generateToken(new JsonObject().put("sub", "1"), noExpiry));
    String stringExp = low(bare.generateToken(new JsonObject().put("sub", "1").put("exp", Long.toString(later)),
        noExpiry));
    String objectExp = low(bare.generateToken(new JsonObject().put("sub", "1").put("exp", new JsonObject()), noExpiry));
    String stringIat = low(bare.generateToken(new JsonObject().put("sub", "1").put("exp", later).put("iat", "now"),
        new JWTOptions().setAlgorithm("ES256").setIssuer("test").setAudience(List.of("test")).setNoTimestamp(true)));
    String stringNbf = low(bare.generateToken(new JsonObject().put("sub", "1").put("exp", later).put("nbf", "0"),
        noExpiry));
    String fine = low(bare.generateToken(new JsonObject().put("sub", "1").put("exp", later), noExpiry));
    assertTrue(authenticate(fine).succeeded(), "the same token with a numeric exp verifies");
    for (String token : List.of(withoutExp, stringExp, objectExp, stringIat, stringNbf)) {
      Future<User> refused = authenticate(token);
      assertTrue(refused.failed(), claims(token));
    }
  }

  /** Authenticates without letting a thrown exception pass as a refusal. */
  private Future<User> authenticate(String token) {
    return authenticate(provider, token);
  }

  private static Future<User> authenticate(JWTAuth provider, String token) {
    Future<User> result = provider.authenticate(new TokenCredentials(token));
    try {
      result.await(5, TimeUnit.SECONDS);
    } catch (Exception refused) {
      // a failed future is what a refusal is
    }
    return result;
  }

  /** {@code token} made low-S by hand, so that the other checks are what refuses it. */
  private static String low(String token) {
    BigInteger s = s(token);
    return s.compareTo(N.shiftRight(1)) > 0 ? withS(token, N.subtract(s)) : token;
  }

  static BigInteger s(String token) {
    byte[] signature = Base64.getUrlDecoder().decode(token.split("\\.")[2]);
    return new BigInteger(1, Arrays.copyOfRange(signature, 32, 64));
  }

  /** The same token with its signature's S replaced (R kept). */
  static String withS(String token, BigInteger s) {
    String[] parts = token.split("\\.");
    byte[] signature = Base64.getUrlDecoder().decode(parts[2]);
    byte[] bytes = s.toByteArray();
    byte[] fixed = new byte[32];
    int length = Math.min(bytes.length, 32);
    System.arraycopy(bytes, bytes.length - length, fixed, 32 - length, length);
    System.arraycopy(fixed, 0, signature, 32, 32);
    return parts[0] + "." + parts[1] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
  }

  /** SHA256withECDSA over the signing input, with the public key: what the JDK alone accepts. */
  private boolean jdkVerifies(String token) {
    try {
      String[] parts = token.split("\\.");
      byte[] der = Base64.getMimeDecoder().decode(signingKeys.publicPem().replaceAll("-----[A-Z ]+-----", ""));
      java.security.PublicKey key = java.security.KeyFactory.getInstance("EC")
          .generatePublic(new java.security.spec.X509EncodedKeySpec(der));
      java.security.Signature verifier = java.security.Signature.getInstance("SHA256withECDSAinP1363Format");
      verifier.initVerify(key);
      verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
      return verifier.verify(Base64.getUrlDecoder().decode(parts[2]));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String claims(String token) {
    return new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
  }
}
