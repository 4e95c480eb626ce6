package io.github.mountedsecrets.quarkus;

import io.github.mountedsecrets.CredentialsRotation;
import io.github.mountedsecrets.DatabaseCredentials;
import io.github.mountedsecrets.MountedSecrets;
import io.quarkus.arc.Unremovable;
import io.quarkus.credentials.CredentialsProvider;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
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
 * between would otherwise use (and keep) the pair being retired. Bindings are created once
 * per name with {@link ConcurrentHashMap#computeIfAbsent}; a failed creation (credentials
 * not in the mount) is not cached and is tried again at the next request.
 */
@Singleton
@Named(MountedSecretsCredentialsProvider.NAME)
@Unremovable
final class MountedSecretsCredentialsProvider implements CredentialsProvider {
  /** Bean name, for {@code quarkus.datasource.credentials-provider-name}. */
  static final String NAME = "mounted-secrets";

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
        .credentials();
    return Map.of(USER_PROPERTY_NAME, credentials.username(),
        PASSWORD_PROPERTY_NAME, credentials.password());
  }

  /** Answers on the caller's thread: the credentials are in memory, nothing blocks. */
  @Override
  public Uni<Map<String, String>> getCredentialsAsync(String credentialsProviderName) {
    return Uni.createFrom().item(() -> getCredentials(credentialsProviderName));
  }

  /** Returns the state of each provider name's rotation, for the health check. */
  Map<String, CredentialsRotation.Status> statuses() {
    Map<String, CredentialsRotation.Status> statuses = new TreeMap<>();
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
    if (options.jsonSecret().isPresent()) {
      builder.jsonSecret(options.jsonSecret().get());
    } else {
      builder.keys(options.usernameKey(), options.passwordKey());
    }
    // Resolved at each check, not now: this runs inside Agroal's first connection request.
    CredentialsRotation.Verifier fallback = fallbackVerifier(name);
    CredentialsRotation.Verifier verifier = credentials -> dataSources
        .flatMap(p -> p.verifier(name)).orElse(fallback).verify(credentials);
    builder.verifier(verifier).applier(credentials -> {
      binding.switching = credentials;
      List<String> flushed = dataSources.map(p -> p.flush(name)).orElse(List.of());
      LOG.debugf("%s: %s: flushed datasources %s gracefully", secrets.directory(), name, flushed);
    });
    try {
      binding.rotation = builder.build();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(prefix + ": " + e.getMessage(), e);
    }
    return binding;
  }

  /**
   * Without a JDBC datasource for the name, checks with the URL the secret itself carries
   * (RDS-style secrets have engine, host, port and dbname), else does not check.
   */
  private CredentialsRotation.Verifier fallbackVerifier(String name) {
    return credentials -> {
      Optional<String> url = credentials.jdbcUrl();
      if (url.isPresent()) {
        CredentialsRotation.jdbcVerifier(url.get()).verify(credentials);
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

  /** One provider name's rotation, and the pair its applier is switching to. */
  private static final class Binding {
    volatile CredentialsRotation rotation;
    volatile DatabaseCredentials switching;

    DatabaseCredentials credentials() {
      DatabaseCredentials next = switching;
      DatabaseCredentials current = rotation.current();
      return next != null && next.revision() > current.revision() ? next : current;
    }
  }

  @Override
  public String toString() {
    return "MountedSecretsCredentialsProvider[mount=" + secrets.directory() + ", names="
        + bindings.keySet() + "]";
  }
}
