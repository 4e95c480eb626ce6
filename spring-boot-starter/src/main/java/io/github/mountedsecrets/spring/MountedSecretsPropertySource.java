package io.github.mountedsecrets.spring;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.SecretFormatException;
import io.github.mountedsecrets.SecretsSnapshot;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.OriginLookup;
import org.springframework.core.env.EnumerablePropertySource;

/**
 * Serves the keys of a mount as properties, from whatever snapshot is current at each call:
 * {@code Environment.getProperty("DB_PASSWORD")} returns the rotated value as soon as the
 * mount changed, with no refresh. Keys whose content is not UTF-8 text are not served (read
 * them with {@link MountedSecrets#getBytes(String)}).
 *
 * <p>Each key's {@linkplain #getOrigin(String) origin} is its file inside the mount (and the
 * field, for a JSON file), as with Spring Boot's {@code configtree:}, so binding errors and
 * {@code /actuator/env} say where a value came from. {@link #toString()}, the name and the
 * origins carry paths, never values.
 *
 * <p>Spring resolves placeholders inside property values, and a secret is not configuration:
 * a generated password may hold {@code ${...}}. Resolving it would change the value (a
 * password {@code a${HOME}b} became {@code a/rootb}), let a mount's content pull in other
 * properties' values, or fail the lookup with an exception that quotes the whole secret. So
 * each <code>${</code> that Spring would take for a placeholder is served escaped
 * ({@code \${...}}, Spring Framework 6.2 and later), and resolution gives back the secret
 * exactly; {@link #value(String)} is the secret itself.
 */
final class MountedSecretsPropertySource extends EnumerablePropertySource<MountedSecrets>
    implements OriginLookup<String> {
  static final String NAME_PREFIX = "mounted-secrets:";
  /**
   * Spring's placeholder parser copies the text around each <code>${</code> it meets, so
   * resolving a value costs about its length times its number of <code>${</code> (256 KiB of
   * {@code ${a}} took 7 s per lookup). Past this product a value is not served as a property:
   * a hostile or mistaken mount would otherwise hold every lookup of it for seconds or
   * minutes. A password holding a few is far below it.
   */
  static final long MAX_RESOLUTION_COST = 16L * 1024 * 1024;
  private static final String PREFIX = "${";
  private static final Logger LOG = LoggerFactory.getLogger(MountedSecretsPropertySource.class);

  /** The revision at which each refused key was last reported, so that it is reported once. */
  private final Map<String, Long> refused = new ConcurrentHashMap<>();

  MountedSecretsPropertySource(MountedSecrets secrets) {
    super(NAME_PREFIX + secrets.directory(), secrets);
  }

  @Override
  public String[] getPropertyNames() {
    return getSource().snapshot().propertyNames().toArray(new String[0]);
  }

  @Override
  public boolean containsProperty(String name) {
    return getSource().snapshot().contains(name);
  }

  @Override
  public Object getProperty(String name) {
    SecretsSnapshot snapshot = getSource().snapshot();
    String value = value(snapshot, name);
    if (value == null || value.indexOf(PREFIX) < 0) {
      return value;
    }
    long starts = starts(value);
    if (starts * value.length() > MAX_RESOLUTION_COST) {
      Long reported = refused.put(name, snapshot.revision());
      if (reported == null || reported != snapshot.revision()) {
        LOG.warn("{}: key '{}' holds {} '${' in {} characters; Spring's placeholder resolution "
            + "of it would take seconds or more at each lookup, so it is not served as a "
            + "property. Read it with MountedSecrets.get(\"{}\")", getSource().directory(), name,
            starts, value.length(), name);
      }
      return null;
    }
    return escapePlaceholders(value);
  }

  private static long starts(String value) {
    long count = 0;
    for (int i = value.indexOf(PREFIX); i >= 0; i = value.indexOf(PREFIX, i + PREFIX.length())) {
      count++;
    }
    return count;
  }

  /**
   * Returns a key's value as the mount serves it, not escaped for placeholder resolution.
   *
   * @param name the key
   * @return the value, or null when there is no such key or it is not text
   */
  String value(String name) {
    return value(getSource().snapshot(), name);
  }

  private static String value(SecretsSnapshot snapshot, String name) {
    try {
      Optional<String> value = snapshot.find(name);
      return value.orElse(null);
    } catch (SecretFormatException binary) {
      return null;
    }
  }

  /**
   * Escapes each <code>${</code> that Spring's placeholder parser would take for the start of a
   * placeholder, so that it reads every one as text. The parser looks at every
   * <code>${</code> in turn (also those after an escaped one, whose content it still parses);
   * one is a placeholder when a '}' ends it: the first '}' that closes no '{' opened after the
   * prefix. That is, when the count of '{' less '}' later falls below its value just after
   * the prefix. Linear in the length of the value. A value without <code>${</code> is
   * returned as it is.
   */
  static String escapePlaceholders(String value) {
    int first = value.indexOf(PREFIX);
    if (first < 0) {
      return value;
    }
    int length = value.length();
    // depth[k]: '{' less '}' in value[0, k); lowest[k]: the least depth[j] for j >= k.
    int[] depth = new int[length + 1];
    for (int k = 0; k < length; k++) {
      char c = value.charAt(k);
      depth[k + 1] = depth[k] + (c == '{' ? 1 : c == '}' ? -1 : 0);
    }
    int[] lowest = new int[length + 2];
    lowest[length + 1] = Integer.MAX_VALUE;
    for (int k = length; k >= 0; k--) {
      lowest[k] = Math.min(depth[k], lowest[k + 1]);
    }
    StringBuilder escaped = new StringBuilder(length + 8);
    int copied = 0;
    for (int start = first; start >= 0; start = value.indexOf(PREFIX, start + PREFIX.length())) {
      int inside = start + PREFIX.length();
      if (lowest[inside + 1] < depth[inside]) {
        escaped.append(value, copied, start).append('\\');
        copied = start;
      }
    }
    return escaped.append(value, copied, length).toString();
  }

  @Override
  public Origin getOrigin(String name) {
    SecretsSnapshot snapshot = getSource().snapshot();
    return snapshot.file(name).map(file -> {
      String field = name.equals(file) || !name.startsWith(file) ? null
          : name.substring(file.length() + (name.charAt(file.length()) == '.' ? 1 : 0));
      return (Origin) new MountedSecretOrigin(snapshot.directory().resolve(file), field);
    }).orElse(null);
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + " {name='" + getName() + "'}";
  }
}
