package io.github.mountedsecrets.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.test.SecretsMount;
import io.quarkus.test.QuarkusExtensionTest;
import jakarta.inject.Inject;
import java.util.Map;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A real application: mounted secrets that look like SmallRye expressions reach
 * {@code @ConfigProperty}, the configuration API and {@code ${KEY}} in another property
 * exactly; none is expanded (the mount cannot pull in another property's value) and no lookup
 * fails naming part of the secret.
 */
class ExpressionLikeSecretsTest {
  static final String SCENARIO = "expression-like-secrets";
  static final Map<String, String> SECRETS = Map.of("DB_PASSWORD", "CANARY-ab${cd}ef",
      "API_KEY", "CANARY-h${HOME}h", "DOLLARS", "CANARY-p$$q", "ESCAPE", "CANARY-x\\$y");
  static final SecretsMount MOUNT = TestMounts.open(SCENARIO, SecretsMount.Layout.ATOMIC_WRITER,
      SECRETS);

  @RegisterExtension
  static final QuarkusExtensionTest APP = new QuarkusExtensionTest()
      .withApplicationRoot(jar -> jar.addClasses(TestMounts.class))
      .withConfigurationResource(SCENARIO + ".properties");

  @ConfigProperty(name = "DB_PASSWORD")
  String password;

  @ConfigProperty(name = "DOLLARS")
  String dollars;

  @ConfigProperty(name = "app.password")
  String appPassword;

  @Inject
  Config config;

  @Test
  void expressionLikeSecretsReachTheApplicationExactly() {
    assertThat(password).isEqualTo(SECRETS.get("DB_PASSWORD"));
    assertThat(dollars).isEqualTo(SECRETS.get("DOLLARS"));
    assertThat(appPassword).isEqualTo("[" + SECRETS.get("DB_PASSWORD") + "]");
    SECRETS.forEach((key, value) ->
        assertThat(config.getValue(key, String.class)).as(key).isEqualTo(value));
  }
}
