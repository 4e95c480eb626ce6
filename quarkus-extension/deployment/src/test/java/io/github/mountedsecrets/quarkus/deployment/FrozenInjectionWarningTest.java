package io.github.mountedsecrets.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.SecretsMount;
import io.quarkus.test.QuarkusExtensionTest;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A plain {@code @ConfigProperty} field or constructor parameter that reads a key of the mount
 * gets a startup warning naming the injection point, the key and the alternatives, never the
 * value; {@code Provider}, {@code Instance} and {@code Supplier} injection points and properties
 * that are not mount keys do not; the live ones return the rotated value.
 */
class FrozenInjectionWarningTest {
  static final String PASSWORD_ONE = "canary-frozen-pw-one-3e11";
  static final String PASSWORD_TWO = "canary-frozen-pw-two-9a0c";
  static final String API_KEY = "canary-frozen-api-key-77d2";
  static final SecretsMount MOUNT = TestMounts.open("frozen-injection", SecretsMount.Layout.ATOMIC_WRITER,
      Map.of("DB_USER", "app_blue", "DB_PASSWORD", PASSWORD_ONE, "API_KEY", API_KEY));

  @RegisterExtension
  static final QuarkusExtensionTest APP = new QuarkusExtensionTest()
      .withApplicationRoot(jar -> jar.addClasses(TestMounts.class, LogText.class, FrozenConstructorBean.class))
      .withConfigurationResource("frozen-injection.properties")
      .setLogRecordPredicate(record -> true)
      .assertLogRecords(FrozenInjectionWarningTest::assertWarnings);

  @ConfigProperty(name = "DB_PASSWORD")
  String frozenPassword;

  @ConfigProperty(name = "DB_PASSWORD")
  Provider<String> livePassword;

  @ConfigProperty(name = "DB_USER")
  Instance<String> liveUser;

  @ConfigProperty(name = "DB_USER")
  Supplier<String> suppliedUser;

  @ConfigProperty(name = "app.greeting")
  String greeting;

  @Inject
  FrozenConstructorBean constructorBean;

  @Inject
  MountedSecrets secrets;

  static void assertWarnings(List<LogRecord> records) {
    assertThat(records).allSatisfy(record -> assertThat(LogText.of(record))
        .doesNotContain(PASSWORD_ONE, PASSWORD_TWO, API_KEY));
    List<String> warnings = records.stream()
        .filter(record -> record.getLevel() == Level.WARNING || record.getLevel().intValue() == 900)
        .filter(record -> record.getMessage().contains("is injected once"))
        .map(record -> String.format(record.getMessage(), record.getParameters()))
        .toList();
    String test = FrozenInjectionWarningTest.class.getName();
    assertThat(warnings).hasSize(2);
    assertThat(warnings).anySatisfy(text -> assertThat(text)
        .startsWith(MOUNT.directory() + ": @ConfigProperty(name = \"DB_PASSWORD\") at " + test + "#frozenPassword")
        .contains("keeps its startup value when the mount rotates")
        .contains("Provider<T>", "MountedSecrets", "get(\"DB_PASSWORD\")", "MountedSecretsMappings.current(...)"));
    assertThat(warnings).anySatisfy(text -> assertThat(text)
        .contains("@ConfigProperty(name = \"API_KEY\") at parameter ")
        .contains(FrozenConstructorBean.class.getName() + " constructor"));
    assertThat(warnings).noneSatisfy(text -> assertThat(text).contains("DB_USER"));
    assertThat(warnings).noneSatisfy(text -> assertThat(text).contains("app.greeting"));
  }

  @Test
  void liveInjectionPointsFollowARotationAndPlainOnesKeepTheStartupValue() {
    assertThat(constructorBean.apiKey()).isEqualTo(API_KEY);
    assertThat(greeting).isEqualTo("hello");
    assertThat(livePassword.get()).isEqualTo(PASSWORD_ONE);
    MOUNT.publish(Map.of("DB_USER", "app_green", "DB_PASSWORD", PASSWORD_TWO, "API_KEY", API_KEY));
    Await.until(Duration.ofSeconds(10), () -> secrets.get("DB_USER").equals("app_green"),
        () -> "rotation seen by the mount");
    assertThat(livePassword.get()).isEqualTo(PASSWORD_TWO);
    assertThat(liveUser.get()).isEqualTo("app_green");
    assertThat(suppliedUser.get()).isEqualTo("app_green");
    assertThat(frozenPassword).as("as the warning says").isEqualTo(PASSWORD_ONE);
  }
}
