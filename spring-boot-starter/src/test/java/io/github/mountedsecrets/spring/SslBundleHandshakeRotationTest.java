package io.github.mountedsecrets.spring;

import io.github.mountedsecrets.test.SecretsMount.Layout;
import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.boot.WebApplicationType;

/**
 * Embedded Tomcat serving HTTPS from {@code server.ssl.bundle=web}, a bundle from the mount,
 * while the mount rotates ten times with mismatched generations in between (and, file by file,
 * a key that lands 300 ms, three quiet periods, before its certificate). Two clients connect
 * in a loop, each connection a full handshake: none may fail, every new certificate must be
 * served, in the atomic-writer layout with a median under 1 s after the write
 * ({@link HttpsRotation}).
 */
@Timeout(120)
class SslBundleHandshakeRotationTest {
  @TempDir Path temp;

  @ParameterizedTest
  @EnumSource(Layout.class)
  void tomcatFollowsEveryVerifiedRotationWithoutAFailedHandshake(Layout layout) {
    HttpsRotation.rotateUnderLoad("Tomcat", WebApplicationType.SERVLET,
        getClass().getClassLoader(), layout, temp, 10);
  }
}
