package io.github.mountedsecrets;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * An immutable, consistent view of every secret in a mount at one moment.
 *
 * <p>All values of a snapshot come from one generation of the mount: a snapshot never
 * holds a username from one rotation and a password from another. Reading from a
 * snapshot never touches the file system.
 *
 * <p>Keys are file paths relative to the mount ({@code DB_PASSWORD}, {@code nested/dir/file})
 * and, for files holding a JSON object, {@code file.field}, {@code file.a.b} and
 * {@code file.list[0]}. Each key has a version that changes whenever its content does.
 *
 * <p>{@link #toString()} names the mount, the revision and the number of keys; values are
 * never printed.
 */
public final class SecretsSnapshot {
  private final Path directory;
  private final MountLayout layout;
  private final String generation;
  private final long revision;
  private final Instant loadedAt;
  private final Map<String, SecretValue> values;
  private final Set<String> keys;
  private final Set<String> substitutedKeys;
  private volatile Set<String> propertyNames;

  SecretsSnapshot(Path directory, MountLayout layout, String generation, long revision,
      Instant loadedAt, Map<String, SecretValue> values) {
    this.directory = directory;
    this.layout = layout;
    this.generation = generation;
    this.revision = revision;
    this.loadedAt = loadedAt;
    this.values = new HashMap<>(values);
    this.keys = Collections.unmodifiableSet(new TreeSet<>(values.keySet()));
    Set<String> substituted = new TreeSet<>();
    for (Map.Entry<String, SecretValue> entry : values.entrySet()) {
      if (entry.getValue().substituted) {
        substituted.add(entry.getKey());
      }
    }
    this.substitutedKeys = Collections.unmodifiableSet(substituted);
  }

  static SecretsSnapshot empty(Path directory, Instant now) {
    return new SecretsSnapshot(directory, MountLayout.NONE, null, 0, now, Map.of());
  }

  /**
   * Returns the text of a secret.
   *
   * @param key the key, e.g. {@code DB_PASSWORD} or {@code prod-db.username}
   * @return the value as text
   * @throws SecretNotFoundException if the key is absent; the message lists close matches
   * @throws SecretFormatException if the content is not valid UTF-8
   */
  public String get(String key) {
    return text(key, require(key));
  }

  /**
   * Returns the text of a secret, or empty if the key is absent.
   *
   * @param key the key
   * @return the value as text, or empty
   * @throws SecretFormatException if the key exists but its content is not valid UTF-8
   */
  public Optional<String> find(String key) {
    SecretValue value = values.get(key);
    return value == null ? Optional.empty() : Optional.of(text(key, value));
  }

  /**
   * Returns whether the snapshot holds the key.
   *
   * @param key the key
   * @return true if present
   */
  public boolean contains(String key) {
    return values.containsKey(key);
  }

  /**
   * Returns a copy of a secret's bytes, exactly as in the file (for a JSON field, the
   * field's text in UTF-8). Trimming never applies to bytes.
   *
   * @param key the key
   * @return a new array the caller may clear after use
   * @throws SecretNotFoundException if the key is absent
   */
  public byte[] bytes(String key) {
    return require(key).bytes.clone();
  }

  /**
   * Returns the version of a key: a number that grows whenever the key's content changes
   * and stays the same while it does not.
   *
   * @param key the key
   * @return the version
   * @throws SecretNotFoundException if the key is absent
   */
  public long version(String key) {
    return require(key).version;
  }

  /**
   * Returns when the key's current content was read: the load time of the snapshot whose
   * revision is the key's {@linkplain #version(String) version}. It stays the same while the
   * content does, however often the mount is read again.
   *
   * @param key the key
   * @return when the key last changed (or was first read)
   * @throws SecretNotFoundException if the key is absent
   */
  public Instant changedAt(String key) {
    return require(key).changedAt;
  }

  /**
   * Returns the file a key was read from: its path relative to the mount, in the form the
   * keys use ({@code DB_PASSWORD}, {@code nested/file}); for a JSON field such as
   * {@code prod-db.username}, the JSON file ({@code prod-db}). Says where a value came from,
   * never what it is.
   *
   * @param key the key
   * @return the relative file path, or empty when the key is absent
   */
  public Optional<String> file(String key) {
    SecretValue value = values.get(key);
    return value == null ? Optional.empty() : Optional.of(value.file);
  }

  /**
   * Returns every key, sorted.
   *
   * @return an unmodifiable sorted set
   */
  public Set<String> keys() {
    return keys;
  }

  /**
   * Returns the number of keys.
   *
   * @return the key count
   */
  public int size() {
    return values.size();
  }

  /**
   * Returns when this snapshot was read from the mount.
   *
   * @return the load time
   */
  public Instant loadedAt() {
    return loadedAt;
  }

  /**
   * Returns the revision: 0 before anything was loaded, then one more for each change of
   * content. Reloads that find nothing changed keep the revision.
   *
   * @return the revision
   */
  public long revision() {
    return revision;
  }

  /**
   * Returns the mount directory this snapshot was read from.
   *
   * @return the directory
   */
  public Path directory() {
    return directory;
  }

  /**
   * Returns the layout the mount had when this snapshot was read.
   *
   * @return the layout
   */
  public MountLayout layout() {
    return layout;
  }

  /**
   * Returns the generation directory name for the {@link MountLayout#ATOMIC_WRITER atomic
   * writer} (such as {@code ..2026_11_23_10_15_00.123456789}); empty for other layouts.
   *
   * @return the generation, or empty
   */
  public Optional<String> generation() {
    return Optional.ofNullable(generation);
  }

  /**
   * Returns the keys whose value is a last good value kept in place of what their file holds
   * now: in the plain-file layout, where files are written one by one, a file that is empty,
   * unreadable, over {@code maxFileSize} or (for JSON fields) malformed keeps the value it
   * had. Such a value may come from an older write than the keys beside it.
   * {@link MountedSecrets#databaseCredentials(String, String)} refuses to pair one. In the
   * atomic-writer layout a generation is served exactly as written, and this set is empty.
   *
   * @return the substituted keys, sorted; empty when every value is the file's current content
   */
  public Set<String> substitutedKeys() {
    return substitutedKeys;
  }

  /**
   * Returns the keys a framework lists as configuration property names: every key except
   * those that are parents of other keys, that is the whole text of a JSON secret
   * ({@code prod-db} beside {@code prod-db.username}). Such a key is still served by
   * {@link #get(String)}; it is only not listed, so that a framework binding the fields under
   * that prefix (a Quarkus {@code @ConfigMapping(prefix = "prod-db")}, a Spring
   * {@code @ConfigurationProperties("prod-db")}) does not also find a property at the prefix
   * itself. The Spring Boot starter and the Quarkus extension both list these names.
   *
   * @return the listed keys, sorted; computed once per snapshot
   */
  public Set<String> propertyNames() {
    Set<String> names = propertyNames;
    if (names == null) {
      Set<String> listed = new TreeSet<>(keys);
      for (String key : keys) {
        for (int i = 1; i < key.length(); i++) {
          char c = key.charAt(i);
          if ((c == '.' || c == '[') && keys.contains(key.substring(0, i))) {
            listed.remove(key.substring(0, i));
          }
        }
      }
      names = Collections.unmodifiableSet(listed);
      propertyNames = names;
    }
    return names;
  }

  SecretValue value(String key) {
    return values.get(key);
  }

  Map<String, SecretValue> values() {
    return values;
  }

  SecretValue require(String key) {
    SecretValue value = values.get(key);
    if (value == null) {
      throw notFound(key);
    }
    return value;
  }

  SecretNotFoundException notFound(String key) {
    String detail = values.isEmpty()
        ? "The mount holds no secrets" + (layout == MountLayout.NONE ? " (nothing is mounted there yet)." : ".")
        : null;
    return new SecretNotFoundException(key, directory, Names.closeMatches(key, keys), detail);
  }

  String text(String key, SecretValue value) {
    if (value.text == null) {
      throw new SecretFormatException(key, "Secret '" + Names.printable(key) + "' in " + directory
          + " (file '" + Names.printable(value.file) + "') is not valid UTF-8 text; "
          + "read its bytes instead (MountedSecrets.getBytes or SecretsSnapshot.bytes)");
    }
    return value.text;
  }

  static String decode(byte[] bytes) {
    java.nio.charset.CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
        .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
    try {
      return decoder.decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      return null;
    }
  }

  @Override
  public String toString() {
    return "SecretsSnapshot[mount=" + directory + ", layout=" + layout + ", revision=" + revision
        + ", keys=" + values.size() + ", loadedAt=" + loadedAt + "]";
  }
}
