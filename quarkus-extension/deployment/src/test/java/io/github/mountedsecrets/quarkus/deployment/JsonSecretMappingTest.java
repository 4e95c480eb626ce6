package io.github.mountedsecrets.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.quarkus.MountedSecretsMappings;
import io.github.mountedsecrets.test.SecretsMount;
import io.quarkus.test.QuarkusExtensionTest;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.SecretKeys;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A {@code @ConfigMapping} whose prefix is a JSON secret's key maps only the fields: the
 * application starts (the whole JSON text is served but not listed among the property names,
 * which SmallRye Config would otherwise report as unmapped, SRCFG00050), and the text is still
 * there for an expression or a direct lookup.
 */
class JsonSecretMappingTest {
  static final String JSON = "{\"username\":\"rds_user\",\"password\":\"rds-pw\",\"port\":5432,"
      + "\"hosts\":[\"h1\",\"h2\"]}";
  static final SecretsMount MOUNT = TestMounts.open("json-secret-mapping", SecretsMount.Layout.ATOMIC_WRITER,
      Map.of("prod-db", JSON, "DB_USER", "app"));

  /** Every field of the JSON secret (as SmallRye Config requires), and nothing for the whole text. */
  @ConfigMapping(prefix = "prod-db")
  public interface ProdDb {
    /**
     * Returns the user.
     *
     * @return {@code prod-db.username}
     */
    String username();

    /**
     * Returns the password.
     *
     * @return {@code prod-db.password}
     */
    String password();

    /**
     * Returns the port.
     *
     * @return {@code prod-db.port}
     */
    int port();

    /**
     * Returns the hosts.
     *
     * @return {@code prod-db.hosts[0]}, ...
     */
    List<String> hosts();
  }

  @RegisterExtension
  static final QuarkusExtensionTest APP = new QuarkusExtensionTest()
      .withApplicationRoot(jar -> jar.addClasses(TestMounts.class, ProdDb.class))
      .withConfigurationResource("json-secret-mapping.properties");

  @Inject
  ProdDb injected;

  @Inject
  MountedSecretsMappings mappings;

  @Inject
  Config config;

  @ConfigProperty(name = "whole")
  String whole;

  @ConfigProperty(name = "prod-db")
  String direct;

  @Test
  void aMappingOfTheFieldsStartsAndTheWholeTextIsStillServed() {
    assertThat(injected.username()).isEqualTo("rds_user");
    assertThat(injected.port()).isEqualTo(5432);
    assertThat(injected.hosts()).containsExactly("h1", "h2");
    assertThat(mappings.current(ProdDb.class).username()).isEqualTo("rds_user");
    assertThat(whole).isEqualTo(JSON);
    assertThat(direct).isEqualTo(JSON);
    assertThat(config.getValue("prod-db", String.class)).isEqualTo(JSON);
    // The mount's keys are secret keys: listed only to code that unlocks them, as SmallRye
    // Config does when it builds mappings.
    Iterable<String> names = SecretKeys.doUnlocked(() -> config.getPropertyNames());
    assertThat(StreamSupport.stream(names.spliterator(), false))
        .contains("prod-db.username", "prod-db.hosts[0]", "DB_USER")
        .doesNotContain("prod-db");
  }
}
