package io.github.mountedsecrets.quarkus;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.AgroalConnectionFactoryConfiguration;
import io.github.mountedsecrets.rotation.CredentialsVerifier;
import io.github.mountedsecrets.rotation.JdbcVerifier;
import io.github.mountedsecrets.rotation.PoolSwitch;
import io.quarkus.agroal.runtime.AgroalDataSourceUtil;
import io.quarkus.datasource.runtime.DataSourceRuntimeConfig;
import io.quarkus.datasource.runtime.DataSourcesRuntimeConfig;
import io.smallrye.config.SmallRyeConfig;
import jakarta.inject.Singleton;
import java.sql.Driver;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Agroal datasources whose {@code credentials-provider} names a provider served by this
 * extension. Registered only when the application has {@code quarkus-agroal}.
 */
@Singleton
public final class AgroalPools implements DataSourcePools {
  /**
   * The bound assumed for a pool without a login timeout: the PostgreSQL driver's default
   * connect timeout. Nothing else bounds an opening then (Agroal opens a connection on the
   * thread that needs it, below the pool's maximum size, without the acquisition timeout).
   */
  private static final Duration DEFAULT_OPENING_BOUND = Duration.ofSeconds(10);

  private static final Logger LOG = Logger.getLogger(AgroalPools.class);

  @Override
  public Optional<CredentialsVerifier> verifier(String providerName) {
    for (Map.Entry<String, AgroalDataSource> entry : using(providerName).entrySet()) {
      AgroalConnectionFactoryConfiguration factory;
      try {
        factory = entry.getValue().getConfiguration().connectionPoolConfiguration()
            .connectionFactoryConfiguration();
      } catch (RuntimeException e) {
        continue; // an unconfigured datasource (no URL) cannot check anything
      }
      return Optional.of(jdbcCheck(entry.getValue(), factory));
    }
    return Optional.empty();
  }

  @Override
  public PoolSwitch poolSwitch(String providerName) {
    return new PoolSwitch() {
      @Override
      public void evict() {
        using(providerName).forEach((name, pool) -> {
          try {
            pool.flush(AgroalDataSource.FlushMode.GRACEFUL);
          } catch (RuntimeException e) {
            // Closed since (its housekeeping executor refuses the flush): nothing to retire.
            LOG.debugf("datasource %s not flushed: %s", name, e.getClass().getName());
          }
        });
      }

      @Override
      public Duration openingBound() {
        Duration bound = Duration.ofMillis(1);
        for (AgroalDataSource pool : using(providerName).values()) {
          Duration opening = AgroalPools.openingBound(pool);
          if (opening.compareTo(bound) > 0) {
            bound = opening;
          }
        }
        return bound;
      }
    };
  }

  /**
   * How long an opening connection of the pool may take: Agroal opens it on the thread that
   * needs it, bounded only by the driver's login timeout
   * ({@code quarkus.datasource.jdbc.login-timeout}) when one is set; otherwise
   * {@link #DEFAULT_OPENING_BOUND} is assumed.
   */
  private static Duration openingBound(AgroalDataSource pool) {
    Duration login;
    try {
      login = pool.getConfiguration().connectionPoolConfiguration().connectionFactoryConfiguration()
          .loginTimeout();
    } catch (RuntimeException e) {
      return DEFAULT_OPENING_BOUND;
    }
    return login == null || login.isZero() || login.isNegative() ? DEFAULT_OPENING_BOUND : login;
  }

  private static Map<String, AgroalDataSource> using(String providerName) {
    DataSourcesRuntimeConfig config = ConfigProvider.getConfig().unwrap(SmallRyeConfig.class)
        .getConfigMapping(DataSourcesRuntimeConfig.class);
    Map<String, AgroalDataSource> pools = new LinkedHashMap<>();
    for (String name : AgroalDataSourceUtil.activeDataSourceNames()) {
      DataSourceRuntimeConfig dataSource = config.dataSources().get(name);
      if (dataSource != null
          && dataSource.credentialsProvider().filter(providerName::equals).isPresent()
          && dataSource.credentialsProviderName()
              .map(MountedSecretsCredentialsProvider.NAME::equals).orElse(true)) {
        AgroalDataSourceUtil.dataSourceIfActive(name).ifPresent(pool -> pools.put(name, pool));
      }
    }
    return pools;
  }

  /**
   * Core's JDBC verifier with the datasource's URL, driver and extra JDBC properties, bounded
   * by its login timeout. The driver is the pool's own, so the check works where
   * {@link java.sql.DriverManager} cannot see it.
   */
  private static CredentialsVerifier jdbcCheck(AgroalDataSource pool,
      AgroalConnectionFactoryConfiguration factory) {
    String url = factory.jdbcUrl();
    Properties properties = new Properties();
    properties.putAll(factory.jdbcProperties());
    Class<?> provider = factory.connectionProviderClass();
    Duration timeout = openingBound(pool);
    return credentials -> {
      JdbcVerifier verifier = provider != null && Driver.class.isAssignableFrom(provider)
          ? JdbcVerifier.of((Driver) provider.getDeclaredConstructor().newInstance(), url, properties)
          : JdbcVerifier.of(url, properties);
      verifier.withTimeout(timeout).verify(credentials);
    };
  }
}
