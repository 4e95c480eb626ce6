package io.github.mountedsecrets.quarkus;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.AgroalConnectionFactoryConfiguration;
import io.github.mountedsecrets.CredentialsRotation;
import io.quarkus.agroal.runtime.AgroalDataSourceUtil;
import io.quarkus.datasource.runtime.DataSourceRuntimeConfig;
import io.quarkus.datasource.runtime.DataSourcesRuntimeConfig;
import io.smallrye.config.SmallRyeConfig;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
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
  public Optional<CredentialsRotation.Verifier> verifier(String providerName) {
    for (Map.Entry<String, AgroalDataSource> entry : using(providerName).entrySet()) {
      AgroalConnectionFactoryConfiguration factory;
      try {
        factory = entry.getValue().getConfiguration().connectionPoolConfiguration()
            .connectionFactoryConfiguration();
      } catch (RuntimeException e) {
        continue; // an unconfigured datasource (no URL) cannot check anything
      }
      return Optional.of(jdbcCheck(entry.getKey(), factory));
    }
    return Optional.empty();
  }

  @Override
  public Flushed flush(String providerName) {
    Map<String, AgroalDataSource> pools = using(providerName);
    Duration bound = Duration.ZERO;
    for (AgroalDataSource pool : pools.values()) {
      pool.flush(AgroalDataSource.FlushMode.GRACEFUL);
      Duration opening = openingBound(pool);
      if (opening.compareTo(bound) > 0) {
        bound = opening;
      }
    }
    List<String> names = List.copyOf(pools.keySet());
    Duration openingBound = bound;
    return new Flushed() {
      @Override
      public List<String> dataSources() {
        return names;
      }

      @Override
      public Duration openingBound() {
        return openingBound;
      }

      @Override
      public void again() {
        pools.forEach((name, pool) -> {
          try {
            pool.flush(AgroalDataSource.FlushMode.GRACEFUL);
          } catch (RuntimeException e) {
            // Closed since (its housekeeping executor refuses the flush): nothing to retire.
            LOG.debugf("datasource %s not flushed again: %s", name, e.getClass().getName());
          }
        });
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
   * Opens one connection with the datasource's URL, driver and extra JDBC properties. The
   * driver is the pool's own, so the check works where {@link DriverManager} cannot see it.
   */
  private static CredentialsRotation.Verifier jdbcCheck(String dataSource,
      AgroalConnectionFactoryConfiguration factory) {
    String url = factory.jdbcUrl();
    Properties base = new Properties();
    base.putAll(factory.jdbcProperties());
    Class<?> provider = factory.connectionProviderClass();
    return credentials -> {
      Properties properties = new Properties();
      properties.putAll(base);
      properties.setProperty("user", credentials.username());
      properties.setProperty("password", credentials.password());
      Connection connection;
      if (provider != null && Driver.class.isAssignableFrom(provider)) {
        Driver driver = (Driver) provider.getDeclaredConstructor().newInstance();
        connection = driver.connect(url, properties);
      } else {
        connection = DriverManager.getConnection(url, properties);
      }
      if (connection == null) {
        throw new SQLException("the driver of datasource " + dataSource + " does not accept its URL");
      }
      try (Connection opened = connection) {
        if (!opened.isValid(5)) {
          throw new SQLException("a connection opened with the new credentials is not valid", "08000");
        }
      }
    };
  }
}
