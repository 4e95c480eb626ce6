package io.github.mountedsecrets.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.spring.ssl.MountedSslBundles;
import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.CertificateAuthority;
import io.github.mountedsecrets.test.HandshakeLoad;
import io.github.mountedsecrets.test.IssuedCertificate;
import io.github.mountedsecrets.test.SecretsMount;
import io.github.mountedsecrets.test.SecretsMount.Layout;
import io.github.mountedsecrets.test.TlsMountWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.io.DefaultResourceLoader;

/**
 * The rotation run that the embedded servers' handshake tests share: an application serving
 * HTTPS from {@code server.ssl.bundle=web}, a bundle from the mount, while the mount rotates,
 * each new generation preceded by a mismatched one (and, file by file, its key landing 300 ms,
 * three quiet periods, before its certificate). Two clients connect in a loop, each connection
 * a full handshake: none may fail, every new certificate must be served, in the atomic-writer
 * layout with a median under 1 s after the write.
 */
final class HttpsRotation {
  /** The first rotations warm up the JIT (TLS material checks, the server's reload). */
  private static final int WARM_UP = 3;
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration KEY_FIRST_GAP = Duration.ofMillis(300);

  private HttpsRotation() {}

  /**
   * Starts an application of the given web type, with its classes from {@code classLoader}
   * (which may hide a server), on 127.0.0.1, port 0, serving HTTPS from bundle {@code web}
   * ({@code tls.crt} and {@code tls.key} in the mount).
   */
  static ConfigurableApplicationContext https(WebApplicationType type, ClassLoader classLoader,
      Path mount) {
    SpringApplication application = new SpringApplication(
        new DefaultResourceLoader(classLoader), Apps.WithoutDataSource.class);
    application.setWebApplicationType(type);
    application.setBannerMode(Banner.Mode.OFF);
    return application.run("--mounted-secrets.directory=" + mount,
        "--mounted-secrets.ssl.bundle.web.certificate=tls.crt",
        "--mounted-secrets.ssl.bundle.web.private-key=tls.key",
        "--server.port=0", "--server.ssl.bundle=web", "--server.address=127.0.0.1");
  }

  /**
   * Rotates the mount {@code rotations} times (after the warm-up) under handshake load against
   * an application of the given web type, prints the figures and asserts that the application
   * runs the named server, that no handshake failed and that every certificate was served.
   *
   * @param server the server's name, {@code Tomcat} or {@code Netty}: the simple name of Boot's
   *     web server class without {@code WebServer}
   */
  static void rotateUnderLoad(String server, WebApplicationType type, ClassLoader classLoader,
      Layout layout, Path temp, int rotations) {
    CertificateAuthority ca = CertificateAuthority.create(server + " Root");
    SecretsMount mount = SecretsMount.create(layout, temp.resolve("secrets"));
    TlsMountWriter writer = TlsMountWriter.separateFiles(mount, "tls.crt", "tls.key");
    IssuedCertificate current = ca.server("initial");
    writer.publish(current);
    List<Long> latencies = new ArrayList<>();
    List<Long> switches = new ArrayList<>();
    try (ConfigurableApplicationContext context = https(type, classLoader, mount.directory());
        HandshakeLoad load = HandshakeLoad.start("localhost",
            Integer.parseInt(context.getEnvironment().getProperty("local.server.port")), ca, 2,
            false)) {
      assertThat(webServer(context)).isEqualTo(server + "WebServer");
      MountedSslBundles bundles = context.getBean(MountedSslBundles.class);
      List<Long> updatedAt = new CopyOnWriteArrayList<>();
      context.getBean(SslBundles.class).addBundleUpdateHandler("web",
          bundle -> updatedAt.add(System.nanoTime()));
      IssuedCertificate first = current;
      Await.until(WAIT, () -> load.firstSeen(first.certificate()).isPresent(),
          () -> "first " + load);
      for (int i = 1 - WARM_UP; i <= rotations; i++) {
        IssuedCertificate next = ca.server("gen" + i);
        long rejected = bundles.statuses().get("web").rejections();
        // A broken generation first: another certificate with the current key. File by file,
        // the next key then lands before the next certificate: a second broken state.
        writer.publishMismatched(ca.server("broken" + i), current);
        Await.until(WAIT, () -> bundles.statuses().get("web").rejections() > rejected,
            () -> "rejection of the mismatched generation");
        if (layout == Layout.FILE_BY_FILE) {
          writer.publishKeyFirst(next, KEY_FIRST_GAP);
        } else {
          writer.publish(next);
        }
        long written = System.nanoTime();
        Await.until(WAIT, () -> load.firstSeen(next.certificate()).isPresent(),
            () -> "a handshake presenting " + next + "; " + load);
        int update = i - 1 + WARM_UP;
        Await.until(WAIT, () -> updatedAt.size() > update, () -> "bundle update " + update);
        if (i > 0) {
          latencies.add(load.firstSeen(next.certificate()).get() - written);
          switches.add(updatedAt.get(update) - written);
        }
        current = next;
      }
      System.out.printf(Locale.ROOT, "TLS rotation with %s, %s: %d rotations, %d handshakes "
          + "ok, %d failed; bundle updated after the write: median %.0f ms, max %.0f ms; first "
          + "handshake with the new certificate after the write: median %.0f ms, max %.0f ms%n",
          server, layout, rotations, load.successes(), load.failures(), median(switches) / 1e6,
          max(switches) / 1e6, median(latencies) / 1e6, max(latencies) / 1e6);
      assertThat(load.failures()).as("failed connections: %s", load.failureMessages()).isZero();
      assertThat(load.successes()).isGreaterThan(rotations * 2L);
      if (layout == Layout.ATOMIC_WRITER) {
        // The median, not the maximum: on a loaded machine one handshake can take seconds.
        assertThat(Duration.ofNanos(median(latencies))).isLessThan(Duration.ofSeconds(1));
      }
      assertThat(bundles.statuses().get("web").updates()).isEqualTo(rotations + WARM_UP);
    }
  }

  /**
   * Returns the simple class name of the context's web server; {@code WebServerApplicationContext}
   * has another package on each Boot line.
   */
  private static String webServer(ConfigurableApplicationContext context) {
    try {
      return context.getClass().getMethod("getWebServer").invoke(context).getClass()
          .getSimpleName();
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("no web server in " + context, e);
    }
  }

  private static long median(List<Long> values) {
    return values.stream().sorted().skip(values.size() / 2).findFirst().orElseThrow();
  }

  private static long max(List<Long> values) {
    return values.stream().mapToLong(Long::longValue).max().orElseThrow();
  }
}
