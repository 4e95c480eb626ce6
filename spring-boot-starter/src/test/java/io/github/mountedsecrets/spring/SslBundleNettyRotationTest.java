package io.github.mountedsecrets.spring;

import io.github.mountedsecrets.test.SecretsMount.Layout;
import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.test.context.FilteredClassLoader;

/**
 * Reactor Netty (a WebFlux application) serving HTTPS from {@code server.ssl.bundle=web}, a
 * bundle from the mount, while the mount rotates six times with mismatched generations in
 * between (and, file by file, a key that lands well before its certificate): no failed
 * handshake, every new certificate served ({@link HttpsRotation}). Boot's Netty server takes
 * the bundle's update through the SSL provider it picks per connection, so the new
 * certificate is served on the next handshake.
 *
 * <p>Tomcat is on the test class path for the servlet tests, and Boot 3.5 prefers it for a
 * reactive application too; the application here does not see it, as a WebFlux application
 * with only Reactor Netty would not.
 */
@Timeout(120)
class SslBundleNettyRotationTest {
  @TempDir Path temp;

  @ParameterizedTest
  @EnumSource(Layout.class)
  void nettyFollowsEveryVerifiedRotationWithoutAFailedHandshake(Layout layout) {
    HttpsRotation.rotateUnderLoad("Netty", WebApplicationType.REACTIVE,
        new FilteredClassLoader("org.apache.catalina.", "org.apache.tomcat."), layout, temp, 6);
  }
}
