package io.github.mountedsecrets.examples.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@link FakeService} from a real jar in a child JVM. */
class ServiceProcessTest {
  @TempDir
  static Path work;
  private static Path jar;
  private static Path mount;

  @BeforeAll
  static void packageFakeService() throws IOException {
    jar = work.resolve("fake-service.jar");
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, FakeService.class.getName());
    String entry = FakeService.class.getName().replace('.', '/') + ".class";
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file, manifest);
        InputStream in = FakeService.class.getClassLoader().getResourceAsStream(entry)) {
      out.putNextEntry(new JarEntry(entry));
      in.transferTo(out);
      out.closeEntry();
    }
    mount = Files.createDirectories(work.resolve("mount"));
    Files.writeString(mount.resolve("DB_USER"), "orders_app");
    Files.writeString(mount.resolve("API_KEY"), "the-key");
  }

  @Test
  void startsTheJarOnAFreePortWithTheMountAndWaitsUntilReady() {
    List<String> output = new CopyOnWriteArrayList<>();
    ServiceProcess service = ServiceProcess.start(ServiceProcess.Kind.SPRING, jar, mount, output::add);
    try (service) {
      assertThat(service.isAlive()).isTrue();
      assertThat(output).contains("fake service: mount " + mount.toAbsolutePath(), "fake service: listening");
      assertThat(service.baseUri().toString()).startsWith("http://localhost:");
      try (LoadGenerator load = LoadGenerator.start(service.baseUri(), "the-key", 2)) {
        assertThat(load.whoami()).isEqualTo("orders_app");
        await(() -> load.ok() >= 100 && load.failed() >= 2);
        load.stop();
        // FakeService fails every 50th request with HTTP 500.
        assertThat(load.failures()).isNotEmpty().allMatch(f -> f.endsWith("HTTP 500"));
        assertThat(load.failed()).isBetween((load.ok() + load.failed()) / 50 - 2, (load.ok() + load.failed()) / 50 + 2);
      }
      try (LoadGenerator wrongKey = LoadGenerator.start(service.baseUri(), "not-the-key", 1)) {
        await(() -> wrongKey.failed() >= 5);
        wrongKey.stop();
        assertThat(wrongKey.ok()).isZero();
        assertThat(wrongKey.failures()).allMatch(f -> f.endsWith("HTTP 401"));
      }
    }
    assertThat(service.isAlive()).isFalse();
    assertThat(ProcessHandle.of(service.pid())).isEmpty();
    // A graceful stop: what the service prints while it shuts down is not lost.
    assertThat(output).endsWith("fake service: stopping");
  }

  @Test
  void theHttpsKindActivatesTheProfileAndWaitsForReadinessOnASeparateManagementPort() {
    List<String> output = new CopyOnWriteArrayList<>();
    try (ServiceProcess service = ServiceProcess.start(ServiceProcess.Kind.SPRING_HTTPS, jar, mount, output::add)) {
      assertThat(output).contains("fake service: profiles https");
      assertThat(service.baseUri().getScheme()).isEqualTo("https");
      assertThat(service.managementUri().getScheme()).isEqualTo("http");
      assertThat(service.managementUri().getPort()).isNotEqualTo(service.baseUri().getPort());
      assertThat(output).contains("fake service: management on " + service.managementUri().getPort());
    }
    try (ServiceProcess plain = ServiceProcess.start(ServiceProcess.Kind.SPRING, jar, mount, output::add)) {
      assertThat(plain.managementUri()).isEqualTo(plain.baseUri());
      assertThat(output).contains("fake service: profiles null");
    }
  }

  @Test
  void aServiceThatExitsBeforeItIsReadyFailsWithItsOutput() {
    assertThatThrownBy(() -> ServiceProcess.start(ServiceProcess.Kind.SPRING, jar, mount,
        Map.of("fake.fail", "true"), line -> { }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("exited with code 3 before it was ready")
        .hasMessageContaining("fake service: failing as asked");
  }

  @Test
  void aMissingJarNamesTheBuildCommand() {
    assertThatThrownBy(() -> ServiceProcess.start(ServiceProcess.Kind.QUARKUS, work.resolve("none.jar"),
        mount, line -> { }))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("none.jar")
        .hasMessageContaining("-pl examples/quarkus-service -am");
  }

  private static void await(java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition not met within 30 s").isLessThan(deadline);
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }
}
