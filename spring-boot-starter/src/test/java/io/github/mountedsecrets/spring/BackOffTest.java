package io.github.mountedsecrets.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.spring.actuate.MountedSecretsActuatorAutoConfiguration;
import io.github.mountedsecrets.spring.actuate.MountedSecretsEndpoint;
import io.github.mountedsecrets.spring.actuate.MountedSecretsMetricsAutoConfiguration;
import io.github.mountedsecrets.spring.jdbc.DataSourceCredentialsRotations;
import io.github.mountedsecrets.spring.jdbc.DataSourceRotationAutoConfiguration;
import io.github.mountedsecrets.test.Mount;
import io.github.mountedsecrets.test.SecretsMount;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * Every optional integration is there when its library is, and backs off cleanly when it is
 * not: Actuator, Micrometer, HikariCP, Spring Cloud Context.
 */
class BackOffTest {
  private static final String HEALTH = "mountedSecretsHealthIndicator";
  private static final String ENVIRONMENT_CHANGE = "mountedSecretsEnvironmentChangePublisher";

  private ApplicationContextRunner runner;

  @BeforeEach
  void setUp(@Mount SecretsMount mount) {
    mount.publish(Map.of("K", "v"));
    runner = new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(MountedSecretsAutoConfiguration.class,
            DataSourceRotationAutoConfiguration.class, MountedSecretsActuatorAutoConfiguration.class,
            MountedSecretsMetricsAutoConfiguration.class))
        .withPropertyValues("mounted-secrets.directory=" + mount.directory(),
            "management.endpoints.web.exposure.include=health,mountedsecrets");
  }

  @Test
  void everythingIsThereWhenEveryLibraryIs() {
    runner.run(context -> {
      assertThat(context).hasNotFailed().hasSingleBean(MountedSecrets.class)
          .hasBean(HEALTH).hasSingleBean(MountedSecretsEndpoint.class).hasSingleBean(MeterBinder.class)
          .hasSingleBean(DataSourceCredentialsRotations.class).hasBean(ENVIRONMENT_CHANGE);
      assertThat(BootLine.health(context).status).isEqualTo("UP");
    });
  }

  @Test
  void withoutActuator() {
    runner.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate",
        "org.springframework.boot.health")).run(context -> {
          assertThat(context).hasNotFailed().hasSingleBean(MountedSecrets.class)
              .doesNotHaveBean(HEALTH).doesNotHaveBean(MountedSecretsEndpoint.class)
              .hasSingleBean(MeterBinder.class);
        });
  }

  @Test
  void withoutMicrometer() {
    runner.withClassLoader(new FilteredClassLoader("io.micrometer")).run(context ->
        assertThat(context).hasNotFailed().hasSingleBean(MountedSecrets.class)
            .doesNotHaveBean("mountedSecretsMetrics").hasBean(HEALTH));
  }

  @Test
  void withoutHikari() {
    runner.withClassLoader(new FilteredClassLoader("com.zaxxer.hikari")).run(context ->
        assertThat(context).hasNotFailed().hasSingleBean(MountedSecrets.class)
            .doesNotHaveBean(DataSourceCredentialsRotations.class)
            .doesNotHaveBean("mountedSecretsHikariCredentialsRotationPostProcessor").hasBean(HEALTH));
  }

  @Test
  void withoutSpringCloudContext() {
    runner.withClassLoader(new FilteredClassLoader("org.springframework.cloud")).run(context ->
        assertThat(context).hasNotFailed().hasSingleBean(MountedSecrets.class)
            .doesNotHaveBean(ENVIRONMENT_CHANGE).hasBean("mountedSecretsChangedEventPublisher"));
  }

  @Test
  void withNoneOfThem() {
    runner.withClassLoader(new FilteredClassLoader("org.springframework.boot.actuate",
        "org.springframework.boot.health", "io.micrometer", "com.zaxxer.hikari",
        "org.springframework.cloud")).run(context ->
        assertThat(context).hasNotFailed().hasSingleBean(MountedSecrets.class)
            .doesNotHaveBean(HEALTH).doesNotHaveBean("mountedSecretsMetrics")
            .doesNotHaveBean(DataSourceCredentialsRotations.class).doesNotHaveBean(ENVIRONMENT_CHANGE));
  }

  @Test
  void healthFollowsSpringBootsDefaultsForHealthIndicators() {
    runner.withPropertyValues("management.health.defaults.enabled=false").run(context ->
        assertThat(context).hasNotFailed().doesNotHaveBean(HEALTH));
    runner.withPropertyValues("management.health.defaults.enabled=false",
        "management.health.mountedsecrets.enabled=true").run(context ->
        assertThat(context).hasNotFailed().hasBean(HEALTH));
  }

  @Test
  void rotationAndHealthCanBeSwitchedOff() {
    runner.withPropertyValues("mounted-secrets.datasource.enabled=false",
        "management.health.mountedsecrets.enabled=false").run(context ->
        assertThat(context).hasNotFailed().doesNotHaveBean(DataSourceCredentialsRotations.class)
            .doesNotHaveBean(HEALTH).hasSingleBean(MountedSecretsEndpoint.class));
  }
}
