package io.github.mountedsecrets.spring.ssl;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.micrometer.TlsMetrics;
import io.github.mountedsecrets.spring.MountedSecretsAutoConfiguration;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.stream.Collectors;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.ssl.SslBundleRegistrar;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration of SSL bundles from the mount ({@code mounted-secrets.ssl.bundle.<name>.*}):
 * an {@link SslBundleRegistrar} that Spring Boot's SSL auto-configuration calls when it builds
 * the {@code SslBundleRegistry}, and one Micrometer binder for the days left of each bundle's
 * certificate. With no bundle configured nothing is registered.
 *
 * <p>Unusable material at startup (a key that does not match its certificate, an expired
 * certificate, a missing key) fails the start with a message naming the bundle, the keys and
 * the reason.
 */
@AutoConfiguration(after = MountedSecretsAutoConfiguration.class,
    beforeName = "org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration")
@ConditionalOnClass(SslBundleRegistrar.class)
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
}
