package io.github.mountedsecrets.quarkus;

import io.github.mountedsecrets.DatabaseCredentials;
import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.rotation.CredentialsRotation;
import io.github.mountedsecrets.rotation.CredentialsVerifier;
import io.github.mountedsecrets.rotation.JdbcVerifier;
import io.github.mountedsecrets.rotation.RotationStatus;
import io.quarkus.arc.Unremovable;
import io.quarkus.credentials.CredentialsProvider;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * The {@code mounted-secrets} credentials provider: serves a username and password from the
 * mount for each credentials provider name, and moves the pools that use it to rotated
 * credentials once the database accepts them.
 *
 * <p>For each provider name (the value of {@code quarkus.datasource.credentials-provider}),
 * the first request starts one core {@link CredentialsRotation}: its verifier opens one
 * connection with the datasource's URL, its applier flushes the pools that use the name
 * gracefully. Agroal asks for credentials for every new physical connection.
 *
 * <h2>Concurrency</h2>
 *
 * <p>Requests come from any pool thread and read two volatile fields: the pair the applier is
 * switching to, else {@link CredentialsRotation#current()}. The applier runs on the
 * rotation's own thread; it publishes the verified pair before it flushes the pools, because
 * the core makes it current only after the applier returns, and a connection opened in
 * between would otherwise use (and keep) the pair being retired.
 *
 * <p>Agroal asks for credentials, opens the connection, and only then adds it to the pool,
 * on the thread that needs the connection, concurrently with the flush on the pool's
 * housekeeping thread. A connection that got the previous pair just before the switch can
 * therefore join its pool just after the flush, and would keep the retired user until
 * max-lifetime. So when a pair was handed out within the pools' opening bound (their login
 * timeout, or 10 s, the PostgreSQL driver's default connect timeout, when none is set) before
 * the switch, the pools are flushed gracefully again 200 ms after it and once more after the
 * bound plus 250 ms, the scheme the Spring Boot starter follows for HikariCP; without such a hand-out (the usual case: the pool was full) nothing more happens.
 * Bindings are created once
 * per name with {@link ConcurrentHashMap#computeIfAbsent}; a failed creation (credentials
 * not in the mount) is not cached and is tried again at the next request.
 */
@Singleton
@Named(MountedSecretsCredentialsProvider.NAME)
@Unremovable
public final class MountedSecretsCredentialsProvider implements CredentialsProvider {
  /** Bean name, for {@code quarkus.datasource.credentials-provider-name}. */
  static final String NAME = "mounted-secrets";

  private static final String DEFAULT_DATASOURCE_PROVIDER = "quarkus.datasource.credentials-provider";

  private static final Logger LOG = Logger.getLogger(MountedSecretsCredentialsProvider.class);

  private final MountedSecrets secrets;
  private final MountedSecretsConfig config;
  private final Instance<DataSourcePools> pools;
  private final ConcurrentMap<String, Binding> bindings = new ConcurrentHashMap<>();

  MountedSecretsCredentialsProvider(MountedSecrets secrets, MountedSecretsConfig config,
      Instance<DataSourcePools> pools) {
    this.secrets = secrets;
    this.config = config;
    this.pools = pools;
  }

  @Override
  public Map<String, String> getCredentials(String credentialsProviderName) {
    DatabaseCredentials credentials = bindings
        .computeIfAbsent(credentialsProviderName, this::bind)
        .rotation.handOut();
    return Map.of(USER_PROPERTY_NAME, credentials.username(),
        PASSWORD_PROPERTY_NAME, credentials.password());
  }

  /** Answers on the caller's thread: the credentials are in memory, nothing blocks. */
  @Override
  public Uni<Map<String, String>> getCredentialsAsync(String credentialsProviderName) {
    return Uni.createFrom().item(() -> getCredentials(credentialsProviderName));
  }

  /** Returns the state of each provider name's rotation, for the health check. */
  Map<String, RotationStatus> statuses() {
    Map<String, RotationStatus> statuses = new TreeMap<>();
    bindings.forEach((name, binding) -> statuses.put(name, binding.rotation.status()));
    return statuses;
  }

  private Binding bind(String name) {
    MountedSecretsConfig.CredentialsConfig options = config.credentials().get(name);
    Optional<DataSourcePools> dataSources = pools.isResolvable()
        ? Optional.of(pools.get()) : Optional.empty();
    Binding binding = new Binding();
    CredentialsRotation.Builder builder = CredentialsRotation.builder(secrets).name(name);
    String prefix = "quarkus.mounted-secrets.credentials.\"" + name + "\".";
    try {
      builder.initialBackoff(options.initialBackoff()).maxBackoff(options.maxBackoff());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(prefix + ": " + e.getMessage(), e);
    }
    Optional<String> jsonSecret = options.jsonSecret().or(() -> dataSourceSecret(name));
    if (jsonSecret.isPresent()) {
      builder.jsonSecret(jsonSecret.get());
    } else {
      builder.keys(options.usernameKey(), options.passwordKey());
    }
    // Resolved at each check, not now: this runs inside Agroal's first connection request.
    CredentialsVerifier fallback = fallbackVerifier(name);
    CredentialsVerifier verifier = credentials -> dataSources
        .flatMap(p -> p.verifier(name)).orElse(fallback).verify(credentials);
    // Agroal asks this provider for every new connection (handOut); core's rotation flushes
    // the pools and, when a pair was handed out just before the switch, flushes them again.
    builder.verifier(verifier).pool(dataSources.map(p -> p.poolSwitch(name))
        .orElse(DataSourcePools.NO_POOL));
    try {
      binding.rotation = builder.build();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(prefix + ": " + e.getMessage(), e);
    }
    return binding;
  }

  /**
   * The secret of {@code quarkus.mounted-secrets.datasource.secret} when the default datasource
   * asks for credentials under this provider name.
   */
  private Optional<String> dataSourceSecret(String name) {
    return config.datasource().secret().filter(secret -> ConfigProvider.getConfig()
        .getOptionalValue(DEFAULT_DATASOURCE_PROVIDER, String.class).filter(name::equals).isPresent());
  }

  /**
   * Without a JDBC datasource for the name, checks with the URL the secret itself carries
   * (RDS-style secrets have engine, host, port and dbname), else does not check.
   */
  private CredentialsVerifier fallbackVerifier(String name) {
    return credentials -> {
      Optional<String> url = credentials.jdbcUrl();
      if (url.isPresent()) {
        JdbcVerifier.of(url.get()).verify(credentials);
      } else {
        LOG.debugf("%s: %s: no JDBC datasource uses this provider name and the secret has no "
            + "database URL; new credentials are used without a check", secrets.directory(), name);
      }
    };
  }

  @PreDestroy
  void close() {
    bindings.values().forEach(binding -> binding.rotation.close());
    bindings.clear();
  }

  /** One provider name's rotation. */
  private static final class Binding {
    volatile CredentialsRotation rotation;
  }

  @Override
  public String toString() {
    return "MountedSecretsCredentialsProvider[mount=" + secrets.directory() + ", names="
        + bindings.keySet() + "]";
  }
}
