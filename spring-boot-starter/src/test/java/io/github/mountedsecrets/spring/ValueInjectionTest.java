package io.github.mountedsecrets.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.SecretsChangedEvent;
import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.Mount;
import io.github.mountedsecrets.test.SecretsMount;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Lazy;
import org.springframework.context.annotation.Scope;
import org.springframework.context.event.EventListener;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code @Value} fields and setters follow rotations in a plain Spring Boot application,
 * without Spring Cloud (hidden from the class loader), in both layouts: conversions,
 * defaults, SpEL, nested placeholders, singleton, lazy and prototype beans, and one warning
 * for each injection point that cannot change, never with a value.
 */
@ExtendWith(OutputCaptureExtension.class)
class ValueInjectionTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final String CANARY = "canary-" + UUID.randomUUID();

  @ParameterizedTest
  @EnumSource(SecretsMount.Layout.class)
  void valueInjectionPointsFollowRotations(SecretsMount.Layout layout, @Mount SecretsMount unused,
      CapturedOutput output) {
    SecretsMount mount = SecretsMount.create(layout, unused.directory().resolveSibling("v-" + layout));
    mount.publish(files(1, "4", "5s", null));
    try (ConfigurableApplicationContext context = run(mount.directory())) {
      ApiController controller = context.getBean(ApiController.class);
      Settings settings = context.getBean(Settings.class);
      Proto before = context.getBean(Proto.class);
      assertThat(controller.key()).isEqualTo(key(1));
      assertThat(settings.poolSize).isEqualTo(4);
      assertThat(settings.timeout).isEqualTo(Duration.ofSeconds(5));
      assertThat(settings.feature).isEqualTo("off");
      assertThat(settings.upper).isEqualTo(key(1).toUpperCase());
      assertThat(settings.viaProperty).isEqualTo(key(1));
      assertThat(context.getBeansOfType(EnvironmentChangePublisher.class)).isEmpty();

      mount.publish(files(2, "8", "1m", "on"));

      Await.until(TIMEOUT, () -> !context.getBean(Seen.class).keys.isEmpty(), () -> "a SecretsChangedEvent");
      // Injected again before SecretsChangedEvent listeners ran. API_KEY is the first file
      // written, so it is in the first read of the rotation in both layouts.
      assertThat(context.getBean(Seen.class).keys.get(0)).isEqualTo(key(2));
      assertThat(controller.key()).isEqualTo(key(2));
      // FILE_BY_FILE writes the files one after the other: a stall longer than the quiet period
      // between two of them is read (as documented) as two changes, so POOL_SIZE, TIMEOUT and
      // FEATURE may come with a later event there. The atomic writer switches them all at once.
      settled(layout, () -> settings.poolSize == 8
          && Duration.ofMinutes(1).equals(settings.timeout) && "on".equals(settings.feature),
          () -> "poolSize 8, timeout 1m and feature on; got " + settings.poolSize + ", "
              + settings.timeout + ", " + settings.feature);
      assertThat(settings.poolSize).isEqualTo(8);
      assertThat(settings.timeout).isEqualTo(Duration.ofMinutes(1));
      assertThat(settings.feature).isEqualTo("on");
      assertThat(settings.upper).isEqualTo(key(2).toUpperCase());
      assertThat(settings.viaProperty).isEqualTo(key(2));
      // New prototypes get the current value; instances made earlier are not tracked.
      assertThat(context.getBean(Proto.class).apiKey).isEqualTo(key(2));
      assertThat(before.apiKey).isEqualTo(key(1));
      // A lazy singleton created after the rotation gets the current value, then follows.
      LazyHolder lazy = context.getBean(LazyHolder.class);
      assertThat(lazy.apiKey).isEqualTo(key(2));
      // What cannot change keeps its startup value.
      assertThat(context.getBean(FactoryParameter.class).apiKey).isEqualTo(key(1));
      assertThat(context.getBean(ConstructorParameter.class).apiKey).isEqualTo(key(1));

      mount.publish(files(3, "not-a-number-" + CANARY, "1m", null));
      if (layout == SecretsMount.Layout.FILE_BY_FILE) {
        mount.remove("FEATURE"); // the AWS provider leaves files of removed objects behind
      }

      // Events are published after every injection point was injected again.
      // Wait for the event of the read holding key(3), not for a number of events: in
      // FILE_BY_FILE the second rotation may already have been two events.
      Seen seen = context.getBean(Seen.class);
      Await.until(TIMEOUT, () -> seen.keys.contains(key(3)), () -> "the event of the third rotation");
      assertThat(controller.key()).isEqualTo(key(3));
      assertThat(lazy.apiKey).isEqualTo(key(3));
      Await.until(TIMEOUT, () -> "off".equals(settings.feature), () -> "the default again");
      // The read holding the unconvertible POOL_SIZE (it has key(3), written first) has been
      // injected and published; in FILE_BY_FILE it may be a later read than the one with FEATURE.
      Await.until(TIMEOUT, () -> seen.changedPoolSizeWith(key(3)), () -> "the event naming POOL_SIZE");
      // A value that does not convert: the setter keeps its previous value.
      assertThat(settings.poolSize).isEqualTo(8);
    }
    assertThat(output.toString())
        .contains("bean 'factoryParameter' receives 'API_KEY' through its parameter #0 of "
            + "factory method 'factoryParameter', which cannot be injected again")
        .contains("ValueInjectionTest$ConstructorParameter' receives 'API_KEY' through its "
            + "constructor parameter #0")
        .contains(mount.directory() + ": bean 'settings': @Value method 'setPoolSize' (keys [POOL_SIZE]) could not be "
            + "injected again")
        .doesNotContain(CANARY);
  }

  @Test
  void refreshCanBeSwitchedOff(@Mount SecretsMount mount) {
    mount.publish(files(1, "4", "5s", null));
    try (ConfigurableApplicationContext context = run(mount.directory(),
        "mounted-secrets.value-injection.refresh=false")) {
      ApiController controller = context.getBean(ApiController.class);
      mount.publish(files(2, "8", "1m", null));
      Await.until(TIMEOUT, () -> !context.getBean(Seen.class).keys.isEmpty(), () -> "a SecretsChangedEvent");
      assertThat(context.getEnvironment().getProperty("API_KEY")).isEqualTo(key(2));
      assertThat(controller.key()).isEqualTo(key(1));
      assertThat(context.getBeansOfType(ValueInjectionRefresher.class)).isEmpty();
    }
  }

  private static ConfigurableApplicationContext run(Path directory, String... more) {
    String[] properties = new String[more.length + 3];
    properties[0] = "spring.config.import=mounted-secrets:" + directory;
    properties[1] = "app.key=${API_KEY}";
    properties[2] = "mounted-secrets.poll-interval=200ms";
    System.arraycopy(more, 0, properties, 3, more.length);
    return Apps.run(Apps.withoutSpringCloud(), null,
        new Class<?>[] {Apps.WithoutDataSource.class, Beans.class}, properties);
  }

  /**
   * In the atomic-writer layout every file changes in the same read, so {@code condition} must
   * already hold; in FILE_BY_FILE the rest of a rotation may be a later read, so wait for it.
   */
  private static void settled(SecretsMount.Layout layout, BooleanSupplier condition,
      Supplier<String> description) {
    if (layout == SecretsMount.Layout.ATOMIC_WRITER) {
      assertThat(condition.getAsBoolean()).as(description).isTrue();
    } else {
      Await.until(TIMEOUT, condition, description);
    }
  }

  private static String key(int generation) {
    return "key-" + generation + "-" + CANARY;
  }

  private static Map<String, String> files(int generation, String poolSize, String timeout,
      String feature) {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("API_KEY", key(generation));
    files.put("POOL_SIZE", poolSize);
    files.put("TIMEOUT", timeout);
    if (feature != null) {
      files.put("FEATURE", feature);
    }
    return files;
  }

  @Configuration(proxyBeanMethods = false)
  @Import({ApiController.class, ConstructorParameter.class})
  static class Beans {
    @Bean
    Settings settings() {
      return new Settings();
    }

    @Bean
    @Scope(ConfigurableBeanFactory.SCOPE_PROTOTYPE)
    Proto proto() {
      return new Proto();
    }

    @Bean
    @Lazy
    LazyHolder lazyHolder() {
      return new LazyHolder();
    }

    @Bean
    FactoryParameter factoryParameter(@Value("${API_KEY}") String apiKey) {
      return new FactoryParameter(apiKey);
    }

    @Bean
    Seen seen(ApiController controller) {
      return new Seen(controller);
    }
  }

  @RestController
  static class ApiController {
    @Value("${API_KEY}")
    String apiKey;

    @GetMapping("/key")
    String key() {
      return apiKey;
    }
  }

  static class Settings {
    int poolSize;

    @Value("${TIMEOUT}")
    Duration timeout;

    @Value("${FEATURE:off}")
    String feature;

    @Value("#{'${API_KEY}'.toUpperCase()}")
    String upper;

    @Value("${app.key}")
    String viaProperty;

    @Value("${POOL_SIZE}")
    void setPoolSize(int poolSize) {
      this.poolSize = poolSize;
    }
  }

  static class Proto {
    @Value("${API_KEY}")
    String apiKey;
  }

  static class LazyHolder {
    @Value("${API_KEY}")
    String apiKey;
  }

  static class FactoryParameter {
    final String apiKey;

    FactoryParameter(String apiKey) {
      this.apiKey = apiKey;
    }
  }

  static class ConstructorParameter {
    final String apiKey;

    ConstructorParameter(@Value("${API_KEY}") String apiKey) {
      this.apiKey = apiKey;
    }
  }

  static class Seen {
    final List<String> keys = new CopyOnWriteArrayList<>();
    final List<Map.Entry<String, Set<String>>> changes = new CopyOnWriteArrayList<>();
    private final ApiController controller;

    Seen(ApiController controller) {
      this.controller = controller;
    }

    @EventListener
    void on(SecretsChangedEvent event) {
      String key = controller.key();
      changes.add(Map.entry(key, Set.copyOf(event.changed())));
      keys.add(key);
    }

    boolean changedPoolSizeWith(String key) {
      return changes.stream().anyMatch(c -> c.getKey().equals(key) && c.getValue().contains("POOL_SIZE"));
    }
  }
}
