package org.orchestrator.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.orchestrator.cli.MaintenanceCli;
import org.orchestrator.platform.StartupFailure;
import org.orchestrator.platform.security.ClientTrust;
import org.orchestrator.simulator.RobotFleet;
import org.orchestrator.simulator.RobotSettings;

/**
 * A node with a certificate: TLS 1.2 and 1.3 only, HSTS, the bridge on TLS too, the certificate
 * replaced on disk and served to the next connection without a restart; the CLI and the simulated
 * robots talk to it with {@code --cacert}.
 */
@Timeout(180)
class TlsTest {

  private static Path directory;
  private static TestCertificates.Authority authority;
  private static TestCertificates.Server first;
  private static TestNode node;

  @BeforeAll
  static void start() throws Exception {
    directory = Files.createTempDirectory("tls");
    authority = TestCertificates.authority(directory);
    first = TestCertificates.server(authority, directory.resolve("node.pem"), directory.resolve("node.key"), "node-1");
    node = TestNode.start("tls", new JsonObject()
        .put("http", new JsonObject().put("tls", new JsonObject().put("certFile", first.certFile().toString())
            .put("keyFile", first.keyFile().toString()).put("reloadSeconds", 1)))
        .put("bridge", new JsonObject().put("tls", true)));
  }

  @AfterAll
  static void stop() throws Exception {
    node.close();
  }

  private static HttpClientOptions trusting(HttpClientOptions options) {
    return options.setSsl(true).setTrustOptions(new PemTrustOptions().addCertPath(authority.pem().toString()))
        .setDefaultHost("localhost").setDefaultPort(node.port()).setKeepAlive(false);
  }

  /** One request on a new connection: its status, its HSTS header and the serial of the certificate seen. */
  private static Future<List<Object>> probe(HttpClientOptions options) {
    HttpClient client = node.vertx().createHttpClient(options);
    return client.request(HttpMethod.GET, "/health/ready")
        .compose(request -> request.send().compose(response -> response.body().map(body -> List.<Object>of(
            response.statusCode(), String.valueOf(response.getHeader("Strict-Transport-Security")),
            serial(request), String.valueOf(request.connection().sslSession().getProtocol())))))
        .eventually(() -> client.close());
  }

  private static BigInteger serial(io.vertx.core.http.HttpClientRequest request) {
    try {
      return ((X509Certificate) request.connection().sslSession().getPeerCertificates()[0]).getSerialNumber();
    } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void tls12And13WithHstsAndNothingOlderNorPlain() {
    List<Object> seen = probe(trusting(new HttpClientOptions())).await();
    assertEquals(200, seen.get(0));
    assertEquals("max-age=31536000", seen.get(1));
    assertEquals("TLSv1.3", seen.get(3));
    assertEquals("TLSv1.2", probe(trusting(new HttpClientOptions())
        .setEnabledSecureTransportProtocols(Set.of("TLSv1.2"))).await().get(3));
    // a client that does not trust the node's authority is refused at the handshake
    assertThrows(Exception.class, () -> probe(new HttpClientOptions().setSsl(true).setDefaultHost("localhost")
        .setDefaultPort(node.port())).await());
    // plain HTTP to the TLS port gets no answer
    assertThrows(Exception.class, () -> probe(new HttpClientOptions().setDefaultHost("localhost")
        .setDefaultPort(node.port()).setKeepAlive(false)).await());
  }

  @Test
  void tls11IsRefusedAtTheHandshake() throws Exception {
    // the JDK's own client cannot even offer TLS 1.1 (disabled in java.security): openssl can
    org.junit.jupiter.api.Assumptions.assumeTrue(new ProcessBuilder("sh", "-c", "command -v openssl")
        .start().waitFor() == 0, "openssl is not installed: TLS 1.1 not probed");
    Process probe = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + node.port(), "-tls1_1",
        "-cipher", "DEFAULT:@SECLEVEL=0").redirectErrorStream(true).start();
    probe.getOutputStream().close();
    String said = new String(probe.getInputStream().readAllBytes());
    probe.waitFor();
    assertTrue(said.contains("alert protocol version") || said.contains("no protocols available"), said);
    assertTrue(said.contains("Cipher is (NONE)"), said);
  }

  @Test
  void aReplacedCertificateServesTheNextConnectionWithoutARestart() throws Exception {
    BigInteger before = (BigInteger) probe(trusting(new HttpClientOptions())).await().get(2);
    TestCertificates.Server second = TestCertificates.server(authority, first.certFile(), first.keyFile(), "node-2");
    BigInteger after = (BigInteger) Eventually.until(node.vertx(),
        () -> probe(trusting(new HttpClientOptions())).map(seen -> seen.get(2)),
        serial -> serial.equals(second.serial()), 30_000).await();
    assertTrue(!before.equals(after), before + " then " + after);
  }

  @Test
  void theCliAndTheRobotsTalkTlsWithTheirCaFile() throws Exception {
    for (List<String> transport : List.of(List.of("--bridge", "localhost:" + node.bridgePort(), "--bridge-tls"),
        List.of("--http"))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      List<String> args = new java.util.ArrayList<>(List.of("--url", "https://localhost:" + node.port(),
          "--cacert", authority.pem().toString(), "--password", TestNode.ADMIN_PASSWORD));
      args.addAll(transport);
      args.add("status");
      assertEquals(0, MaintenanceCli.run(args.toArray(String[]::new), new PrintStream(out), new PrintStream(out)),
          out.toString());
      assertTrue(out.toString().contains("state: None"), out.toString());
    }
    // without the CA file the CLI says why it cannot talk, with the unreachable exit code
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int refused = MaintenanceCli.run(new String[] {"--url", "https://localhost:" + node.port(), "--http",
        "--password", TestNode.ADMIN_PASSWORD, "status"}, new PrintStream(out), new PrintStream(out));
    assertTrue(refused != 0, out.toString());

    WebClient web = WebClient.create(node.vertx(), (WebClientOptions) trusting(new WebClientOptions()));
    Api api = new Api(web);
    String host = api.signInHostAdmin().await();
    Tenants.Fixture tenant = Tenants.create(api, host, "over-tls", 1).await();
    RobotFleet fleet = RobotFleet.deploy(node.vertx(), URI.create("https://localhost:" + node.port()),
        tenant.robots().stream().map(Tenants.Robot::credentials).toList(),
        RobotSettings.defaults().withHeartbeat(Duration.ofMillis(200)).withJobDuration(Duration.ofMillis(300))
            .withTrust(new ClientTrust(authority.pem()))).await();
    try {
      long job = Api.expect(api.post("/api/Jobs", tenant.adminToken(), new JsonObject().put("processName", "tls")
          .put("robotId", tenant.robots().get(0).id())).await(), 201).await().getLong("id");
      Eventually.until(node.vertx(), () -> api.get("/api/Jobs/" + job, tenant.adminToken())
          .map(r -> r.bodyAsJsonObject().getString("state")), "Successful"::equals, 30_000).await();
    } finally {
      fleet.close().await();
    }
  }

  @Test
  void aMissingCertificateFileStopsTheStartWithOneLine() {
    StartupFailure failure = assertThrows(StartupFailure.class, () -> TestNode.start("tls-missing",
        new JsonObject().put("http", new JsonObject().put("tls", new JsonObject()
            .put("certFile", directory.resolve("absent.pem").toString())
            .put("keyFile", first.keyFile().toString())))));
    assertTrue(failure.getMessage().startsWith("http.tls.certFile (ORCH_TLS_CERT): cannot read "), failure.getMessage());
  }
}
