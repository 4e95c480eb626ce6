package io.github.mountedsecrets.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.quarkus.MountedTlsConfigurations;
import io.github.mountedsecrets.test.SecretsMount;
import io.quarkus.builder.Version;
import io.quarkus.maven.dependency.Dependency;
import io.quarkus.test.QuarkusExtensionTest;
import io.quarkus.test.common.http.TestHTTPResource;
import jakarta.inject.Inject;
import java.net.URL;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link TlsHandshakeRotation} on a mount written in the FILE_BY_FILE layout: no failed
 * handshake, every verified certificate presented, and no key in the log.
 */
class TlsHandshakeRotationFileByFileTest {
  static final String SCENARIO = "tls-handshake-rotation-file-by-file";
  static final SecretsMount MOUNT = TestMounts.open(SCENARIO, SecretsMount.Layout.FILE_BY_FILE,
      TlsHandshakeRotation.startupMaterial(SCENARIO));

  @RegisterExtension
  static final QuarkusExtensionTest APP = new QuarkusExtensionTest()
      .withApplicationRoot(jar -> jar.addClasses(TestMounts.class, LogText.class,
          TlsHandshakeRotation.class, TlsHandshakeRotation.UpdateTimes.class))
      .withConfigurationResource(SCENARIO + ".properties")
      .setForcedDependencies(List.of(
          Dependency.of("io.quarkus", "quarkus-vertx-http-deployment", Version.getVersion())))
      .setLogRecordPredicate(record -> true)
      .assertLogRecords(records -> assertThat(records)
          .allSatisfy(record -> assertThat(LogText.of(record)).doesNotContain("PRIVATE KEY-----")));

  @TestHTTPResource(value = "/", tls = true)
  URL https;

  @Inject
  MountedTlsConfigurations configurations;

  @Inject
  TlsHandshakeRotation.UpdateTimes updates;

  @Test
  @Timeout(120)
  void serverFollowsEveryVerifiedRotationWithoutAFailedHandshake() {
    assertThat(MOUNT.layout()).isEqualTo(SecretsMount.Layout.FILE_BY_FILE);
    TlsHandshakeRotation.run(MOUNT, https.getPort(), configurations, updates);
  }
}
