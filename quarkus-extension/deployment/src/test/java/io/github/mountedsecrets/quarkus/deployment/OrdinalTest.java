package io.github.mountedsecrets.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.test.SecretsMount;
import io.quarkus.test.QuarkusExtensionTest;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.SmallRyeConfig;
import jakarta.inject.Inject;
import java.util.Map;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code quarkus.mounted-secrets.ordinal} below 250 lets application.properties win. */
class OrdinalTest {
  static final SecretsMount MOUNT = TestMounts.open("ordinal", SecretsMount.Layout.ATOMIC_WRITER,
      Map.of("app.shared", "from-mount", "API_KEY", "key-one"));

  @RegisterExtension
  static final QuarkusExtensionTest APP = new QuarkusExtensionTest()
      .withApplicationRoot(jar -> jar.addClasses(TestMounts.class))
      .withConfigurationResource("ordinal.properties");

  @Inject
  Config config;

  @Test
  void configuredOrdinalDecides() {
    SmallRyeConfig smallRye = config.unwrap(SmallRyeConfig.class);
    ConfigValue shared = smallRye.getConfigValue("app.shared");
    assertThat(shared.getValue()).isEqualTo("from-properties");
    ConfigValue key = smallRye.getConfigValue("API_KEY");
    assertThat(key.getValue()).isEqualTo("key-one");
    assertThat(key.getSourceOrdinal()).isEqualTo(200);
  }
}
