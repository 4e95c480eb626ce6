package io.github.mountedsecrets.spring;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.SecretsChangedEvent;
import java.util.function.Consumer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.cloud.context.scope.refresh.RefreshScope;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Auto-configuration of mounted secrets: the {@link MountedSecrets} bean and the publication
 * of its change events.
 *
 * <p>Mounts imported with {@code spring.config.import=mounted-secrets:<directory>} are beans
 * already; only when there is none does this create one from {@code mounted-secrets.*}
 * (which then serves {@link MountedSecrets#get(String)} and the integrations, but is no
 * property source: import the mount to use its keys as properties).
 *
 * <p>After each rotation, before the {@code SecretsChangedEvent} is published: {@code @Value}
 * fields and setters that read the mount are injected again (unless
 * {@code mounted-secrets.value-injection.refresh=false}), then, with Spring Cloud Context,
 * {@code @ConfigurationProperties} are rebound and the refresh scope refreshed. With Actuator,
 * a {@code SanitizingFunction} masks the mount's properties in {@code /actuator/env} and
 * {@code /actuator/configprops}.
 */
@AutoConfiguration
@EnableConfigurationProperties(MountedSecretsProperties.class)
public class MountedSecretsAutoConfiguration {
  /** Creates the auto-configuration; Spring does this. */
  public MountedSecretsAutoConfiguration() {}

  /**
   * Creates the mount from {@code mounted-secrets.*} when no mount is imported or defined.
   *
   * @param properties the options
   * @return the running instance, closed with the context
   */
  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  public MountedSecrets mountedSecrets(MountedSecretsProperties properties) {
    return MountedSecretsFactory.create(properties, properties.getDirectory(),
        properties.isRequireMount());
  }

  @Bean
  @ConditionalOnProperty(prefix = "mounted-secrets.value-injection", name = "refresh",
      matchIfMissing = true)
  static ValueInjectionRefresher mountedSecretsValueInjectionRefresher() {
    return new ValueInjectionRefresher();
  }

  @Bean
  static SecretsChangedEventPublisher mountedSecretsChangedEventPublisher(
      ObjectProvider<MountedSecrets> mounts, ApplicationContext context,
      ObjectProvider<ValueInjectionRefresher> valueInjection,
      ObjectProvider<EnvironmentChangePublisher> environmentChange) {
    Consumer<SecretsChangedEvent> before = event -> {
      ValueInjectionRefresher refresher = valueInjection.getIfAvailable();
      if (refresher != null) {
        refresher.accept(event);
      }
      EnvironmentChangePublisher publisher = environmentChange.getIfAvailable();
      if (publisher != null) {
        publisher.accept(event);
      }
    };
    return new SecretsChangedEventPublisher(mounts, context, before);
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.SanitizingFunction")
  static class ActuatorSanitizingConfiguration {
    @Bean
    @Order(Ordered.HIGHEST_PRECEDENCE)
    MountedSecretsSanitizingFunction mountedSecretsSanitizingFunction(ConfigurableEnvironment environment) {
      return new MountedSecretsSanitizingFunction(environment);
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.cloud.context.environment.EnvironmentChangeEvent")
  static class SpringCloudConfiguration {
    @Bean
    EnvironmentChangePublisher mountedSecretsEnvironmentChangePublisher(ApplicationContext context,
        ObjectProvider<RefreshScope> refreshScope) {
      return new EnvironmentChangePublisher(context, refreshScope);
    }
  }
}
