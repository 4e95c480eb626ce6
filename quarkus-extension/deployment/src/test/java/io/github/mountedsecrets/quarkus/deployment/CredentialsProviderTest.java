package io.github.mountedsecrets.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.mountedsecrets.SecretNotFoundException;
import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.SecretsMount;
import io.quarkus.credentials.CredentialsProvider;
import io.quarkus.test.QuarkusExtensionTest;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@code mounted-secrets} credentials provider without a datasource: defaults
 * (DB_USER/DB_PASSWORD), a JSON secret per provider name, and rotation.
 */
class CredentialsProviderTest {
  static final String PROD_DB_ONE = "{\"username\":\"rds_blue\",\"password\":\"rds-pw-one\"}";
  static final String PROD_DB_TWO = "{\"username\":\"rds_green\",\"password\":\"rds-pw-two\"}";
  static final SecretsMount MOUNT = TestMounts.open("credentials-provider",
      SecretsMount.Layout.ATOMIC_WRITER,
      Map.of("DB_USER", "app_blue", "DB_PASSWORD", "pw-one", "prod-db", PROD_DB_ONE));

  @RegisterExtension
  static final QuarkusExtensionTest APP = new QuarkusExtensionTest()
      .withApplicationRoot(jar -> jar.addClasses(TestMounts.class))
      .withConfigurationResource("credentials-provider.properties");

  @Inject
  @Named("mounted-secrets")
  CredentialsProvider provider;

  @Test
  void servesDefaultKeysAndJsonSecretsAndFollowsRotation() {
    assertThat(provider.getCredentials("mounted-secrets"))
        .containsEntry(CredentialsProvider.USER_PROPERTY_NAME, "app_blue")
        .containsEntry(CredentialsProvider.PASSWORD_PROPERTY_NAME, "pw-one");
    assertThat(provider.getCredentialsAsync("prod-db").await().indefinitely())
        .containsEntry(CredentialsProvider.USER_PROPERTY_NAME, "rds_blue")
        .containsEntry(CredentialsProvider.PASSWORD_PROPERTY_NAME, "rds-pw-one");

    MOUNT.publish(Map.of("DB_USER", "app_blue", "DB_PASSWORD", "pw-one", "prod-db", PROD_DB_TWO));
    Await.until(Duration.ofSeconds(10),
        () -> provider.getCredentials("prod-db").get(CredentialsProvider.USER_PROPERTY_NAME)
            .equals("rds_green"), () -> "rotated JSON secret served");
    assertThat(provider.getCredentials("prod-db"))
        .containsEntry(CredentialsProvider.PASSWORD_PROPERTY_NAME, "rds-pw-two");
    assertThat(provider.getCredentials("mounted-secrets"))
        .containsEntry(CredentialsProvider.PASSWORD_PROPERTY_NAME, "pw-one");
  }

  @Test
  void missingKeysNameTheKeysNotValues() {
    assertThatThrownBy(() -> provider.getCredentials("orders"))
        .isInstanceOf(SecretNotFoundException.class)
        .hasMessageContaining("ORDERS_USER")
        .hasMessageNotContaining("pw-one");
  }
}
