package io.github.mountedsecrets.quarkus;

import io.github.mountedsecrets.MountedSecrets;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.ConfigMappingInterface;
import io.smallrye.config.ConfigMappingInterface.MapProperty;
import io.smallrye.config.ConfigMappingInterface.Property;
import io.smallrye.config.ConfigMappingLoader;
import io.smallrye.config.ConfigMappings.ConfigClass;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.SecretKeys;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import jakarta.inject.Singleton;
import java.util.HashSet;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Reads {@code @ConfigMapping} interfaces again after a rotation: {@link #current(Class)}
 * returns an instance of the mapping built from the configuration as it is now, so that a
 * mapping whose properties come from the mount, directly ({@code prod-db.password}) or through
 * an expression ({@code db.password=${DB_PASSWORD}}), returns the rotated values.
 *
 * <pre>{@code
 * @Inject MountedSecretsMappings mappings;
 *
 * void connect() {
 *   DbConfig db = mappings.current(DbConfig.class);  // the values of the current mount
 *   open(db.user(), db.password());
 * }
 * }</pre>
 *
 * <p><b>Why a helper.</b> SmallRye Config builds each mapping once, when the application
 * starts, and Quarkus' CDI bean for a mapping hands out that instance. So an injected mapping
 * ({@code @Inject DbConfig db}) and {@code SmallRyeConfig#getConfigMapping} keep their startup
 * values for the life of the application; only this helper re-reads.
 *
 * <p><b>How.</b> SmallRye Config builds the mapping again, with its own mapping code, on a
 * configuration whose one source is the application's configuration limited to the mapping's
 * prefix: every value is looked up in the application's configuration as it is at that moment,
 * with its sources, ordinals, profiles and expressions, and converted by the application's
 * converters (Quarkus' {@code 30s} durations, {@code 1M} memory sizes, the application's own
 * converters). Nothing of the mount is read or parsed here. The application's configuration is
 * not changed.
 *
 * <p><b>Cost.</b> The instance is kept until the mount's revision changes: every call between
 * two rotations returns the same object, for the price of two memory reads; the first call after
 * a rotation builds a new one. All values of one instance come from the same snapshot of the
 * mount: a build that a rotation overtakes is done again (and if rotations overtake five builds
 * in a row, {@code current} fails rather than return a mixed instance).
 *
 * <p><b>Limits.</b> Bean Validation constraints on the mapping are checked at startup only. A
 * value that cannot be converted fails with an {@link IllegalArgumentException} that names the
 * mapping, its prefix and the number of problems, but not SmallRye Config's own messages, which
 * quote the values. Objects the application kept from an earlier call are not updated: call
 * {@code current} where the values are used.
 */
@Singleton
public final class MountedSecretsMappings {
  /** How many builds of one mapping a rotation may overtake; the last one is kept anyway. */
  private static final int ATTEMPTS = 5;
  /** Above every converter SmallRye Config has of its own. */
  private static final int CONVERTER_PRIORITY = 1_000;
  private static final String SMALLRYE_SETTINGS = "smallrye.config.";

  private final MountedSecrets secrets;
  private final SmallRyeConfig config;
  private final ConcurrentMap<Key, Built> built = new ConcurrentHashMap<>();

  MountedSecretsMappings(MountedSecrets secrets, Config config) {
    this.secrets = secrets;
    this.config = config.unwrap(SmallRyeConfig.class);
  }

  /**
   * Returns the mapping with the values of the current configuration, under the prefix of its
   * {@link ConfigMapping} annotation.
   *
   * @param <T> the mapping type
   * @param mapping a {@code @ConfigMapping} interface of the application
   * @return an instance holding the current values; the same instance until the mount rotates
   * @throws IllegalArgumentException if {@code mapping} is not a {@code @ConfigMapping}
   *     interface that the application's configuration maps
   * @throws java.util.NoSuchElementException if a property the mapping requires is missing now
   * @throws IllegalArgumentException if SmallRye Config cannot build the mapping from the
   *     current values (the message names no value)
   * @throws IllegalStateException if the mount rotated during five builds in a row
   */
  public <T> T current(Class<T> mapping) {
    Objects.requireNonNull(mapping, "mapping");
    ConfigMapping annotation = mapping.isInterface() ? mapping.getAnnotation(ConfigMapping.class) : null;
    if (annotation == null) {
      throw new IllegalArgumentException(mapping.getName() + " is not a @ConfigMapping interface");
    }
    return current(mapping, annotation.prefix());
  }

  /**
   * Returns the mapping with the values of the current configuration, under a given prefix (a
   * mapping injected with {@code @ConfigMapping(prefix = "...")} at the injection point).
   *
   * @param <T> the mapping type
   * @param mapping a {@code @ConfigMapping} interface of the application
   * @param prefix the prefix the application maps it under
   * @return an instance holding the current values; the same instance until the mount rotates
   * @throws IllegalArgumentException if the application's configuration does not map
   *     {@code mapping} under {@code prefix}
   * @throws java.util.NoSuchElementException if a property the mapping requires is missing now
   * @throws IllegalArgumentException if SmallRye Config cannot build the mapping from the
   *     current values (the message names no value)
   * @throws IllegalStateException if the mount rotated during five builds in a row
   */
  public <T> T current(Class<T> mapping, String prefix) {
    Key key = new Key(Objects.requireNonNull(mapping, "mapping"), Objects.requireNonNull(prefix, "prefix"));
    long revision = secrets.snapshot().revision();
    Built cached = built.get(key);
    if (cached != null && cached.revision == revision) {
      return mapping.cast(cached.instance);
    }
    if (cached == null) {
      requireMapped(mapping, prefix);
    }
    for (int attempt = 1; ; attempt++) {
      Object instance = build(mapping, prefix);
      long after = secrets.snapshot().revision();
      if (after == revision) {
        built.put(key, new Built(revision, instance));
        return mapping.cast(instance);
      }
      if (attempt == ATTEMPTS) {
        throw new IllegalStateException("The secrets mount rotated during each of " + ATTEMPTS
            + " builds of " + mapping.getName() + "; call current again");
      }
      revision = after;
    }
  }

  private void requireMapped(Class<?> mapping, String prefix) {
    if (!mapping.isInterface()) {
      throw new IllegalArgumentException(mapping.getName() + " is not a @ConfigMapping interface");
    }
    try {
      config.getConfigMapping(mapping, prefix);
    } catch (NoSuchElementException e) {
      throw new IllegalArgumentException("The application's configuration does not map "
          + mapping.getName() + " under the prefix '" + prefix + "'", e);
    }
  }

  private Object build(Class<?> mapping, String prefix) {
    SmallRyeConfigBuilder builder = new SmallRyeConfigBuilder()
        .forClassLoader(mapping.getClassLoader())
        .withSources(new CurrentValues(config, prefix))
        .withMapping(ConfigClass.configClass(mapping, prefix))
        .withValidateUnknown(false);
    for (Class<?> type : valueTypes(mapping)) {
      copyConverter(type, builder);
    }
    try {
      return builder.build().getConfigMapping(mapping, prefix);
    } catch (ConfigValidationException e) {
      // SmallRye's messages quote the values that failed to convert, which may be secrets: name
      // the mapping only, and leave the cause out (a logged stack trace would print it).
      throw new IllegalArgumentException("SmallRye Config could not build " + mapping.getName()
          + " under the prefix '" + prefix + "' from the current configuration: "
          + e.getProblemCount() + " problem(s), for example a value that does not convert to "
          + "its property's type (values are not quoted here)");
    }
  }

  private <T> void copyConverter(Class<T> type, SmallRyeConfigBuilder builder) {
    config.getConverter(type).ifPresent(converter -> builder.withConverter(type, CONVERTER_PRIORITY, converter));
  }

  /** The types the mapping converts values to, except those with a converter of their own. */
  static Set<Class<?>> valueTypes(Class<?> mapping) {
    Set<Class<?>> types = new HashSet<>();
    collect(ConfigMappingLoader.getConfigMapping(mapping), types, new HashSet<>());
    return types;
  }

  private static void collect(ConfigMappingInterface type, Set<Class<?>> types, Set<Class<?>> seen) {
    if (type == null || !seen.add(type.getInterfaceType())) {
      return;
    }
    for (ConfigMappingInterface superType : type.getSuperTypes()) {
      collect(superType, types, seen);
    }
    for (Property property : type.getProperties()) {
      collect(property, types, seen);
    }
  }

  private static void collect(Property property, Set<Class<?>> types, Set<Class<?>> seen) {
    if (property.isDefaultMethod() || property.isToStringMethod()) {
      return;
    }
    if (property.isPrimitive()) {
      if (!property.hasConvertWith()) {
        types.add(property.asPrimitive().getBoxType());
      }
    } else if (property.isOptional()) {
      collect(property.asOptional().getNestedProperty(), types, seen);
    } else if (property.isLeaf()) {
      if (!property.hasConvertWith()) {
        types.add(property.asLeaf().getValueRawType());
      }
    } else if (property.isGroup()) {
      collect(property.asGroup().getGroupType(), types, seen);
    } else if (property.isCollection()) {
      collect(property.asCollection().getElement(), types, seen);
    } else if (property.isMap()) {
      MapProperty map = property.asMap();
      if (!map.hasKeyConvertWith()) {
        types.add(map.getKeyRawType());
      }
      collect(map.getValueProperty(), types, seen);
    }
  }

  /**
   * The application's configuration as one config source, limited to the properties under a
   * mapping's prefix: values are looked up at the moment they are read, already resolved
   * (profiles, expressions), so the configuration that reads this source adds no interceptor.
   * Never names or prints a value.
   */
  static final class CurrentValues implements ConfigSource {
    private final SmallRyeConfig config;
    private final String prefix;

    CurrentValues(SmallRyeConfig config, String prefix) {
      this.config = config;
      this.prefix = prefix;
    }

    /**
     * The latest names (a JSON field or file added by a rotation is a new name). The mount's
     * keys are secret keys, which the configuration lists only to unlocked callers: they are
     * taken from the mount's config source itself, and the configuration is asked with the
     * keys locked, so that its cache of names never lists a key a rotation added.
     */
    @Override
    public Set<String> getPropertyNames() {
      Set<String> names = SecretKeys.doLocked(() -> StreamSupport
          .stream(config.getLatestPropertyNames().spliterator(), false)
          .filter(this::mapped)
          .collect(Collectors.toCollection(HashSet::new)));
      for (ConfigSource source : config.getConfigSources()) {
        if (source instanceof MountedSecretsConfigSource) {
          source.getPropertyNames().stream().filter(this::mapped).forEach(names::add);
        }
      }
      return names;
    }

    @Override
    public String getValue(String propertyName) {
      if (!mapped(propertyName)) {
        return null;
      }
      ConfigValue value = config.getConfigValue(propertyName);
      return value == null ? null : value.getValue();
    }

    /** Whether a name is under the prefix; SmallRye Config's own settings never are. */
    private boolean mapped(String name) {
      if (prefix.isEmpty()) {
        return !name.startsWith(SMALLRYE_SETTINGS);
      }
      return name.startsWith(prefix)
          && (name.length() == prefix.length() || name.charAt(prefix.length()) == '.'
              || name.charAt(prefix.length()) == '[');
    }

    @Override
    public String getName() {
      return "MountedSecretsMappings[current configuration, prefix=" + prefix + "]";
    }

    @Override
    public String toString() {
      return getName();
    }
  }

  private record Key(Class<?> mapping, String prefix) {}

  /** A built instance and the mount revision it was built at; holds values, so prints none. */
  private static final class Built {
    final long revision;
    final Object instance;

    Built(long revision, Object instance) {
      this.revision = revision;
      this.instance = instance;
    }

    @Override
    public String toString() {
      return "Built[revision=" + revision + "]";
    }
  }
}
