package io.github.mountedsecrets.spring.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import io.github.mountedsecrets.spring.MountedSecretsAutoConfiguration;
import io.github.mountedsecrets.spring.MountedSecretsProperties;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of credential rotation for HikariCP data sources whose username and
 * password come from the mount. Backs off without HikariCP or with
 * {@code mounted-secrets.datasource.enabled=false}.
 *
 * <p>Works with the data source Spring Boot auto-configures (its auto-configuration moved from
 * {@code org.springframework.boot.autoconfigure.jdbc} in 3.5 to
 * {@code org.springframework.boot.jdbc.autoconfigure} in 4) and with data sources an
 * application defines itself: a bean post-processor finds them.
 */
@AutoConfiguration(after = MountedSecretsAutoConfiguration.class)
@ConditionalOnClass(HikariDataSource.class)
@ConditionalOnProperty(prefix = "mounted-secrets.datasource", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(MountedSecretsProperties.class)
public class DataSourceRotationAutoConfiguration {
  /** Creates the auto-configuration; Spring does this. */
  public DataSourceRotationAutoConfiguration() {}

  @Bean
  static HikariCredentialsRotationPostProcessor mountedSecretsHikariCredentialsRotationPostProcessor() {
    return new HikariCredentialsRotationPostProcessor();
  }

  /**
   * Holds the rotations, for health and for applications that want their states.
   *
   * @return the registry, which stops every rotation when the context closes
   */
  @Bean
  public DataSourceCredentialsRotations mountedSecretsDataSourceCredentialsRotations() {
    return new DataSourceCredentialsRotations();
  }
}
