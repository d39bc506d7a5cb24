package org.orchestrator.identity;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import org.orchestrator.platform.security.SecretFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the host organization's {@code admin} on the first start. Its password is
 * {@code ORCH_HOST_ADMIN_PASSWORD} when set, otherwise random and written once to
 * {@code <data-dir>/initial-admin-password} (mode 0600). The password itself is never logged.
 */
final class HostAdminBootstrap {

  static final String ADMIN = "admin";
  static final String PASSWORD_FILE = "initial-admin-password";
  private static final Logger LOG = LoggerFactory.getLogger(HostAdminBootstrap.class);

  private final Vertx vertx;
  private final UserRepository users;
  private final PasswordHasher hasher;
  private final Path dataDir;
  private final String configuredPassword;

  HostAdminBootstrap(Vertx vertx, UserRepository users, PasswordHasher hasher, Path dataDir,
      String configuredPassword) {
    this.vertx = vertx;
    this.users = users;
    this.hasher = hasher;
    this.dataDir = dataDir;
    this.configuredPassword = configuredPassword;
  }

  Future<Void> ensureHostAdmin() {
    return users.hostAdminExists().compose(exists -> {
      if (exists) {
        return Future.succeededFuture();
      }
      boolean generated = configuredPassword == null || configuredPassword.isEmpty();
      String password = generated ? randomPassword() : configuredPassword;
      return hasher.hash(password)
          .compose(hash -> users.insertHostAdminIfAbsent(ADMIN, hash))
          .compose(created -> {
            if (created.isEmpty()) {
              return Future.succeededFuture(); // another node won the race
            }
            if (!generated) {
              LOG.info("created host administrator '{}' with the password from ORCH_HOST_ADMIN_PASSWORD", ADMIN);
              return Future.succeededFuture();
            }
            Path file = dataDir.resolve(PASSWORD_FILE);
            return vertx.executeBlocking(() -> {
              Files.deleteIfExists(file);
              SecretFiles.writeNew(file, password + "\n");
              return null;
            }).onSuccess(ignored -> LOG.info("created host administrator '{}'; its password is in {}",
                ADMIN, file)).mapEmpty();
          });
    });
  }

  private static String randomPassword() {
    byte[] bytes = new byte[18];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
