package io.github.mountedsecrets;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.micrometer.MetricNames;
import io.github.mountedsecrets.micrometer.MountedSecretsMetrics;
import io.github.mountedsecrets.test.SecretsMount;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The Micrometer meters of {@link MountedSecretsMetrics} on a {@link SimpleMeterRegistry}. */
@Timeout(60)
class MetricsTest {
  @TempDir Path temp;

  private SecretsMount mount;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private static Map<String, Object> files() {
    Map<String, Object> files = new LinkedHashMap<>();
    files.put("DB_USER", "app");
    files.put("DB_PASSWORD", "pw-1");
    files.put("prod-db", "{\"username\":\"app\",\"password\":\"pw-1\"}");
    return files;
  }

  private MountedSecrets.Builder builder() {
    mount = SecretsMount.atomicWriter(temp.resolve("mount")).publish(files());
    return MountedSecrets.builder().directory(mount.directory()).watch(false)
        .pollInterval(Duration.ofHours(1)).quietPeriod(Duration.ofMinutes(1));
  }

  private MountedSecrets open() {
    MountedSecrets secrets = builder().build();
    new MountedSecretsMetrics(secrets).bindTo(registry);
    return secrets;
  }

  private String mountTag() {
    return mount.directory().toString();
  }

  private double gauge(String name) {
    return registry.get(name).tag(MetricNames.MOUNT_TAG, mountTag()).gauge().value();
  }

  private double reloads(String result) {
    return registry.get(MetricNames.RELOADS).tag(MetricNames.MOUNT_TAG, mountTag())
        .tag(MetricNames.RESULT_TAG, result).functionCounter().count();
  }

  private double changes() {
    return registry.get(MetricNames.CHANGES).tag(MetricNames.MOUNT_TAG, mountTag())
        .functionCounter().count();
  }

  private static void deleteRecursively(Path path) throws IOException {
    Files.walkFileTree(path, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
        Files.delete(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
        if (e != null) {
          throw e;
        }
        Files.delete(dir);
        return FileVisitResult.CONTINUE;
      }
    });
  }

  @Test
  void registersEightMetersAllTaggedWithTheMount() {
    try (MountedSecrets secrets = open()) {
      assertThat(secrets.directory().toString()).isEqualTo(mountTag());
      assertThat(registry.getMeters()).hasSize(8);
      assertThat(registry.getMeters()).allSatisfy(meter ->
          assertThat(meter.getId().getTag(MetricNames.MOUNT_TAG)).as(meter.getId().toString())
              .isEqualTo(mountTag()));
      assertThat(registry.getMeters().stream().map(m -> m.getId().getName()).collect(Collectors.toSet()))
          .containsExactlyInAnyOrder("mounted.secrets.keys", "mounted.secrets.reloads",
              "mounted.secrets.changes", "mounted.secrets.last.reload.age",
              "mounted.secrets.invalid.files", "mounted.secrets.stale",
              "mounted.secrets.listener.failures");
      assertThat(registry.find(MetricNames.RELOADS).meters())
          .extracting(m -> m.getId().getTag(MetricNames.RESULT_TAG))
          .containsExactlyInAnyOrder("success", "failure");
    }
  }

  @Test
  void extraTagsAreAddedToEveryMeter() {
    try (MountedSecrets secrets = builder().build()) {
      new MountedSecretsMetrics(secrets, Tags.of("app", "orders"), Clock.systemUTC()).bindTo(registry);
      assertThat(registry.getMeters()).hasSize(8).allSatisfy(meter -> {
        assertThat(meter.getId().getTags()).contains(Tag.of("app", "orders"),
            Tag.of(MetricNames.MOUNT_TAG, mountTag()));
      });
    }
  }

  @Test
  void keysGaugeFollowsTheKeyCount() {
    try (MountedSecrets secrets = open()) {
      // DB_USER, DB_PASSWORD, prod-db, prod-db.username, prod-db.password
      assertThat(gauge(MetricNames.KEYS)).isEqualTo(5.0);
      mount.put("API_KEY", "k");
      secrets.reload();
      assertThat(gauge(MetricNames.KEYS)).isEqualTo(6.0).isEqualTo(secrets.status().keyCount());
    }
  }

  @Test
  void reloadsAreCountedBySuccessAndFailure() throws Exception {
    try (MountedSecrets secrets = open()) {
      double successAtStart = reloads("success");
      assertThat(successAtStart).isGreaterThanOrEqualTo(1.0);
      assertThat(reloads("failure")).isZero();

      secrets.reload();
      assertThat(reloads("success")).isEqualTo(successAtStart + 1);

      // ..data pointing into a subdirectory is refused: the reload fails.
      Path data = mount.directory().resolve("..data");
      Path generation = Files.readSymbolicLink(data);
      Files.delete(data);
      Files.createSymbolicLink(data, Path.of("a/b"));
      secrets.reload();
      assertThat(secrets.status().lastReloadResult()).isEqualTo(ReloadResult.FAILURE);
      assertThat(secrets.status().failureReason()).hasValueSatisfying(reason ->
          assertThat(reason).contains("..data points to 'a/b'"));
      assertThat(reloads("failure")).isGreaterThanOrEqualTo(1.0)
          .isEqualTo(secrets.status().failedReloads());
      assertThat(reloads("success")).isEqualTo(successAtStart + 1);
      assertThat(gauge(MetricNames.STALE)).isEqualTo(1.0);
      assertThat(secrets.get("DB_PASSWORD")).isEqualTo("pw-1");

      Files.delete(data);
      Files.createSymbolicLink(data, generation);
      secrets.reload();
      assertThat(reloads("success")).isGreaterThanOrEqualTo(successAtStart + 2)
          .isEqualTo(secrets.status().successfulReloads());
      assertThat(gauge(MetricNames.STALE)).isZero();
    }
  }

  @Test
  void changesCounterIncrementsOnRotationOnly() {
    try (MountedSecrets secrets = open()) {
      assertThat(changes()).isZero();
      mount.put("DB_PASSWORD", "pw-2");
      secrets.reload();
      assertThat(changes()).isEqualTo(1.0);
      mount.rewriteUnchanged();
      secrets.reload();
      assertThat(changes()).isEqualTo(1.0);
      mount.put("DB_PASSWORD", "pw-3");
      secrets.reload();
      assertThat(changes()).isEqualTo(2.0).isEqualTo(secrets.status().changes());
    }
  }

  @Test
  void lastReloadAgeIsAFiniteNumberOfSeconds() {
    try (MountedSecrets secrets = open()) {
      assertThat(secrets.status().lastSuccessAt()).isPresent();
      double age = gauge(MetricNames.LAST_RELOAD_AGE);
      assertThat(Double.isFinite(age)).as("finite: %s", age).isTrue();
      assertThat(age).isGreaterThanOrEqualTo(0.0).isLessThan(60.0);
      assertThat(registry.get(MetricNames.LAST_RELOAD_AGE).gauge().getId().getBaseUnit())
          .isEqualTo("seconds");
    }
  }

  @Test
  void lastReloadAgeIsMeasuredWithTheGivenClock() {
    Instant loaded = Instant.parse("2026-01-02T03:04:05Z");
    try (MountedSecrets secrets = builder().clock(Clock.fixed(loaded, ZoneOffset.UTC)).build()) {
      Clock later = Clock.fixed(loaded.plusMillis(42_500), ZoneOffset.UTC);
      new MountedSecretsMetrics(secrets, Tags.empty(), later).bindTo(registry);
      assertThat(gauge(MetricNames.LAST_RELOAD_AGE)).isEqualTo(42.5);
    }
  }

  @Test
  void lastReloadAgeIsNaNBeforeAnySuccessfulRead() {
    Path missing = temp.resolve("missing");
    try (MountedSecrets secrets = MountedSecrets.builder().directory(missing).requireMount(false)
        .watch(false).pollInterval(Duration.ofHours(1)).build()) {
      new MountedSecretsMetrics(secrets).bindTo(registry);
      assertThat(registry.get(MetricNames.LAST_RELOAD_AGE).tag(MetricNames.MOUNT_TAG, missing.toString())
          .gauge().value()).isNaN();
      assertThat(registry.get(MetricNames.STALE).tag(MetricNames.MOUNT_TAG, missing.toString())
          .gauge().value()).isEqualTo(1.0);
      assertThat(registry.get(MetricNames.KEYS).tag(MetricNames.MOUNT_TAG, missing.toString())
          .gauge().value()).isZero();
    }
  }

  @Test
  void invalidFilesGaugeCountsUnusableFiles() {
    try (MountedSecrets secrets = open()) {
      assertThat(gauge(MetricNames.INVALID_FILES)).isZero();
      mount.put("broken", "{\"a\": oops}");
      mount.put("empty", "");
      secrets.reload();
      assertThat(gauge(MetricNames.INVALID_FILES)).isEqualTo(2.0);
      mount.put("broken", "{\"a\": \"fixed\"}");
      secrets.reload();
      assertThat(gauge(MetricNames.INVALID_FILES)).isEqualTo(1.0);
    }
  }

  @Test
  void staleIsOneWhileTheMountIsGone() throws Exception {
    try (MountedSecrets secrets = open()) {
      assertThat(gauge(MetricNames.STALE)).isZero();
      deleteRecursively(mount.directory());
      secrets.reload();
      assertThat(secrets.status().state()).isEqualTo(MountState.STALE);
      assertThat(gauge(MetricNames.STALE)).isEqualTo(1.0);
      // The last snapshot is still served.
      assertThat(gauge(MetricNames.KEYS)).isEqualTo(5.0);
      assertThat(secrets.get("DB_PASSWORD")).isEqualTo("pw-1");

      mount = SecretsMount.atomicWriter(mount.directory()).publish(files());
      secrets.reload();
      assertThat(secrets.status().state()).isEqualTo(MountState.READY);
      assertThat(gauge(MetricNames.STALE)).isZero();
    }
  }

  @Test
  void metersCarryNumbersOnly() {
    try (MountedSecrets secrets = open()) {
      mount.put("broken", "{");
      secrets.reload();
      for (Meter meter : registry.getMeters()) {
        meter.measure().forEach(measurement ->
            assertThat(Double.isNaN(measurement.getValue()) || measurement.getValue() >= 0)
                .as(meter.getId().toString()).isTrue());
      }
    }
  }
}
