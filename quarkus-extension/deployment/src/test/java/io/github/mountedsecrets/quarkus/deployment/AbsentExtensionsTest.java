package io.github.mountedsecrets.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.test.SecretsMount;
import io.quarkus.arc.Arc;
import io.quarkus.credentials.CredentialsProvider;
import io.quarkus.test.QuarkusExtensionTest;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.spi.Bean;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Without quarkus-smallrye-health, quarkus-micrometer and quarkus-agroal the extension
 * starts, registers no health check, no meters and no pool integration, and loads none of
 * their classes.
 */
class AbsentExtensionsTest {
  static final SecretsMount MOUNT = TestMounts.open("absent-extensions",
      SecretsMount.Layout.ATOMIC_WRITER, Map.of("DB_USER", "app_blue", "DB_PASSWORD", "pw-one"));

  @RegisterExtension
  static final QuarkusExtensionTest APP = new QuarkusExtensionTest()
      .withApplicationRoot(jar -> jar.addClasses(TestMounts.class))
      .withConfigurationResource("absent-extensions.properties");

  @Inject
  MountedSecrets secrets;

  @Test
  void optionalIntegrationsBackOff() {
    assertThatThrownBy(() -> Class.forName("org.eclipse.microprofile.health.HealthCheck"))
        .isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(() -> Class.forName("io.micrometer.core.instrument.binder.MeterBinder"))
        .isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(() -> Class.forName("io.agroal.api.AgroalDataSource"))
        .isInstanceOf(ClassNotFoundException.class);

    Set<String> beanClasses = Arc.container().beanManager().getBeans(Object.class, Any.Literal.INSTANCE)
        .stream().map(Bean::getBeanClass).map(Class::getName)
        .filter(name -> name.startsWith("io.github.mountedsecrets.quarkus.")
            && !name.startsWith("io.github.mountedsecrets.quarkus.deployment."))
        .collect(Collectors.toSet());
    assertThat(beanClasses).containsExactlyInAnyOrder(
        "io.github.mountedsecrets.quarkus.MountedSecretsConfig",
        "io.github.mountedsecrets.quarkus.MountedSecretsProducer",
        "io.github.mountedsecrets.quarkus.ChangeEventBridge",
        "io.github.mountedsecrets.quarkus.MountedSecretsCredentialsProvider",
        "io.github.mountedsecrets.quarkus.MountedSecretsMappings");

    assertThat(secrets.get("DB_PASSWORD")).isEqualTo("pw-one");
    assertThat(Arc.container().instance(CredentialsProvider.class).get()).isNotNull();
  }
}
