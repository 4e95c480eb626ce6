package io.github.mountedsecrets.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.MountNotFoundException;
import io.github.mountedsecrets.MountState;
import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.SecretsChangedEvent;
import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.Mount;
import io.github.mountedsecrets.test.SecretsMount;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.source.InvalidConfigurationPropertyValueException;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.util.unit.DataSize;

/**
 * Every {@code mounted-secrets.*} option reaches the core builder and has its effect; the
 * bean backs off when the application defines one; events reach {@code @EventListener}s.
 */
class MountedSecretsAutoConfigurationTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(MountedSecretsAutoConfiguration.class));

  @Test
  void defaultsAreCoreDefaults() {
    MountedSecretsProperties properties = new MountedSecretsProperties();
    assertThat(properties.getDirectory()).isEqualTo(MountedSecrets.DEFAULT_DIRECTORY);
    assertThat(properties.getPollInterval()).isEqualTo(MountedSecrets.DEFAULT_POLL_INTERVAL);
    assertThat(properties.getQuietPeriod()).isEqualTo(MountedSecrets.DEFAULT_QUIET_PERIOD);
    assertThat(properties.getMaxFileSize().toBytes()).isEqualTo(MountedSecrets.DEFAULT_MAX_FILE_SIZE);
    assertThat(properties.getMaxDepth()).isEqualTo(MountedSecrets.DEFAULT_MAX_DEPTH);
    assertThat(properties.getCacheMaximumSize()).isEqualTo(MountedSecrets.DEFAULT_CACHE_MAXIMUM_SIZE);
    assertThat(properties.isWatch()).isTrue();
    assertThat(properties.isFlattenJson()).isTrue();
    assertThat(properties.isTrimTrailingNewline()).isTrue();
    assertThat(properties.isRequireMount()).isTrue();
    assertThat(properties.getDatasource().isEnabled()).isTrue();
    assertThat(properties.getDatasource().getInitialBackoff()).isEqualTo(Duration.ofSeconds(1));
    assertThat(properties.getDatasource().getMaxBackoff()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void bindsEveryProperty(@Mount SecretsMount mount) {
    mount.publish(Map.of("A", "a"));
    runner.withPropertyValues("mounted-secrets.directory=" + mount.directory(),
        "mounted-secrets.poll-interval=2s", "mounted-secrets.quiet-period=50ms",
        "mounted-secrets.watch=false", "mounted-secrets.flatten-json=false",
        "mounted-secrets.trim-trailing-newline=false", "mounted-secrets.max-file-size=2KB",
        "mounted-secrets.max-depth=3", "mounted-secrets.require-mount=false",
        "mounted-secrets.cache-maximum-size=7", "mounted-secrets.datasource.enabled=false",
        "mounted-secrets.datasource.username-key=U", "mounted-secrets.datasource.password-key=P",
        "mounted-secrets.datasource.initial-backoff=200ms",
        "mounted-secrets.datasource.max-backoff=3s")
        .run(context -> {
          MountedSecretsProperties properties = context.getBean(MountedSecretsProperties.class);
          assertThat(properties.getDirectory()).isEqualTo(mount.directory());
          assertThat(properties.getPollInterval()).isEqualTo(Duration.ofSeconds(2));
          assertThat(properties.getQuietPeriod()).isEqualTo(Duration.ofMillis(50));
          assertThat(properties.isWatch()).isFalse();
          assertThat(properties.isFlattenJson()).isFalse();
          assertThat(properties.isTrimTrailingNewline()).isFalse();
          assertThat(properties.getMaxFileSize()).isEqualTo(DataSize.ofKilobytes(2));
          assertThat(properties.getMaxDepth()).isEqualTo(3);
          assertThat(properties.isRequireMount()).isFalse();
          assertThat(properties.getCacheMaximumSize()).isEqualTo(7);
          MountedSecretsProperties.Datasource datasource = properties.getDatasource();
          assertThat(datasource.isEnabled()).isFalse();
          assertThat(datasource.getUsernameKey()).isEqualTo("U");
          assertThat(datasource.getPasswordKey()).isEqualTo("P");
          assertThat(datasource.getInitialBackoff()).isEqualTo(Duration.ofMillis(200));
          assertThat(datasource.getMaxBackoff()).isEqualTo(Duration.ofSeconds(3));
          assertThat(context.getBean(MountedSecrets.class).get("A")).isEqualTo("a");
        });
  }

  @Test
  void directory(@Mount SecretsMount mount) {
    mount.publish(Map.of("DB_PASSWORD", "pw"));
    runner.withPropertyValues("mounted-secrets.directory=" + mount.directory()).run(context -> {
      MountedSecrets secrets = context.getBean(MountedSecrets.class);
      assertThat(secrets.directory()).isEqualTo(mount.directory());
      assertThat(secrets.get("DB_PASSWORD")).isEqualTo("pw");
    });
  }

  @Test
  void pollIntervalWithoutWatchFindsChanges(@Mount SecretsMount mount) {
    mount.publish(Map.of("K", "v1"));
    runner.withPropertyValues("mounted-secrets.directory=" + mount.directory(),
        "mounted-secrets.watch=false", "mounted-secrets.poll-interval=100ms").run(context -> {
          MountedSecrets secrets = context.getBean(MountedSecrets.class);
          mount.publish(Map.of("K", "v2"));
          Await.until(TIMEOUT, () -> secrets.get("K").equals("v2"), () -> "the poll to see v2");
        });
  }

  @Test
  void watchSeesChangesBeforeThePoll(@Mount SecretsMount mount) {
    mount.publish(Map.of("K", "v1"));
    runner.withPropertyValues("mounted-secrets.directory=" + mount.directory(),
        "mounted-secrets.watch=true", "mounted-secrets.poll-interval=1h").run(context -> {
          MountedSecrets secrets = context.getBean(MountedSecrets.class);
          mount.publish(Map.of("K", "v2"));
          Await.until(TIMEOUT, () -> secrets.get("K").equals("v2"), () -> "the watcher to see v2");
        });
  }

  @Test
  void quietPeriod(@Mount(SecretsMount.Layout.FILE_BY_FILE) SecretsMount mount) {
    mount.publish(Map.of("K", "v1"));
    runner.withPropertyValues("mounted-secrets.directory=" + mount.directory(),
        "mounted-secrets.quiet-period=0s").run(context -> {
          MountedSecrets secrets = context.getBean(MountedSecrets.class);
          mount.publish(Map.of("K", "v2"));
          Await.until(TIMEOUT, () -> secrets.get("K").equals("v2"), () -> "v2");
        });
    runner.withPropertyValues("mounted-secrets.directory=" + mount.directory(),
        "mounted-secrets.quiet-period=2m").run(context -> assertThat(cause(context.getStartupFailure(),
            InvalidConfigurationPropertyValueException.class))
            .hasMessageContaining("mounted-secrets.quiet-period")
            .hasMessageContaining("mounted-secrets.quiet-period must be between 0 and 1 minute, but was PT2M"));
  }

  @Test
  void flattenJson(@Mount SecretsMount mount) {
    mount.publish(Map.of("prod-db", "{\"username\":\"app\"}"));
    runner.withPropertyValues("mounted-secrets.directory=" + mount.directory()).run(context ->
        assertThat(context.getBean(MountedSecrets.class).find("prod-db.username")).hasValue("app"));
    runner.withPropertyValues("mounted-secrets.directory=" + mount.directory(),
        "mounted-secrets.flatten-json=false").run(context ->
        assertThat(context.getBean(MountedSecrets.class).find("prod-db.username")).isEmpty());
  }

  @Test
  void trimTrailingNewline(@Mount SecretsMount mount) {
    mount.publish(Map.of("TOKEN", "t\n"));
    runner.withPropertyValues("mounted-secrets.directory=" + mount.directory()).run(context ->
        assertThat(context.getBean(MountedSecrets.class).get("TOKEN")).isEqualTo("t"));
    runner.withPropertyValues("mounted-secrets.directory=" + mount.directory(),
        "mounted-secrets.trim-trailing-newline=false").run(context ->
        assertThat(context.getBean(MountedSecrets.class).get("TOKEN")).isEqualTo("t\n"));
  }

  @Test
  void maxFileSize(@Mount SecretsMount mount) {
    mount.publish(Map.of("SMALL", "s", "LARGE", "x".repeat(2048)));
    runner.withPropertyValues("mounted-secrets.directory=" + mount.directory(),
        "mounted-secrets.max-file-size=1KB").run(context -> {
          MountedSecrets secrets = context.getBean(MountedSecrets.class);
          assertThat(secrets.find("SMALL")).hasValue("s");
          assertThat(secrets.find("LARGE")).isEmpty();
          assertThat(secrets.status().invalidFiles()).containsKey("LARGE");
        });
    runner.withPropertyValues("mounted-secrets.directory=" + mount.directory(),
        "mounted-secrets.max-file-size=0B").run(context -> assertThat(context.getStartupFailure())
            .hasMessageContaining("mounted-secrets.max-file-size")
            .hasMessageContaining("mounted-secrets.max-file-size must be between 1 and"));
  }

  @Test
  void maxEntriesAndMaxTotalSize(@Mount SecretsMount mount) {
    mount.publish(Map.of("A", "0123456789", "B", "0123456789"));
    runner.withPropertyValues("mounted-secrets.directory=" + mount.directory(),
        "mounted-secrets.max-entries=2", "mounted-secrets.max-total-size=20B").run(context ->
            assertThat(context.getBean(MountedSecrets.class).find("B")).hasValue("0123456789"));
    runner.withPropertyValues("mounted-secrets.directory=" + mount.directory(),
        "mounted-secrets.max-entries=1").run(context -> assertThat(context.getStartupFailure())
            .hasRootCauseMessage("Secrets mount " + mount.directory() + " could not be read at "
                + "startup: the mount holds more than maxEntries=1 entries (files, directories "
                + "and links) and was not read. Point the directory at the secrets mount itself, "
                + "or raise maxEntries"));
    runner.withPropertyValues("mounted-secrets.directory=" + mount.directory(),
        "mounted-secrets.max-total-size=19B").run(context -> assertThat(context.getStartupFailure())
            .rootCause().hasMessageContaining("more than maxTotalSize=19 bytes"));
    runner.withPropertyValues("mounted-secrets.directory=" + mount.directory(),
        "mounted-secrets.max-entries=0").run(context -> assertThat(context.getStartupFailure())
            .hasMessageContaining("mounted-secrets.max-entries must be between 1 and 10000000"));
  }

  @Test
  void maxDepth(@Mount SecretsMount mount) {
    mount.publish(Map.of("top", "t", "a/b/deep", "d"));
    runner.withPropertyValues("mounted-secrets.directory=" + mount.directory(),
        "mounted-secrets.max-depth=2").run(context -> {
          MountedSecrets secrets = context.getBean(MountedSecrets.class);
          assertThat(secrets.find("top")).hasValue("t");
          assertThat(secrets.find("a/b/deep")).isEmpty();
        });
    runner.withPropertyValues("mounted-secrets.directory=" + mount.directory(),
        "mounted-secrets.max-depth=3").run(context ->
        assertThat(context.getBean(MountedSecrets.class).find("a/b/deep")).hasValue("d"));
  }

  @Test
  void requireMount(@Mount SecretsMount parent) {
    Path missing = parent.directory().resolveSibling("missing");
    runner.withPropertyValues("mounted-secrets.directory=" + missing).run(context ->
        assertThat(context.getStartupFailure()).hasRootCauseInstanceOf(MountNotFoundException.class));
    runner.withPropertyValues("mounted-secrets.directory=" + missing,
        "mounted-secrets.require-mount=false", "mounted-secrets.poll-interval=100ms").run(context -> {
          MountedSecrets secrets = context.getBean(MountedSecrets.class);
          assertThat(secrets.status().state()).isEqualTo(MountState.MISSING);
          SecretsMount.atomicWriter(missing).publish(Map.of("K", "v"));
          Await.until(TIMEOUT, () -> secrets.find("K").isPresent(), () -> "the mount to appear");
        });
  }

  @Test
  void cacheMaximumSize(@Mount SecretsMount mount) {
    mount.publish(Map.of("N", "42"));
    runner.withPropertyValues("mounted-secrets.directory=" + mount.directory(),
        "mounted-secrets.cache-maximum-size=0").run(context ->
        assertThat(context.getBean(MountedSecrets.class).getInt("N")).isEqualTo(42));
    runner.withPropertyValues("mounted-secrets.directory=" + mount.directory(),
        "mounted-secrets.cache-maximum-size=-1").run(context -> assertThat(context.getStartupFailure())
            .hasMessageContaining("mounted-secrets.cache-maximum-size")
            .hasMessageContaining("mounted-secrets.cache-maximum-size must not be negative, but was -1"));
  }

  @Test
  void pollIntervalMustBePositive(@Mount SecretsMount mount) {
    mount.publish(Map.of("K", "v"));
    runner.withPropertyValues("mounted-secrets.directory=" + mount.directory(),
        "mounted-secrets.poll-interval=0s").run(context -> assertThat(cause(context.getStartupFailure(),
            InvalidConfigurationPropertyValueException.class))
            .hasMessageContaining("mounted-secrets.poll-interval")
            .hasMessageContaining("mounted-secrets.poll-interval must be positive, but was PT0S"));
  }

  @Test
  void backsOffWhenTheApplicationDefinesTheBean(@Mount SecretsMount mount) {
    mount.publish(Map.of("K", "mine"));
    runner.withPropertyValues("mounted-secrets.directory=/does/not/matter")
        .withBean(MountedSecrets.class, () -> MountedSecrets.builder().directory(mount.directory()).build())
        .run(context -> {
          assertThat(context).hasSingleBean(MountedSecrets.class);
          assertThat(context.getBean(MountedSecrets.class).get("K")).isEqualTo("mine");
        });
  }

  @Test
  void theContextClosesTheMount(@Mount SecretsMount mount) {
    mount.publish(Map.of("K", "v"));
    String directory = mount.directory().toString();
    runner.withPropertyValues("mounted-secrets.directory=" + directory).run(context ->
        assertThat(ConfigImportTest.reloadThreads(directory)).isEqualTo(1));
    Await.until(TIMEOUT, () -> ConfigImportTest.reloadThreads(directory) == 0,
        () -> "the reload thread to stop");
  }

  @ParameterizedTest
  @EnumSource(SecretsMount.Layout.class)
  void publishesChangesToEventListeners(SecretsMount.Layout layout, @Mount SecretsMount parent) {
    SecretsMount mount = SecretsMount.create(layout, parent.directory().resolveSibling("m-" + layout));
    mount.publish(Map.of("DB_USER", "blue", "DB_PASSWORD", "p1"));
    runner.withPropertyValues("mounted-secrets.directory=" + mount.directory())
        .withUserConfiguration(Listener.class)
        .run(context -> {
          Listener listener = context.getBean(Listener.class);
          mount.publish(Map.of("DB_USER", "green", "DB_PASSWORD", "p2"));
          Await.until(TIMEOUT, () -> listener.events.stream()
              .anyMatch(e -> e.current().find("DB_PASSWORD").equals(java.util.Optional.of("p2"))),
              () -> "a SecretsChangedEvent with the new pair");
          assertThat(listener.events).allSatisfy(event ->
              assertThat(event.current().directory()).isEqualTo(mount.directory()));
          assertThat(listener.threads).allMatch(name -> name.startsWith("mounted-secrets-events["));
        });
  }

  static <T extends Throwable> T cause(Throwable failure, Class<T> type) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    throw new AssertionError("no " + type.getName() + " in " + failure, failure);
  }

  @Configuration(proxyBeanMethods = false)
  static class Listener {
    final List<SecretsChangedEvent> events = new CopyOnWriteArrayList<>();
    final List<String> threads = new CopyOnWriteArrayList<>();

    @EventListener
    void on(SecretsChangedEvent event) {
      threads.add(Thread.currentThread().getName());
      events.add(event);
    }

    @Bean
    String marker() {
      return "listener";
    }
  }
}
