package io.github.mountedsecrets.spring.ssl;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.micrometer.TlsMetrics;
import io.github.mountedsecrets.spring.actuate.Boot3HealthIndicatorFactoryBean;
import io.github.mountedsecrets.spring.MountedSecretsAutoConfiguration;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.stream.Collectors;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.ssl.SslBundleRegistrar;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration of SSL bundles from the mount ({@code mounted-secrets.ssl.bundle.<name>.*}):
 * an {@link SslBundleRegistrar} that Spring Boot's SSL auto-configuration calls when it builds
 * the {@code SslBundleRegistry}, and one Micrometer binder for the days left of each bundle's
 * certificate, and a {@code mountedSecretsTls} health indicator (disable it with
 * {@code management.health.mountedsecretstls.enabled=false}). Backs off when no bundle is
 * configured.
 *
 * <p>Unusable material at startup (a key that does not match its certificate, an expired
 * certificate, a missing key) fails the start with a message naming the bundle, the keys and
 * the reason.
 */
@AutoConfiguration(after = MountedSecretsAutoConfiguration.class,
    beforeName = "org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration")
@ConditionalOnClass(SslBundleRegistrar.class)
@Conditional(BundlesConfigured.class)
@EnableConfigurationProperties(MountedSecretsSslProperties.class)
public class MountedSecretsSslAutoConfiguration {
  /** Creates the auto-configuration; Spring does this. */
  public MountedSecretsSslAutoConfiguration() {}

  /**
   * Reads and checks every configured bundle's material and follows its rotations.
   *
   * @param properties the bundles
   * @param mounts the mounts; each bundle uses the first that holds its certificate key
   * @return the bundles, closed with the context
   */
  @Bean
  public MountedSslBundles mountedSslBundles(MountedSecretsSslProperties properties,
      ObjectProvider<MountedSecrets> mounts) {
    return MountedSslBundles.create(properties,
        mounts.orderedStream().collect(Collectors.toList()));
  }

  @Bean
  static SslBundleRegistrar mountedSecretsSslBundleRegistrar(ObjectProvider<MountedSslBundles> bundles) {
    return registry -> bundles.getObject().register(registry);
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(MeterBinder.class)
  static class MetricsConfiguration {
    @Bean
    MeterBinder mountedSecretsTlsMetrics(MountedSslBundles bundles) {
      return registry -> bundles.rotations().values().forEach(rotation ->
          new TlsMetrics(rotation, rotation.status().directory()).bindTo(registry));
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "org.springframework.boot.health.contributor.HealthIndicator")
  @ConditionalOnProperty(prefix = "management.health.mountedsecretstls", name = "enabled",
      matchIfMissing = true)
  static class HealthConfiguration {
    @Bean
    SslBundlesHealthIndicator mountedSecretsTlsHealthIndicator(MountedSslBundles bundles) {
      return new SslBundlesHealthIndicator(new SslBundlesHealth(bundles));
    }
  }

  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = Boot3HealthIndicatorFactoryBean.INDICATOR)
  @ConditionalOnMissingClass("org.springframework.boot.health.contributor.HealthIndicator")
  @ConditionalOnProperty(prefix = "management.health.mountedsecretstls", name = "enabled",
      matchIfMissing = true)
  static class Boot3HealthConfiguration {
    @Bean
    Boot3HealthIndicatorFactoryBean mountedSecretsTlsHealthIndicator(
        MountedSslBundles bundles) throws ReflectiveOperationException {
      SslBundlesHealth health = new SslBundlesHealth(bundles);
      return new Boot3HealthIndicatorFactoryBean("SslBundlesHealthIndicator", health::report,
          Boot3HealthIndicatorFactoryBean.class.getClassLoader());
    }
  }
}
