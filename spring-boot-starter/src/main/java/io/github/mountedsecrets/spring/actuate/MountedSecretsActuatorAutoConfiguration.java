package io.github.mountedsecrets.spring.actuate;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.spring.MountedSecretsAutoConfiguration;
import io.github.mountedsecrets.spring.jdbc.DataSourceCredentialsRotations;
import io.github.mountedsecrets.spring.jdbc.DataSourceRotationAutoConfiguration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration of the Actuator integration: the {@code mountedSecrets} health indicator
 * and the read-only {@code mountedsecrets} endpoint. Backs off without Spring Boot Actuator.
 *
 * <p>The health API moved between the Spring Boot lines: {@code
 * org.springframework.boot.actuate.health} (in {@code spring-boot-actuator}) on 3.5,
 * {@code org.springframework.boot.health.contributor} (in {@code spring-boot-health}) on 4.
 * One of two nested configurations applies, chosen by which of the two is on the class path.
 * The indicator follows Spring Boot's rule for health indicators: disabled with
 * {@code management.health.mountedsecrets.enabled=false}, or with
 * {@code management.health.defaults.enabled=false} unless enabled by name. On 4 this is
 * {@code @ConditionalOnEnabledHealthIndicator} of {@code spring-boot-health}; on 3.5, whose
 * annotation of that name this jar cannot compile against, the same rule from the same
 * Spring Boot condition ({@link ConditionalOnEnabledBoot3HealthIndicator}).
 */
@AutoConfiguration(after = {MountedSecretsAutoConfiguration.class,
    DataSourceRotationAutoConfiguration.class})
@ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
@ConditionalOnBean(MountedSecrets.class)
public class MountedSecretsActuatorAutoConfiguration {
  /** Name of the health indicator in {@code management.health.<name>.enabled}. */
  static final String HEALTH_INDICATOR = "mountedsecrets";

  /** Creates the auto-configuration; Spring does this. */
  public MountedSecretsActuatorAutoConfiguration() {}

  /**
   * The {@code mountedsecrets} endpoint.
   *
   * @param mounts the mounts to list
   * @return the endpoint
   */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnAvailableEndpoint(MountedSecretsEndpoint.class)
  public MountedSecretsEndpoint mountedSecretsEndpoint(ObjectProvider<MountedSecrets> mounts) {
    return new MountedSecretsEndpoint(mounts);
  }

  @Bean
  MountedSecretsHealth mountedSecretsHealthReport(ObjectProvider<MountedSecrets> mounts,
      ObjectProvider<DataSourceCredentialsRotations> rotations) {
    return new MountedSecretsHealth(mounts, rotations);
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  @ConditionalOnEnabledHealthIndicator(MountedSecretsActuatorAutoConfiguration.HEALTH_INDICATOR)
  static class HealthConfiguration {
    @Bean
    @ConditionalOnMissingBean(name = "mountedSecretsHealthIndicator")
    MountedSecretsHealthIndicator mountedSecretsHealthIndicator(MountedSecretsHealth health) {
      return new MountedSecretsHealthIndicator(health);
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {Boot3HealthIndicatorFactoryBean.INDICATOR,
      "org.springframework.boot.actuate.autoconfigure.OnEndpointElementCondition"})
  @ConditionalOnMissingClass("org.springframework.boot.health.contributor.HealthIndicator")
  static class Boot3HealthConfiguration {
    @Bean
    @ConditionalOnEnabledBoot3HealthIndicator(MountedSecretsActuatorAutoConfiguration.HEALTH_INDICATOR)
    @ConditionalOnMissingBean(name = "mountedSecretsHealthIndicator")
    Boot3HealthIndicatorFactoryBean mountedSecretsHealthIndicator(MountedSecretsHealth health)
        throws ReflectiveOperationException {
      return new Boot3HealthIndicatorFactoryBean("MountedSecretsHealthIndicator", health::report,
          Boot3HealthIndicatorFactoryBean.class.getClassLoader());
    }
  }
}
