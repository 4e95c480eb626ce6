package io.github.mountedsecrets.quarkus.it;

import io.github.mountedsecrets.test.EmbeddedDatabase;
import io.github.mountedsecrets.test.SecretsMount;
import io.github.mountedsecrets.test.TemporaryDirectories;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Starts a password-checking PostgreSQL and writes a mount holding one RDS-style JSON secret,
 * {@code prod-db}, with engine, host, port, dbname and the first user's credentials, before
 * Quarkus boots. No JDBC URL is configured: the application takes it from the secret.
 */
public class PostgresJsonSecretMountResource implements QuarkusTestResourceLifecycleManager {
  static final String SECRET = "prod-db";
  static volatile EmbeddedDatabase database;
  static volatile SecretsMount mount;

  @Override
  public Map<String, String> start() {
    database = EmbeddedDatabase.start();
    String password = Canaries.next();
    database.createUser("rds_r0", password);
    mount = SecretsMount.fileByFile(TemporaryDirectories.create("mounted-secrets-it-rds-").resolve("mount"));
    mount.publish(Map.of(SECRET, secret("rds_r0", password)));
    return Map.of(
        "quarkus.mounted-secrets.directory", mount.directory().toString(),
        "quarkus.mounted-secrets.datasource.secret", SECRET);
  }

  /** The JSON text of the secret for a user and password, as an RDS-managed secret has it. */
  static String secret(String user, String password) {
    return "{\"engine\":\"postgres\",\"host\":\"localhost\",\"port\":" + database.port()
        + ",\"dbname\":\"postgres\",\"username\":\"" + user + "\",\"password\":\"" + password + "\"}";
  }

  @Override
  public void stop() {
    if (database != null) {
      database.close();
    }
  }
}
