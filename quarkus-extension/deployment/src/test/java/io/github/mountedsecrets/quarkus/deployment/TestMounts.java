package io.github.mountedsecrets.quarkus.deployment;

import io.github.mountedsecrets.test.SecretsMount;
import io.github.mountedsecrets.test.TemporaryDirectories;
import java.nio.file.Path;
import java.util.Map;

/**
 * Mounts for Quarkus tests. A QuarkusExtensionTest class is loaded twice (by JUnit, then by
 * Quarkus), so its static fields are initialized twice; the mount's directory is kept in a
 * system property, {@code mounted-secrets.test.<scenario>}, which the scenario's properties
 * file reads ({@code quarkus.mounted-secrets.directory=${mounted-secrets.test.<scenario>}}),
 * and the second initialization reopens the mount the first one wrote.
 */
final class TestMounts {
  private TestMounts() {}

  static SecretsMount open(String scenario, SecretsMount.Layout layout, Map<String, ?> files) {
    String property = property(scenario);
    String existing = System.getProperty(property);
    if (existing != null) {
      return SecretsMount.create(layout, Path.of(existing));
    }
    SecretsMount mount = SecretsMount.create(layout, newDirectory(scenario).resolve("mount"));
    mount.publish(files);
    System.setProperty(property, mount.directory().toString());
    return mount;
  }

  /** Sets the scenario's property to a directory that does not exist. */
  static Path absent(String scenario) {
    String property = property(scenario);
    String existing = System.getProperty(property);
    if (existing != null) {
      return Path.of(existing);
    }
    Path missing = newDirectory(scenario).resolve("not-mounted");
    System.setProperty(property, missing.toString());
    return missing;
  }

  static String property(String scenario) {
    return "mounted-secrets.test." + scenario;
  }

  private static Path newDirectory(String scenario) {
    // Deleted when the test JVM exits: the mounts outlive each test class's application.
    return TemporaryDirectories.create("mounted-secrets-quarkus-" + scenario + "-");
  }

  /** Returns how many reload threads run in this JVM, whatever mount they watch. */
  static long allWatchers() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(thread -> thread.getName().startsWith("mounted-secrets-reload["))
        .count();
  }

  /** Returns how many reload threads watch the directory: one per MountedSecrets instance. */
  static long watchers(Path directory) {
    String name = "mounted-secrets-reload[" + directory + "]";
    return Thread.getAllStackTraces().keySet().stream()
        .filter(thread -> thread.getName().equals(name))
        .count();
  }
}
