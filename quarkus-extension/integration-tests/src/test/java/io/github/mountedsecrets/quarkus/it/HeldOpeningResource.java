package io.github.mountedsecrets.quarkus.it;

import io.github.mountedsecrets.test.EmbeddedDatabase;
import io.github.mountedsecrets.test.SecretsMount;
import io.github.mountedsecrets.test.TemporaryDirectories;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * A password-checking PostgreSQL behind a {@link HoldingProxy}, a mount written file by file
 * (as the AWS provider does) holding its first user's credentials, and a small pool that opens
 * connections only on demand.
 */
public class HeldOpeningResource implements QuarkusTestResourceLifecycleManager {
  static final String FIRST_USER = "held_r0";

  static volatile EmbeddedDatabase database;
  static volatile SecretsMount mount;
  static volatile HoldingProxy proxy;

  @Override
  public Map<String, String> start() {
    database = EmbeddedDatabase.start();
    String password = Canaries.next();
    database.createUser(FIRST_USER, password);
    mount = SecretsMount.fileByFile(TemporaryDirectories.create("mounted-secrets-held-").resolve("mount"));
    mount.publish(Map.of("DB_USER", FIRST_USER, "DB_PASSWORD", password));
    proxy = new HoldingProxy(database.port());
    return Map.of(
        "quarkus.datasource.jdbc.url", "jdbc:postgresql://localhost:" + proxy.port() + "/postgres",
        "quarkus.mounted-secrets.directory", mount.directory().toString(),
        "quarkus.datasource.jdbc.initial-size", "0",
        "quarkus.datasource.jdbc.min-size", "0",
        "quarkus.datasource.jdbc.max-size", "2",
        // The bound on a connection opening, after which the last follow-up flush comes; long
        // enough that the switch falls inside it on a slow machine.
        "quarkus.datasource.jdbc.login-timeout", "8s");
  }

  @Override
  public void stop() {
    if (proxy != null) {
      proxy.close();
    }
    if (database != null) {
      database.close();
    }
  }
}
