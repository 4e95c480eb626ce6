package io.github.mountedsecrets.quarkus.it;

import io.github.mountedsecrets.test.EmbeddedDatabase;
import io.github.mountedsecrets.test.SecretsMount;
import io.github.mountedsecrets.test.TemporaryDirectories;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Path;
import java.util.Map;

/**
 * Starts a password-checking PostgreSQL and writes a mount holding its first user's
 * credentials, before Quarkus boots.
 */
public class PostgresMountResource implements QuarkusTestResourceLifecycleManager {
  static volatile EmbeddedDatabase database;
  static volatile SecretsMount mount;

  @Override
  public Map<String, String> start() {
    database = EmbeddedDatabase.start();
    String password = Canaries.next();
    database.createUser("app_r0", password);
    mount = SecretsMount.atomicWriter(TemporaryDirectories.create("mounted-secrets-it-").resolve("mount"));
    mount.publish(Map.of("DB_USER", "app_r0", "DB_PASSWORD", password));
    System.setProperty(Canaries.MOUNT_PROPERTY, mount.directory().toString());
    return Map.of(
        "quarkus.datasource.jdbc.url", database.jdbcUrl(),
        "quarkus.mounted-secrets.directory", mount.directory().toString(),
        // Only the benchmark's plain application reads the mount this way.
        "smallrye.config.source.file.locations", mount.directory().toString());
  }

  @Override
  public void stop() {
    if (database != null) {
      database.close();
    }
  }

  static Path mountDirectory() {
    return Path.of(System.getProperty(Canaries.MOUNT_PROPERTY));
  }
}
