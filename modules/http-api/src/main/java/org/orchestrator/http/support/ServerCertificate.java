package org.orchestrator.http.support;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import io.vertx.core.net.TCPSSLOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Set;
import java.util.function.Function;
import org.orchestrator.platform.StartupFailure;
import org.orchestrator.platform.config.OrchestratorConfig.Tls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's TLS certificate from {@code http.tls} (decision 114): the PEM files read at start (a
 * missing or unreadable file stops the start with one line naming the setting), TLS 1.2 and 1.3
 * only, and read again every {@code reloadSeconds}: when their bytes changed, each server (every
 * HTTP verticle instance, the bridge) is handed the new certificate for the connections that open
 * from then on. A half-written pair (a new certificate beside the old key) is refused by the
 * server and retried at the next check; the old certificate serves meanwhile.
 */
public final class ServerCertificate {

  private static final Logger LOG = LoggerFactory.getLogger(ServerCertificate.class);
  /** The protocols the node speaks; older ones are refused at the handshake. */
  public static final Set<String> PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

  private final Vertx vertx;
  private final Tls tls;
  private final String what;
  private final java.util.concurrent.atomic.AtomicReference<String> announced;
  private String applied;
  private long timer = -1;
  private boolean checking;

  /**
   * @param what the server, for log lines ("the HTTP API", "the event-bus bridge")
   * @param announced shared by the instances of one server, so that a reload is logged once
   */
  public ServerCertificate(Vertx vertx, Tls tls, String what,
      java.util.concurrent.atomic.AtomicReference<String> announced) {
    this.vertx = vertx;
    this.tls = tls;
    this.what = what;
    this.announced = announced;
  }

  /** The files as they are now, checked; a failure names the setting. Blocking (small files, at start). */
  public PemKeyCertOptions load() {
    Pair pair = read();
    applied = pair.digest();
    announced.compareAndSet(null, pair.digest());
    return pair.options();
  }

  /** {@code options} made TLS 1.2/1.3 with the current certificate. */
  public <T extends TCPSSLOptions> T secure(T options) {
    options.setSsl(true).setKeyCertOptions(load()).setEnabledSecureTransportProtocols(PROTOCOLS);
    return options;
  }

  /**
   * Checks the files every {@code reloadSeconds}; on a change hands the new certificate to
   * {@code update} (a server's {@code updateSSLOptions(options, true)}).
   */
  public void watch(Function<ServerSSLOptions, Future<Boolean>> update) {
    timer = vertx.setPeriodic(tls.reloadSeconds() * 1_000L, tick -> check(update));
  }

  public void stop() {
    vertx.cancelTimer(timer);
  }

  private void check(Function<ServerSSLOptions, Future<Boolean>> update) {
    if (checking) {
      return;
    }
    checking = true;
    vertx.executeBlocking(this::read, false)
        .compose(pair -> {
          if (pair.digest().equals(applied)) {
            return Future.succeededFuture();
          }
          ServerSSLOptions options = new ServerSSLOptions().setKeyCertOptions(pair.options())
              .setEnabledSecureTransportProtocols(PROTOCOLS);
          return update.apply(options).onSuccess(done -> {
            applied = pair.digest();
            if (!pair.digest().equals(announced.getAndSet(pair.digest()))) {
              LOG.info("{}: TLS certificate reloaded from {} ({})", what, tls.certFile(), pair.describe());
            }
          }).mapEmpty();
        })
        .onFailure(failure -> LOG.warn("{}: TLS certificate in {} not reloaded, the previous one serves: {}", what,
            tls.certFile(), failure.getMessage()))
        .onComplete(done -> checking = false);
  }

  private record Pair(PemKeyCertOptions options, String digest, String describe) {
  }

  private Pair read() {
    byte[] cert = bytes(tls.certFile().toString(), "http.tls.certFile (ORCH_TLS_CERT)");
    byte[] key = bytes(tls.keyFile().toString(), "http.tls.keyFile (ORCH_TLS_KEY)");
    String describe;
    try {
      X509Certificate first = (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(cert));
      describe = "subject " + first.getSubjectX500Principal().getName() + ", valid until " + first.getNotAfter()
          .toInstant();
    } catch (CertificateException | RuntimeException e) {
      throw new StartupFailure("http.tls.certFile (ORCH_TLS_CERT): " + tls.certFile() + " holds no PEM certificate: "
          + e.getMessage(), e);
    }
    if (!new String(key, java.nio.charset.StandardCharsets.US_ASCII).contains("PRIVATE KEY-----")) {
      throw new StartupFailure("http.tls.keyFile (ORCH_TLS_KEY): " + tls.keyFile() + " holds no PEM private key");
    }
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(cert);
      sha.update(key);
      return new Pair(new PemKeyCertOptions().setCertValue(Buffer.buffer(cert)).setKeyValue(Buffer.buffer(key)),
          HexFormat.of().formatHex(sha.digest()), describe);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] bytes(String file, String setting) {
    try {
      return Files.readAllBytes(java.nio.file.Path.of(file));
    } catch (IOException e) {
      throw new StartupFailure(setting + ": cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
