package io.github.mountedsecrets.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.cloud.context.config.annotation.RefreshScope;
import org.springframework.cloud.context.environment.EnvironmentChangeEvent;
import org.springframework.cloud.context.refresh.ContextRefresher;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.PropertySource;

/**
 * {@code spring.config.import=mounted-secrets:...} in real Spring Boot applications: values
 * through {@code @Value}, {@code Environment} and {@code @ConfigurationProperties}, live values
 * after a rotation in both layouts, events, one instance per directory, {@code optional:},
 * and the failure report for a missing mount.
 */
@ExtendWith(OutputCaptureExtension.class)
class ConfigImportTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @Test
  void servesKeysThroughValueEnvironmentAndConfigurationProperties(@Mount SecretsMount mount) {
    mount.publish(Map.of("DB_PASSWORD", "pw-1", "API_KEY", "key-1",
        "prod-db", "{\"username\":\"app\",\"password\":\"db-pw-1\",\"port\":5432}"));
    try (ConfigurableApplicationContext context = run(mount.directory(),
        "app.password=${DB_PASSWORD}")) {
      assertThat(context.getEnvironment().getProperty("DB_PASSWORD")).isEqualTo("pw-1");
      assertThat(context.getEnvironment().getProperty("prod-db.username")).isEqualTo("app");
      assertThat(context.getEnvironment().getProperty("prod-db.port", Integer.class)).isEqualTo(5432);
      assertThat(context.getEnvironment().getProperty("app.password")).isEqualTo("pw-1");
      ValueHolder values = context.getBean(ValueHolder.class);
      assertThat(values.password).isEqualTo("pw-1");
      assertThat(values.username).isEqualTo("app");
      assertThat(context.getBean(ProdDb.class).getPassword()).isEqualTo("db-pw-1");

      PropertySource<?> source = context.getEnvironment().getPropertySources()
          .get("mounted-secrets:" + mount.directory());
      assertThat(source).isInstanceOf(EnumerablePropertySource.class);
      // The listing policy both adapters share: a JSON secret's fields are listed, its whole
      // text is served by name but not listed.
      assertThat(((EnumerablePropertySource<?>) source).getPropertyNames())
          .contains("DB_PASSWORD", "API_KEY", "prod-db.username", "prod-db.password")
          .doesNotContain("prod-db");
      assertThat(source.getProperty("prod-db")).asString().contains("db-pw-1");
      assertThat(source.getSource()).isSameAs(context.getBean(MountedSecrets.class));
    }
  }

  @ParameterizedTest
  @EnumSource(SecretsMount.Layout.class)
  void aRotationIsLiveInTheEnvironmentAndPublishedAsEvents(SecretsMount.Layout layout,
      @Mount SecretsMount unused) throws Exception {
    Path directory = unused.directory().resolveSibling("mount-" + layout);
    SecretsMount mount = SecretsMount.create(layout, directory);
    mount.publish(Map.of("DB_PASSWORD", "pw-1", "prod-db", "{\"username\":\"blue\",\"password\":\"p1\"}"));
    try (ConfigurableApplicationContext context = run(directory, "app.password=${DB_PASSWORD}")) {
      ValueHolder values = context.getBean(ValueHolder.class);
      Events events = context.getBean(Events.class);

      mount.publish(Map.of("DB_PASSWORD", "pw-2", "prod-db", "{\"username\":\"green\",\"password\":\"p2\"}"));

      // FILE_BY_FILE writes the files one after the other: a stall between them longer than the
      // quiet period is read (as documented) as two changes, so wait for the whole final state
      // and for events that together name every key, not for the first of them.
      Await.until(TIMEOUT, () -> "pw-2".equals(context.getEnvironment().getProperty("DB_PASSWORD"))
              && "green".equals(context.getEnvironment().getProperty("prod-db.username")),
          () -> "the rotated password and username in the environment");
      assertThat(context.getEnvironment().getProperty("app.password")).isEqualTo("pw-2");
      Set<String> rotated = Set.of("DB_PASSWORD", "prod-db", "prod-db.username", "prod-db.password");
      Await.until(TIMEOUT, () -> changedKeys(events.changes).containsAll(rotated),
          () -> "SecretsChangedEvents naming " + rotated + "; got " + events.changes);
      if (layout == SecretsMount.Layout.ATOMIC_WRITER) {
        // The atomic writer switches every file at once: its first event names them all.
        assertThat(events.changes.get(0).changed()).containsAll(rotated);
      }
      assertThat(events.changes).allSatisfy(
          event -> assertThat(event.current().directory()).isEqualTo(directory));
      // With Spring Cloud Context: EnvironmentChangeEvent first, so @ConfigurationProperties
      // beans are rebound, and @RefreshScope beans are created again.
      assertThat(events.environmentChanges).isNotEmpty();
      assertThat(events.environmentChanges.stream().flatMap(Set::stream))
          .contains("DB_PASSWORD", "prod-db.username");
      if (layout == SecretsMount.Layout.ATOMIC_WRITER) {
        assertThat(events.environmentChanges.get(0)).contains("DB_PASSWORD", "prod-db.username");
      }
      assertThat(events.order).startsWith("environment", "secrets");
      assertThat(context.getBean(ProdDb.class).getUsername()).isEqualTo("green");
      assertThat(context.getBean(RefreshedHolder.class).password()).isEqualTo("pw-2");
      // @Value fields were injected again before the event.
      assertThat(values.password).isEqualTo("pw-2");
      assertThat(values.username).isEqualTo("green");
    }
  }

  @Test
  void oneInstancePerDirectoryEvenWhenImportedTwiceAndRefreshedBySpringCloud(
      @Mount SecretsMount mount) {
    mount.publish(Map.of("DB_PASSWORD", "pw-1", "prod-db", "{\"username\":\"app\"}"));
    String directory = mount.directory().toString();
    try (ConfigurableApplicationContext context = Apps.run(
        new Class<?>[] {Apps.WithoutDataSource.class, Beans.class},
        "spring.config.import=mounted-secrets:" + directory + ",mounted-secrets:" + directory + "/",
        "mounted-secrets.directory=" + directory)) {
      MountedSecrets secrets = context.getBean(MountedSecrets.class);
      assertThat(context.getBeansOfType(MountedSecrets.class)).hasSize(1);
      assertThat(reloadThreads(directory)).isEqualTo(1);

      mount.publish(Map.of("DB_PASSWORD", "pw-2"));
      Await.until(TIMEOUT, () -> "pw-2".equals(context.getEnvironment().getProperty("DB_PASSWORD")),
          () -> "the rotated password");
      // Spring Cloud's refresh processes the imports again in the same bootstrap context.
      context.getBean(ContextRefresher.class).refresh();

      assertThat(context.getEnvironment().getPropertySources().get("mounted-secrets:" + directory)
          .getSource()).isSameAs(secrets);
      assertThat(reloadThreads(directory)).isEqualTo(1);
      assertThat(context.getEnvironment().getProperty("DB_PASSWORD")).isEqualTo("pw-2");
    }
    Await.until(TIMEOUT, () -> reloadThreads(directory) == 0, () -> "the mount closed with the context");
  }

  @Test
  void anEmptyImportPathMeansTheConfiguredDirectoryAndOptionsApplyToImports(@Mount SecretsMount mount) {
    mount.publish(Map.of("prod-db", "{\"username\":\"app\"}", "TOKEN", "t\n"));
    try (ConfigurableApplicationContext context = Apps.run(
        new Class<?>[] {Apps.WithoutDataSource.class},
        "spring.config.import=mounted-secrets:",
        "mounted-secrets.directory=" + mount.directory(),
        "mounted-secrets.flatten-json=false",
        "mounted-secrets.trim-trailing-newline=false")) {
      assertThat(context.getEnvironment().getProperty("prod-db")).isEqualTo("{\"username\":\"app\"}");
      assertThat(context.getEnvironment().containsProperty("prod-db.username")).isFalse();
      assertThat(context.getEnvironment().getProperty("TOKEN")).isEqualTo("t\n");
    }
  }

  @Test
  void anOptionalImportStartsWithoutTheMountAndPicksItUpWhenItAppears(@Mount SecretsMount parent) {
    Path directory = parent.directory().resolveSibling("appears-later");
    try (ConfigurableApplicationContext context = Apps.run(
        new Class<?>[] {Apps.WithoutDataSource.class},
        "spring.config.import=optional:mounted-secrets:" + directory,
        "mounted-secrets.poll-interval=100ms")) {
      assertThat(context.getEnvironment().getProperty("API_KEY")).isNull();
      assertThat(context.getBean(MountedSecrets.class).status().state()).isEqualTo(MountState.MISSING);

      SecretsMount.atomicWriter(directory).publish(Map.of("API_KEY", "key-1"));

      Await.until(TIMEOUT, () -> "key-1".equals(context.getEnvironment().getProperty("API_KEY")),
          () -> "the mount that appeared");
    }
  }

  @Test
  void requireMountFalseAlsoMakesAnImportOptional(@Mount SecretsMount parent) {
    Path directory = parent.directory().resolveSibling("absent");
    try (ConfigurableApplicationContext context = Apps.run(
        new Class<?>[] {Apps.WithoutDataSource.class},
        "spring.config.import=mounted-secrets:" + directory, "mounted-secrets.require-mount=false")) {
      assertThat(context.getBean(MountedSecrets.class).status().state()).isEqualTo(MountState.MISSING);
    }
  }

  @Test
  void aMissingRequiredMountStopsStartupWithAnExplanation(@Mount SecretsMount parent,
      CapturedOutput output) {
    Path directory = parent.directory().resolveSibling("not-mounted");
    assertThatThrownBy(() -> Apps.run(new Class<?>[] {Apps.WithoutDataSource.class},
        "spring.config.import=mounted-secrets:" + directory))
        .satisfies(e -> MountedSecretsAutoConfigurationTest.cause(e, MountNotFoundException.class));
    assertThat(output.toString())
        .contains("APPLICATION FAILED TO START")
        .contains("The application expected the secrets volume to be mounted at " + directory
            + ", but it is not there.")
        .contains("Secrets mount " + directory + " does not exist.")
        .contains("(set the spring.config.import location or mounted-secrets.directory to the "
            + "mountPath)")
        .contains("set mounted-secrets.require-mount to false.")
        .doesNotContain("builder's")
        .contains("spring.config.import=mounted-secrets:<mountPath>")
        .contains("spring.config.import=optional:mounted-secrets:" + directory)
        .contains("mounted-secrets.require-mount=false");
    assertThat(reloadThreads(directory.toString())).isZero();
  }

  @Test
  void anInvalidOptionNamesTheProperty(@Mount SecretsMount mount, CapturedOutput output) {
    mount.publish(Map.of("A", "a"));
    assertThatThrownBy(() -> Apps.run(new Class<?>[] {Apps.WithoutDataSource.class},
        "spring.config.import=mounted-secrets:" + mount.directory(),
        "mounted-secrets.poll-interval=0s"))
        .hasMessageContaining("mounted-secrets.poll-interval");
    assertThat(output.toString())
        .contains("APPLICATION FAILED TO START")
        .contains("mounted-secrets.poll-interval")
        .contains("mounted-secrets.poll-interval must be positive, but was PT0S");
  }

  private static Set<String> changedKeys(List<SecretsChangedEvent> changes) {
    return changes.stream().flatMap(event -> event.changed().stream())
        .collect(Collectors.toSet());
  }

  static long reloadThreads(String directory) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals("mounted-secrets-reload[" + directory + "]")).count();
  }

  private static ConfigurableApplicationContext run(Path directory, String... more) {
    String[] properties = new String[more.length + 1];
    properties[0] = "spring.config.import=mounted-secrets:" + directory;
    System.arraycopy(more, 0, properties, 1, more.length);
    return Apps.run(new Class<?>[] {Apps.WithoutDataSource.class, Beans.class}, properties);
  }

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(ProdDb.class)
  static class Beans {
    @Bean
    ValueHolder valueHolder() {
      return new ValueHolder();
    }

    @Bean
    Events events() {
      return new Events();
    }

    @Bean
    @RefreshScope
    RefreshedHolder refreshedHolder(@Value("${DB_PASSWORD}") String password) {
      return new RefreshedHolder(password);
    }
  }

  static class ValueHolder {
    @Value("${DB_PASSWORD}")
    String password;

    @Value("${prod-db.username}")
    String username;
  }

  static class RefreshedHolder {
    private final String password;

    RefreshedHolder(String password) {
      this.password = password;
    }

    String password() {
      return password;
    }
  }

  @ConfigurationProperties("prod-db")
  static class ProdDb {
    private String username;
    private String password;

    public String getUsername() {
      return username;
    }

    public void setUsername(String username) {
      this.username = username;
    }

    public String getPassword() {
      return password;
    }

    public void setPassword(String password) {
      this.password = password;
    }
  }

  static class Events {
    final List<SecretsChangedEvent> changes = new CopyOnWriteArrayList<>();
    final List<Set<String>> environmentChanges = new CopyOnWriteArrayList<>();
    final List<String> order = new CopyOnWriteArrayList<>();

    @EventListener
    void on(SecretsChangedEvent event) {
      order.add("secrets");
      changes.add(event);
    }

    @EventListener
    void on(EnvironmentChangeEvent event) {
      order.add("environment");
      environmentChanges.add(event.getKeys());
    }
  }
}
