package io.github.mountedsecrets.quarkus;

import io.github.mountedsecrets.MountedSecrets;
import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigSourceInterceptorFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Priorities;
import io.smallrye.config.SecretKeys;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.Serial;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The mount's keys as SmallRye Config secret keys: left out of the configuration's listings and
 * masked in its value log, yet still served by name.
 *
 * <p>SmallRye Config treats a secret key three ways: {@code SmallRyeConfig#getPropertyNames()}
 * leaves it out, the lookup log ({@code smallrye.config.log.values}) prints {@code secret}
 * instead of its value and source, and a lookup through the configuration's API while the
 * thread's secret keys are locked (the default) throws a {@link SecurityException}. The third
 * would break what the extension is for: {@code @ConfigProperty}, {@code config.getValue} and
 * {@code ${DB_PASSWORD}} expressions, which Quarkus and SmallRye resolve with the keys locked
 * (only {@code @ConfigMapping} objects are built unlocked). So:
 *
 * <ul>
 *   <li>the keys present when the configuration is built are registered with
 *       {@link SmallRyeConfigBuilder#withSecretKeys}, which decides what the listings leave out;
 *   <li>{@link Unlock}, outside SmallRye's lookup log and inside its expression expansion, looks
 *       a mount key up with the keys unlocked, so lookups by name work as before;
 *   <li>{@link Lock}, inside the lookup log, refuses a locked lookup of any current mount key,
 *       also one a rotation added, which is how the lookup log knows to mask it (the log locks
 *       the keys itself to find out), and leaves keys a rotation added out of locked listings.
 * </ul>
 *
 * <p>A config source read directly ({@code config.getConfigSources()}) still answers, as every
 * config source does.
 */
final class MountKeys {
  /** Between SmallRye's lookup log (library + 250) and its expression expansion (+ 300). */
  static final int UNLOCK_PRIORITY = Priorities.LIBRARY + 275;
  /** Inside the lookup log and the profile lookup (+ 200), beside the secret keys (+ 100). */
  static final int LOCK_PRIORITY = Priorities.LIBRARY + 150;

  private volatile MountedSecrets secrets;
  private volatile Set<String> atStartup = Set.of();

  /**
   * Serves the mount's keys from now on; registers those present now as secret keys.
   *
   * @param mount the mount the config source reads
   * @param builder the builder of the configuration being built
   */
  void serve(MountedSecrets mount, SmallRyeConfigBuilder builder) {
    Set<String> keys = mount.snapshot().keys();
    // '*' is a wildcard to SmallRye's matcher; such a key is masked by Lock alone.
    builder.withSecretKeys(keys.stream().filter(key -> key.indexOf('*') < 0).toArray(String[]::new));
    atStartup = Set.copyOf(keys);
    secrets = mount;
  }

  /** Whether a property name (with or without a {@code %profile.} prefix) is a mount key now. */
  boolean isKey(String name) {
    MountedSecrets mount = secrets;
    return mount != null && mount.snapshot().keys().contains(unprofiled(name));
  }

  private boolean addedSinceStartup(String name) {
    return !atStartup.contains(unprofiled(name)) && isKey(name);
  }

  private static String unprofiled(String name) {
    if (!name.isEmpty() && name.charAt(0) == '%') {
      int dot = name.indexOf('.');
      return dot < 0 ? name : name.substring(dot + 1);
    }
    return name;
  }

  /** Registers both interceptors with the builder. */
  void register(SmallRyeConfigBuilder builder) {
    builder.withInterceptorFactories(new Factory(UNLOCK_PRIORITY, new Unlock(this)),
        new Factory(LOCK_PRIORITY, new Lock(this)));
  }

  /** Hands out one interceptor at a fixed priority. */
  private static final class Factory implements ConfigSourceInterceptorFactory {
    private final int priority;
    private final ConfigSourceInterceptor interceptor;

    Factory(int priority, ConfigSourceInterceptor interceptor) {
      this.priority = priority;
      this.interceptor = interceptor;
    }

    @Override
    public ConfigSourceInterceptor getInterceptor(ConfigSourceInterceptorContext context) {
      return interceptor;
    }

    @Override
    public OptionalInt getPriority() {
      return OptionalInt.of(priority);
    }
  }

  /** Looks a mount key up with the secret keys unlocked. */
  static final class Unlock implements ConfigSourceInterceptor {
    @Serial
    private static final long serialVersionUID = 1L;

    private final transient MountKeys keys;

    Unlock(MountKeys keys) {
      this.keys = keys;
    }

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
      if (SecretKeys.isLocked() && keys.isKey(name)) {
        return SecretKeys.doUnlocked(() -> context.proceed(name));
      }
      return context.proceed(name);
    }
  }

  /**
   * Refuses a locked lookup of a mount key, and leaves the keys a rotation added out of locked
   * listings (those present at startup are left out by SmallRye's own secret keys).
   */
  static final class Lock implements ConfigSourceInterceptor {
    @Serial
    private static final long serialVersionUID = 1L;

    private final transient MountKeys keys;

    Lock(MountKeys keys) {
      this.keys = keys;
    }

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
      if (SecretKeys.isLocked() && keys.isKey(name)) {
        // The message names the key only, as SmallRye's own does.
        throw new SecurityException("Not allowed to access secret key " + name);
      }
      return context.proceed(name);
    }

    @Override
    public Iterator<String> iterateNames(ConfigSourceInterceptorContext context) {
      Iterator<String> names = context.iterateNames();
      if (!SecretKeys.isLocked()) {
        return names;
      }
      return new Iterator<>() {
        private String next = advance();

        private String advance() {
          while (names.hasNext()) {
            String name = names.next();
            if (!keys.addedSinceStartup(name)) {
              return name;
            }
          }
          return null;
        }

        @Override
        public boolean hasNext() {
          return next != null;
        }

        @Override
        public String next() {
          if (next == null) {
            throw new NoSuchElementException();
          }
          String current = next;
          next = advance();
          return current;
        }
      };
    }
  }
}
