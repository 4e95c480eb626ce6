package io.github.mountedsecrets.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.Mount;
import io.github.mountedsecrets.test.SecretsMount;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.OriginLookup;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * The mount as a Spring property source: each key's origin is its file, and
 * {@code mounted-secrets.precedence} decides whether a leftover OS environment variable of the
 * same name hides the rotating value.
 */
class PropertySourceTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @Test
  void eachKeyNamesItsFileAsItsOrigin(@Mount SecretsMount mount) {
    mount.publish(Map.of("API_KEY", "k", "nested/dir/file", "n",
        "prod-db", "{\"username\":\"app\",\"port\":\"not-a-port\",\"hosts\":[\"h1\"]}"));
    try (ConfigurableApplicationContext context = Apps.run(Apps.WithoutDataSource.class,
        "spring.config.import=mounted-secrets:" + mount.directory())) {
      PropertySource<?> source = mount(context, mount.directory());
      Path dir = mount.directory();
      assertThat(origin(source, "API_KEY")).isEqualTo("secret file [" + dir.resolve("API_KEY") + "]");
      assertThat(origin(source, "nested/dir/file"))
          .isEqualTo("secret file [" + dir.resolve("nested/dir/file") + "]");
      assertThat(origin(source, "prod-db")).isEqualTo("secret file [" + dir.resolve("prod-db") + "]");
      assertThat(origin(source, "prod-db.username"))
          .isEqualTo("field 'username' of secret file [" + dir.resolve("prod-db") + "]");
      assertThat(origin(source, "prod-db.hosts[0]"))
          .isEqualTo("field 'hosts[0]' of secret file [" + dir.resolve("prod-db") + "]");
      assertThat(origin(source, "ABSENT")).isNull();
    }
    // A binding error names the file the value came from.
    assertThatThrownBy(() -> Apps.run(new Class<?>[] {Apps.WithoutDataSource.class, Binds.class},
        "spring.config.import=mounted-secrets:" + mount.directory()))
        .satisfies(e -> assertThat(MountedSecretsAutoConfigurationTest.cause(e, BindException.class)
            .getProperty().getOrigin()).hasToString(
                "field 'port' of secret file [" + mount.directory().resolve("prod-db") + "]"));
  }

  @Test
  void byDefaultALeftoverEnvironmentVariableWins(@Mount SecretsMount mount) {
    mount.publish(Map.of("DB_PASSWORD", "from-mount-1"));
    try (ConfigurableApplicationContext context = run(mount.directory())) {
      assertThat(context.getEnvironment().getProperty("DB_PASSWORD")).isEqualTo("leftover");
      assertThat(names(context)).containsSubsequence("systemEnvironment",
          "mounted-secrets:" + mount.directory());
    }
  }

  @Test
  void aheadOfEnvironmentRanksTheMountAboveEnvironmentVariables(@Mount SecretsMount mount) {
    mount.publish(Map.of("DB_PASSWORD", "from-mount-1", "API_KEY", "key-1"));
    try (ConfigurableApplicationContext context = run(mount.directory(),
        "mounted-secrets.precedence=ahead-of-environment", "API_KEY=from-command-line")) {
      assertThat(context.getEnvironment().getProperty("DB_PASSWORD")).isEqualTo("from-mount-1");
      // Command-line arguments (and Java system properties) still win.
      assertThat(context.getEnvironment().getProperty("API_KEY")).isEqualTo("from-command-line");
      assertThat(names(context)).containsSubsequence("commandLineArgs", "systemProperties",
          "mounted-secrets:" + mount.directory(), "systemEnvironment");

      mount.publish(Map.of("DB_PASSWORD", "from-mount-2", "API_KEY", "key-2"));

      Await.until(TIMEOUT, () -> "from-mount-2".equals(context.getEnvironment().getProperty("DB_PASSWORD")),
          () -> "the rotated value ahead of the environment variable");
    }
  }

  private static ConfigurableApplicationContext run(Path directory, String... more) {
    StandardEnvironment environment = new StandardEnvironment();
    environment.getPropertySources().replace(
        StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
        new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
            Map.of("DB_PASSWORD", "leftover")));
    List<String> properties = new ArrayList<>(List.of("spring.config.import=mounted-secrets:" + directory));
    properties.addAll(List.of(more));
    return Apps.run(PropertySourceTest.class.getClassLoader(), environment,
        new Class<?>[] {Apps.WithoutDataSource.class}, properties.toArray(new String[0]));
  }

  private static List<String> names(ConfigurableApplicationContext context) {
    List<String> names = new ArrayList<>();
    context.getEnvironment().getPropertySources().forEach(source -> names.add(source.getName()));
    return names;
  }

  private static PropertySource<?> mount(ConfigurableApplicationContext context, Path directory) {
    return context.getEnvironment().getPropertySources().get("mounted-secrets:" + directory);
  }

  @SuppressWarnings("unchecked")
  private static String origin(PropertySource<?> source, String key) {
    Origin origin = ((OriginLookup<String>) source).getOrigin(key);
    return origin == null ? null : origin.toString();
  }

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(ProdDb.class)
  static class Binds {}

  @ConfigurationProperties("prod-db")
  static class ProdDb {
    private int port;

    public int getPort() {
      return port;
    }

    public void setPort(int port) {
      this.port = port;
    }
  }
}
