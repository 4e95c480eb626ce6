package io.github.mountedsecrets.spring.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import com.zaxxer.hikari.util.Credentials;
import io.github.mountedsecrets.DatabaseCredentials;
import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.rotation.CredentialsRotation;
import io.github.mountedsecrets.rotation.CredentialsVerifier;
import io.github.mountedsecrets.rotation.JdbcVerifier;
import io.github.mountedsecrets.rotation.PoolSwitch;
import io.github.mountedsecrets.spring.MountedSecretsProperties;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.BeansException;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.BeanFactoryAware;
import org.springframework.beans.factory.config.DestructionAwareBeanPostProcessor;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * Attaches a {@link CredentialsRotation} to every {@link HikariDataSource} whose username and
 * password are the current values of the mount's credential keys (see {@link CredentialKeys}).
 * Core's rotation does the work: when the keys change it opens one connection with the new
 * pair (the pool's JDBC URL, driver and data source properties), and only if the database
 * accepts it switches the pool with HikariCP's atomic {@code setCredentials} and
 * {@code softEvictConnections}, so in-flight work finishes on the old connections; a refused
 * pair is retried with backoff while the pool keeps the old one.
 *
 * <p>On HikariCP 7 the pool also gets a {@code HikariCredentialsProvider} (when it has none and
 * has not started) that hands each new connection the pair the database last accepted
 * ({@link CredentialsRotation#current()}); {@code setCredentials} keeps the pool's configured
 * pair in step for whatever reads it. HikariCP 6 (Spring Boot 3.5) uses {@code setCredentials}
 * alone.
 *
 * <p>A rotation belongs to its pool: it is closed before the pool is destroyed.
 */
final class HikariCredentialsRotationPostProcessor
    implements DestructionAwareBeanPostProcessor, BeanFactoryAware, EnvironmentAware, Ordered {
  private static final Logger LOG = LoggerFactory.getLogger(HikariCredentialsRotationPostProcessor.class);
  private static final int ATTEMPTS = 3;
  /** Whether HikariCP 7's {@code HikariCredentialsProvider} is present. */
  static final boolean CREDENTIALS_PROVIDER = ClassUtils.isPresent(
      "com.zaxxer.hikari.HikariCredentialsProvider",
      HikariCredentialsRotationPostProcessor.class.getClassLoader());

  private BeanFactory beanFactory;
  private ConfigurableEnvironment environment;
  private volatile DataSourceCredentialsRotations rotations;

  @Override
  public void setBeanFactory(BeanFactory beanFactory) {
    this.beanFactory = beanFactory;
  }

  @Override
  public void setEnvironment(Environment environment) {
    this.environment = (ConfigurableEnvironment) environment;
  }

  @Override
  public int getOrder() {
    return Ordered.LOWEST_PRECEDENCE;
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) throws BeansException {
    if (bean instanceof HikariDataSource) {
      attach((HikariDataSource) bean, beanName);
    }
    return bean;
  }

  @Override
  public boolean requiresDestruction(Object bean) {
    return bean instanceof HikariDataSource;
  }

  @Override
  public void postProcessBeforeDestruction(Object bean, String beanName) {
    DataSourceCredentialsRotations attached = rotations;
    if (attached != null) {
      attached.remove(beanName);
    }
  }

  private void attach(HikariDataSource dataSource, String beanName) {
    MountedSecretsProperties.Datasource settings =
        beanFactory.getBean(MountedSecretsProperties.class).getDatasource();
    Optional<CredentialKeys> found = CredentialKeys.find(settings, environment);
    if (found.isEmpty()) {
      LOG.debug("Data source '{}': no credential keys (spring.datasource.username and password "
          + "are not ${KEY} placeholders, mounted-secrets.datasource.username-key and "
          + "password-key are not set); not rotated", beanName);
      return;
    }
    CredentialKeys keys = found.get();
    MountedSecrets secrets = beanFactory.getBeanProvider(MountedSecrets.class).orderedStream()
        .filter(s -> s.snapshot().contains(keys.username) && s.snapshot().contains(keys.password))
        .findFirst().orElse(null);
    if (secrets == null) {
      LOG.debug("Data source '{}': no secrets mount holds {}; not rotated", beanName, keys);
      return;
    }
    if (dataSource.getJdbcUrl() == null) {
      LOG.warn("{}: data source '{}' uses {} but has no JDBC URL to check new credentials "
          + "with (it is configured with a DataSource class); credentials are not rotated",
          secrets.directory(), beanName, keys);
      return;
    }
    CredentialsRotation rotation = null;
    for (int attempt = 0; attempt < ATTEMPTS && rotation == null; attempt++) {
      CredentialsRotation candidate = CredentialsRotation.builder(secrets)
          .name(beanName)
          .keys(keys.username, keys.password)
          .verifier(verifier(dataSource))
          .pool(new HikariPoolSwitch(dataSource))
          .initialBackoff(settings.getInitialBackoff())
          .maxBackoff(settings.getMaxBackoff())
          .build();
      if (usesCredentials(dataSource, candidate.current())) {
        rotation = candidate;
      } else if (keys.fromPlaceholders && dataSource.getHikariPoolMXBean() == null
          && (keys.fromSecret
              || Objects.equals(dataSource.getJdbcUrl(), environment.getProperty("spring.datasource.url")))) {
        // Built from spring.datasource.* (or the JSON secret) while the mount rotated: start
        // the pool, which has not opened a connection yet, with the pair the keys now hold.
        setCredentials(dataSource, candidate.current());
        rotation = candidate;
      } else {
        candidate.close();
        if (secrets.snapshot().revision() == candidate.current().revision()) {
          LOG.debug("Data source '{}' does not use the credentials in {}; not rotated", beanName,
              keys);
          return;
        }
      }
    }
    if (rotation == null) {
      LOG.warn("{}: data source '{}': the mount kept changing while its credentials were "
          + "compared with {}; not rotated", secrets.directory(), beanName, keys);
      return;
    }
    DataSourceCredentialsRotations registry = beanFactory.getBean(DataSourceCredentialsRotations.class);
    rotations = registry;
    registry.add(beanName, rotation);
    boolean provider = CREDENTIALS_PROVIDER && RotationCredentialsProvider.install(dataSource, rotation);
    LOG.info("{}: data source '{}' follows {}: new credentials are checked with one connection, "
        + "then the pool switches{}", secrets.directory(), beanName, keys,
        provider ? " (new connections ask a HikariCredentialsProvider for the accepted pair)" : "");
  }

  private static boolean usesCredentials(HikariDataSource dataSource, DatabaseCredentials credentials) {
    Credentials inPool = dataSource.getCredentials();
    return inPool != null && credentials.username().equals(inPool.getUsername())
        && credentials.password().equals(inPool.getPassword());
  }

  /**
   * Returns core's JDBC verifier opening one connection as the pool would: its URL, driver and
   * data source properties, bounded by its connection timeout.
   */
  private static CredentialsVerifier verifier(HikariDataSource dataSource) {
    return credentials -> {
      String url = dataSource.getJdbcUrl();
      Properties properties = new Properties();
      properties.putAll(dataSource.getDataSourceProperties());
      JdbcVerifier.of(driver(dataSource, url), url, properties)
          .withTimeout(Duration.ofMillis(Math.max(1000, dataSource.getConnectionTimeout())))
          .verify(credentials);
    };
  }

  private static Driver driver(HikariDataSource dataSource, String url)
      throws SQLException, ReflectiveOperationException {
    String driverClassName = dataSource.getDriverClassName();
    if (driverClassName == null) {
      return DriverManager.getDriver(url);
    }
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader == null) {
      loader = HikariCredentialsRotationPostProcessor.class.getClassLoader();
    }
    Class<?> type = Class.forName(driverClassName, true, loader);
    return (Driver) type.getDeclaredConstructor().newInstance();
  }

  private static void setCredentials(HikariDataSource dataSource, DatabaseCredentials credentials) {
    dataSource.getHikariConfigMXBean()
        .setCredentials(Credentials.of(credentials.username(), credentials.password()));
  }

  /**
   * How HikariCP takes new credentials: {@code setCredentials} (atomic), then
   * {@code softEvictConnections}, which retires idle connections now and busy ones on return.
   * Core's rotation does the rest, including the follow-up evictions.
   *
   * <p>HikariCP reads the credentials when it starts opening a connection, on its single
   * connection-adder thread (which only works while the pool holds fewer connections than its
   * maximum) or, for the first connection, on the thread that starts the pool. So while the
   * pool is starting or not full, a connection may be opening with the old pair
   * ({@link #mayBeOpening()}); its opening is bounded by the pool's connection timeout.
   */
  private static final class HikariPoolSwitch implements PoolSwitch {
    private final HikariDataSource dataSource;

    HikariPoolSwitch(HikariDataSource dataSource) {
      this.dataSource = dataSource;
    }

    @Override
    public void apply(DatabaseCredentials credentials) {
      setCredentials(dataSource, credentials);
    }

    @Override
    public void evict() {
      HikariPoolMXBean pool = dataSource.getHikariPoolMXBean();
      if (pool != null && !dataSource.isClosed()) {
        pool.softEvictConnections();
      }
    }

    @Override
    public Duration openingBound() {
      return Duration.ofMillis(Math.max(1, dataSource.getConnectionTimeout()));
    }

    @Override
    public boolean mayBeOpening() {
      HikariPoolMXBean pool = dataSource.getHikariPoolMXBean();
      return pool == null || pool.getTotalConnections() < dataSource.getMaximumPoolSize();
    }
  }
}
