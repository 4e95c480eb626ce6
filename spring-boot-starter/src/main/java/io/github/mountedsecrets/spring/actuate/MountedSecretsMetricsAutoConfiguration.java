package io.github.mountedsecrets.spring.actuate;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.micrometer.MountedSecretsMetrics;
import io.github.mountedsecrets.spring.MountedSecretsAutoConfiguration;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of core's Micrometer meters ({@code mounted.secrets.*}, tagged
 * {@code mount}) for every mount. The binder is a {@link MeterBinder} bean, which Spring
 * Boot's metrics auto-configuration binds to each {@code MeterRegistry}. Backs off without
 * Micrometer, and with {@code mounted-secrets.metrics.enabled=false}.
 */
@AutoConfiguration(after = MountedSecretsAutoConfiguration.class)
@ConditionalOnClass(MeterBinder.class)
@ConditionalOnBean(MountedSecrets.class)
@ConditionalOnProperty(prefix = "mounted-secrets.metrics", name = "enabled", matchIfMissing = true)
public class MountedSecretsMetricsAutoConfiguration {
  /** Creates the auto-configuration; Spring does this. */
  public MountedSecretsMetricsAutoConfiguration() {}

  /**
   * Binds core's meters of every mount.
   *
   * @param mounts the mounts
   * @return the binder
   */
  @Bean
  public MeterBinder mountedSecretsMetrics(ObjectProvider<MountedSecrets> mounts) {
    return registry -> mounts.orderedStream()
        .forEach(secrets -> new MountedSecretsMetrics(secrets).bindTo(registry));
  }
}
