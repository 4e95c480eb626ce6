package io.github.mountedsecrets.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.SecretsMount;
import io.quarkus.test.QuarkusExtensionTest;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.SmallRyeConfig;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import java.time.Duration;
import java.util.Map;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Keys of the mount as config properties, before and right after a rotation. */
class ConfigSourceTest {
  static final SecretsMount MOUNT = TestMounts.open("config-source", SecretsMount.Layout.ATOMIC_WRITER,
      Map.of("DB_USER", "app_blue", "DB_PASSWORD", "pw-one",
          "prod-db", "{\"username\":\"rds_user\",\"password\":\"rds-pw-one\",\"port\":5432}",
          "app.shared", "from-mount"));

  /** A mapping whose value comes from the mount through an expression. */
  @ConfigMapping(prefix = "greeting")
  public interface GreetingConfig {
    /**
     * Returns the password.
     *
     * @return {@code ${DB_PASSWORD}}
     */
    String password();
  }

  @RegisterExtension
  static final QuarkusExtensionTest APP = new QuarkusExtensionTest()
      .withApplicationRoot(jar -> jar.addClasses(TestMounts.class, GreetingConfig.class))
      .withConfigurationResource("config-source.properties");

  @ConfigProperty(name = "DB_PASSWORD")
  String password;

  @ConfigProperty(name = "prod-db.username")
  String jsonUsername;

  @ConfigProperty(name = "prod-db.port")
  int port;

  @ConfigProperty(name = "app.password")
  String expanded;

  @ConfigProperty(name = "DB_PASSWORD")
  Provider<String> livePassword;

  @Inject
  Config config;

  @Inject
  MountedSecrets secrets;

  @Inject
  GreetingConfig greeting;

  @Test
  void servesFilesJsonFieldsAndExpressions() {
    assertThat(password).isEqualTo("pw-one");
    assertThat(jsonUsername).isEqualTo("rds_user");
    assertThat(port).isEqualTo(5432);
    assertThat(expanded).isEqualTo("pw-one");
    assertThat(config.getValue("DB_USER", String.class)).isEqualTo("app_blue");
    assertThat(config.getOptionalValue("NOT_IN_THE_MOUNT", String.class)).isEmpty();
  }

  @Test
  void mountBeatsApplicationPropertiesAtDefaultOrdinal() {
    ConfigValue value = config.unwrap(SmallRyeConfig.class).getConfigValue("app.shared");
    assertThat(value.getValue()).isEqualTo("from-mount");
    assertThat(value.getSourceOrdinal()).isEqualTo(350);
    assertThat(value.getSourceName()).contains(MOUNT.directory().toString());
  }

  @Test
  void oneInstancePerMountSharedByConfigSourceAndBean() {
    assertThat(secrets.directory()).isEqualTo(MOUNT.directory());
    assertThat(secrets.get("DB_PASSWORD")).isEqualTo(config.getValue("DB_PASSWORD", String.class));
    assertThat(TestMounts.watchers(MOUNT.directory())).isEqualTo(1);
    // Earlier applications of this JVM (the other scenarios) closed theirs when they stopped,
    // as a dev-mode restart relies on.
    assertThat(TestMounts.allWatchers()).isEqualTo(1);
  }

  @Test
  void lookupsReturnTheNewValueRightAfterARotation() {
    MOUNT.put("DB_PASSWORD", "pw-two");
    Await.until(Duration.ofSeconds(10), () -> secrets.get("DB_PASSWORD").equals("pw-two"),
        () -> "rotation seen by the bean");
    assertThat(ConfigProvider.getConfig().getValue("DB_PASSWORD", String.class)).isEqualTo("pw-two");
    assertThat(config.getValue("app.password", String.class)).isEqualTo("pw-two");
    assertThat(livePassword.get()).isEqualTo("pw-two");
    // Documented: SmallRye builds @ConfigMapping objects once, at startup.
    assertThat(greeting.password()).isEqualTo("pw-one");
    assertThat(config.unwrap(SmallRyeConfig.class).getConfigMapping(GreetingConfig.class).password())
        .isEqualTo("pw-one");
    MOUNT.put("DB_PASSWORD", "pw-one");
    Await.until(Duration.ofSeconds(10),
        () -> config.getValue("DB_PASSWORD", String.class).equals("pw-one"), () -> "rotation back");
  }
}
