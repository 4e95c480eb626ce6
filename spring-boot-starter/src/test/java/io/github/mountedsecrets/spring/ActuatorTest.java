package io.github.mountedsecrets.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.micrometer.MetricNames;
import io.github.mountedsecrets.spring.actuate.MountedSecretsActuatorAutoConfiguration;
import io.github.mountedsecrets.spring.actuate.MountedSecretsEndpoint;
import io.github.mountedsecrets.spring.actuate.MountedSecretsMetricsAutoConfiguration;
import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.Mount;
import io.github.mountedsecrets.test.SecretsMount;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The health indicator, the {@code mountedsecrets} endpoint and the meters, on whichever
 * Spring Boot line the tests run.
 */
class ActuatorTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private ApplicationContextRunner runner(SecretsMount mount) {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(MountedSecretsAutoConfiguration.class,
            MountedSecretsActuatorAutoConfiguration.class, MountedSecretsMetricsAutoConfiguration.class))
        .withConfiguration(BootLine.autoConfigurations(BootLine.all(BootLine.METRICS, BootLine.ENDPOINTS)))
        .withPropertyValues("mounted-secrets.directory=" + mount.directory(),
            "mounted-secrets.poll-interval=100ms",
            "management.endpoints.web.exposure.include=health,mountedsecrets");
  }

  @Test
  void healthReportsTheMount(@Mount SecretsMount mount) {
    mount.publish(Map.of("DB_USER", "u", "DB_PASSWORD", "p"));
    runner(mount).run(context -> {
      BootLine.HealthView health = BootLine.health(context);
      assertThat(health.status).isEqualTo("UP");
      Map<String, Object> details = health.mount(mount.directory().toString());
      assertThat(details).containsEntry("state", "READY").containsEntry("readable", true)
          .containsEntry("stale", false).containsEntry("layout", "ATOMIC_WRITER").containsEntry("keys", 2)
          .containsEntry("lastReloadResult", "SUCCESS").containsKeys("lastSuccessAt", "revision")
          .doesNotContainKey("staleSince");
      // The same keys as the Quarkus extension's readiness data: core's MountStatus.details().
      assertThat(details.keySet()).isEqualTo(context.getBean(MountedSecrets.class).status()
          .details().keySet());
      assertThat(health.details).doesNotContainKey("rotations");
    });
  }

  @Test
  void healthReportsStalenessWhileTheMountIsGone(
      @Mount(SecretsMount.Layout.FILE_BY_FILE) SecretsMount mount) {
    mount.publish(Map.of("DB_PASSWORD", "p"));
    runner(mount).run(context -> {
      deleteRecursively(mount.directory());
      Await.until(TIMEOUT, () -> BootLine.health(context).mount(mount.directory().toString())
          .get("state").equals("STALE"), () -> "a stale mount after it disappeared");
      BootLine.HealthView health = BootLine.health(context);
      // The last good values are still served.
      assertThat(health.status).isEqualTo("UP");
      assertThat(health.mount(mount.directory().toString())).containsEntry("readable", false)
          .containsEntry("stale", true).containsKeys("staleSince", "failureReason")
          .containsEntry("keys", 1);
    });
  }

  @Test
  void healthIsDownWhileAnOptionalMountHasNotAppeared(@Mount SecretsMount parent) {
    Path missing = parent.directory().resolveSibling("later");
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(MountedSecretsAutoConfiguration.class,
            MountedSecretsActuatorAutoConfiguration.class))
        .withPropertyValues("mounted-secrets.directory=" + missing, "mounted-secrets.require-mount=false")
        .run(context -> {
          BootLine.HealthView health = BootLine.health(context);
          assertThat(health.status).isEqualTo("DOWN");
          assertThat(health.mount(missing.toString())).containsEntry("state", "MISSING");
        });
  }

  @Test
  void endpointListsKeysVersionsAndChangeTimes(@Mount SecretsMount mount) {
    mount.publish(Map.of("DB_USER", "u", "DB_PASSWORD", "p1", "prod-db", "{\"username\":\"x\"}"));
    runner(mount).run(context -> {
      MountedSecretsEndpoint endpoint = context.getBean(MountedSecretsEndpoint.class);
      MountedSecretsEndpoint.MountDescriptor before = endpoint.mounts().mounts().get(0);
      assertThat(before.directory()).isEqualTo(mount.directory().toString());
      assertThat(before.layout()).isEqualTo("ATOMIC_WRITER");
      assertThat(before.state()).isEqualTo("READY");
      assertThat(before.keys()).extracting(MountedSecretsEndpoint.KeyDescriptor::key)
          .containsExactly("DB_PASSWORD", "DB_USER", "prod-db", "prod-db.username");
      assertThat(before.keys()).allSatisfy(key -> assertThat(key.changedAt()).isNotNull());

      mount.publish(Map.of("DB_USER", "u", "DB_PASSWORD", "p2", "prod-db", "{\"username\":\"x\"}"));
      Await.until(TIMEOUT, () -> endpoint.mounts().mounts().get(0).revision() > before.revision(),
          () -> "the endpoint to show the new revision");

      MountedSecretsEndpoint.MountDescriptor after = endpoint.mounts().mounts().get(0);
      MountedSecretsEndpoint.KeyDescriptor password = key(after, "DB_PASSWORD");
      MountedSecretsEndpoint.KeyDescriptor user = key(after, "DB_USER");
      assertThat(password.version()).isEqualTo(after.revision());
      assertThat(user.version()).isEqualTo(key(before, "DB_USER").version());
      assertThat(user.changedAt()).isEqualTo(key(before, "DB_USER").changedAt());
      assertThat(password.changedAt()).isNotNull().isEqualTo(after.lastChangeAt())
          .isNotEqualTo(key(before, "DB_PASSWORD").changedAt());
    });
  }

  @Test
  void metersAreRegisteredWithTheMountTag(@Mount SecretsMount mount) {
    mount.publish(Map.of("A", "a", "B", "b"));
    runner(mount).run(context -> {
      MeterRegistry registry = context.getBean(MeterRegistry.class);
      assertThat(registry.get(MetricNames.KEYS).tag(MetricNames.MOUNT_TAG, mount.directory().toString())
          .gauge().value()).isEqualTo(2.0);
      assertThat(registry.get(MetricNames.STALE).gauge().value()).isZero();
      assertThat(registry.get(MetricNames.RELOADS).tag(MetricNames.RESULT_TAG, "success")
          .functionCounter().count()).isPositive();
    });
  }

  private static MountedSecretsEndpoint.KeyDescriptor key(MountedSecretsEndpoint.MountDescriptor mount,
      String key) {
    return mount.keys().stream().filter(k -> k.key().equals(key)).findFirst().orElseThrow();
  }

  static void deleteRecursively(Path directory) {
    try (Stream<Path> paths = Files.walk(directory)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> {
        try {
          Files.delete(path);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
