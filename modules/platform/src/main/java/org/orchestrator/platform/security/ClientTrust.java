package org.orchestrator.platform.security;

import io.vertx.core.net.ClientOptionsBase;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How the tools (the CLI, the simulator) trust a node that speaks TLS: the certificate authorities
 * of a PEM file ({@code --cacert}, as curl's), else the JVM's own (a certificate from a public CA).
 * The node's name is checked against its certificate, as a browser does.
 *
 * @param caCert a PEM file of the authorities to trust, or null for the JVM's
 */
public record ClientTrust(Path caCert) {

  public ClientTrust {
    if (caCert != null && !Files.isReadable(caCert)) {
      throw new IllegalArgumentException("--cacert: cannot read " + caCert);
    }
  }

  public static ClientTrust jvm() {
    return new ClientTrust(null);
  }

  /** {@code options} for {@code url}: TLS with this trust for {@code https}, as they are for {@code http}. */
  public <T extends ClientOptionsBase> T http(T options, URI url) {
    if (url != null && "https".equalsIgnoreCase(url.getScheme())) {
      secure(options);
    }
    return options;
  }

  /** {@code options} for the event-bus bridge: TLS with this trust when {@code tls}. */
  public NetClientOptions bridge(NetClientOptions options, boolean tls) {
    if (tls) {
      secure(options).setHostnameVerificationAlgorithm("HTTPS");
    }
    return options;
  }

  private <T extends ClientOptionsBase> T secure(T options) {
    options.setSsl(true);
    if (caCert != null) {
      options.setTrustOptions(new PemTrustOptions().addCertPath(caCert.toString()));
    }
    return options;
  }
}
