package io.github.mountedsecrets.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.SecretsMount;
import io.quarkus.test.QuarkusExtensionTest;
import io.smallrye.config.SmallRyeConfig;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The mount's keys are SmallRye Config secret keys: the configuration's listings leave them out
 * and its value log (DEBUG, {@code quarkus.config.log.values}) masks them, also for a key a
 * rotation added, while lookups by name, injection and expressions still return the values.
 */
class SecretKeysTest {
  static final String PASSWORD = "canary-secret-keys-pw-8d21";
  static final String RDS_PASSWORD = "canary-secret-keys-rds-51fa";
  static final String ADDED = "canary-secret-keys-added-c07e";
  static final String[] CANARIES = {PASSWORD, RDS_PASSWORD, ADDED};
  static final SecretsMount MOUNT = TestMounts.open("secret-keys", SecretsMount.Layout.ATOMIC_WRITER,
      files(false));

  @RegisterExtension
  static final QuarkusExtensionTest APP = new QuarkusExtensionTest()
      .withApplicationRoot(jar -> jar.addClasses(TestMounts.class, LogText.class))
      .withConfigurationResource("secret-keys.properties")
      .setLogRecordPredicate(record -> true)
      .assertLogRecords(records -> {
        assertThat(records).allSatisfy(record -> assertThat(LogText.of(record)).doesNotContain(CANARIES));
        // The value log ran and masked the mount's keys: name, then "secret" for source and value.
        assertThat(records).anySatisfy(record -> assertThat(LogText.of(record))
            .contains("SRCFG01001").contains("DB_PASSWORD | secret | secret"));
        assertThat(records).anySatisfy(record -> assertThat(LogText.of(record))
            .contains("SRCFG01001").contains("NEW_KEY | secret | secret"));
        assertThat(records).anySatisfy(record -> assertThat(LogText.of(record))
            .contains("SRCFG01001").contains("app.greeting").contains("hello"));
        assertThat(records).anySatisfy(record -> assertThat(LogText.of(record))
            .contains("SRCFG01001").contains("app.password").contains("${DB_PASSWORD}"));
      });

  @ConfigProperty(name = "DB_PASSWORD")
  String password;

  @ConfigProperty(name = "app.password")
  String expanded;

  @ConfigProperty(name = "prod-db.password")
  String rdsPassword;

  @Inject
  Config config;

  @Inject
  MountedSecrets secrets;

  static Map<String, String> files(boolean added) {
    Map<String, String> files = new HashMap<>(Map.of("DB_USER", "app_blue", "DB_PASSWORD", PASSWORD,
        "prod-db", "{\"username\":\"rds_user\",\"password\":\"" + RDS_PASSWORD + "\",\"port\":5432}"));
    if (added) {
      files.put("NEW_KEY", ADDED);
    }
    return files;
  }

  @Test
  void lookupsByNameInjectionAndExpressionsStillWork() {
    SmallRyeConfig smallRye = config.unwrap(SmallRyeConfig.class);
    assertThat(password).isEqualTo(PASSWORD);
    assertThat(expanded).isEqualTo(PASSWORD);
    assertThat(rdsPassword).isEqualTo(RDS_PASSWORD);
    assertThat(config.getValue("DB_PASSWORD", String.class)).isEqualTo(PASSWORD);
    assertThat(ConfigProvider.getConfig().getOptionalValue("prod-db.password", String.class)).hasValue(RDS_PASSWORD);
    assertThat(smallRye.getConfigValue("DB_USER").getValue()).isEqualTo("app_blue");
  }

  @Test
  void listingsAndDumpsNeverShowAMountKeyNorItsValue() {
    SmallRyeConfig smallRye = config.unwrap(SmallRyeConfig.class);
    assertListingHidesTheMount(smallRye.getPropertyNames());
    assertListingHidesTheMount(smallRye.getLatestPropertyNames());
    assertThat(dump(smallRye.getPropertyNames(), smallRye)).contains("app.greeting=hello")
        .doesNotContain(CANARIES);

    MOUNT.publish(files(true));
    Await.until(Duration.ofSeconds(10), () -> secrets.find("NEW_KEY").isPresent(),
        () -> "rotation that adds a key seen by the mount");
    assertThat(config.getValue("NEW_KEY", String.class)).isEqualTo(ADDED);
    assertListingHidesTheMount(smallRye.getLatestPropertyNames());
    assertListingHidesTheMount(smallRye.getPropertyNames());
    assertThat(names(smallRye.getLatestPropertyNames())).doesNotContain("NEW_KEY");
    assertThat(dump(smallRye.getLatestPropertyNames(), smallRye)).doesNotContain(CANARIES);
    MOUNT.publish(files(false));
    Await.until(Duration.ofSeconds(10), () -> secrets.find("NEW_KEY").isEmpty(), () -> "rotation back");
  }

  private static void assertListingHidesTheMount(Iterable<String> listing) {
    assertThat(names(listing)).contains("app.password", "app.greeting")
        .doesNotContain("DB_USER", "DB_PASSWORD", "prod-db.username", "prod-db.password", "prod-db.port");
  }

  private static Set<String> names(Iterable<String> listing) {
    Set<String> names = new TreeSet<>();
    listing.forEach(names::add);
    return names;
  }

  /**
   * What a tool that prints the whole configuration prints, except the application's own
   * {@code app.password=${DB_PASSWORD}}: a property of the application whose value expands a
   * secret is listed like any other (documented); the value log shows its expression only.
   */
  private static String dump(Iterable<String> listing, SmallRyeConfig config) {
    StringBuilder dump = new StringBuilder();
    for (String name : names(listing)) {
      if (!name.equals("app.password")) {
        dump.append(name).append('=').append(config.getConfigValue(name).getValue()).append('\n');
      }
    }
    return dump.toString();
  }
}
