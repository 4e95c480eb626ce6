package io.github.mountedsecrets.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.test.SecretsMount;
import io.quarkus.credentials.CredentialsProvider;
import io.quarkus.test.QuarkusExtensionTest;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.SmallRyeConfig;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.util.Map;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code quarkus.mounted-secrets.datasource.secret}: the JDBC URL of the default datasource is
 * built from the JSON secret, and the credentials provider serves the secret's username and
 * password for the default datasource's provider name (other names keep their own keys).
 * Rotation is tested on a real PostgreSQL (integration tests): the provider switches only to
 * credentials that the database, at the secret's URL, accepts.
 */
class DataSourceSecretTest {
  static final String PASSWORD_ONE = "canary-datasource-secret-one-5b0d";
  static final SecretsMount MOUNT = TestMounts.open("datasource-secret", SecretsMount.Layout.FILE_BY_FILE,
      Map.of("DB_USER", "app_blue", "DB_PASSWORD", "pw-one", "prod-db", secret("rds_blue", PASSWORD_ONE)));

  @RegisterExtension
  static final QuarkusExtensionTest APP = new QuarkusExtensionTest()
      .withApplicationRoot(jar -> jar.addClasses(TestMounts.class, LogText.class))
      .withConfigurationResource("datasource-secret.properties")
      .setLogRecordPredicate(record -> true)
      .assertLogRecords(records -> assertThat(records).allSatisfy(record -> assertThat(LogText.of(record))
          .doesNotContain(PASSWORD_ONE)));

  @Inject
  @Named("mounted-secrets")
  CredentialsProvider provider;

  @Inject
  Config config;

  static String secret(String user, String password) {
    return "{\"engine\":\"postgres\",\"host\":\"db.internal\",\"port\":5433,\"dbname\":\"orders\","
        + "\"username\":\"" + user + "\",\"password\":\"" + password + "\"}";
  }

  @Test
  void servesTheUrlAndTheSecretsCredentials() {
    ConfigValue url = config.unwrap(SmallRyeConfig.class).getConfigValue("quarkus.datasource.jdbc.url");
    assertThat(url.getValue()).isEqualTo("jdbc:postgresql://db.internal:5433/orders");
    assertThat(url.getSourceOrdinal()).isEqualTo(240);
    assertThat(provider.getCredentials("orders"))
        .containsEntry(CredentialsProvider.USER_PROPERTY_NAME, "rds_blue")
        .containsEntry(CredentialsProvider.PASSWORD_PROPERTY_NAME, PASSWORD_ONE);
    assertThat(provider.getCredentials("mounted-secrets"))
        .as("another provider name keeps the default keys")
        .containsEntry(CredentialsProvider.USER_PROPERTY_NAME, "app_blue");
  }
}
