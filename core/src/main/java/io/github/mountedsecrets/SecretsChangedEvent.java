package io.github.mountedsecrets;

import java.time.Instant;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one rotation changed: the keys added, changed and removed, with the snapshots
 * before and after.
 *
 * <p>Sets hold key names only. {@link #toString()} prints key names, never values.
 */
public final class SecretsChangedEvent {
  private final Set<String> added;
  private final Set<String> changed;
  private final Set<String> removed;
  private final SecretsSnapshot previous;
  private final SecretsSnapshot current;
  private final Instant timestamp;

  SecretsChangedEvent(Set<String> added, Set<String> changed, Set<String> removed,
      SecretsSnapshot previous, SecretsSnapshot current, Instant timestamp) {
    this.added = Collections.unmodifiableSet(new TreeSet<>(added));
    this.changed = Collections.unmodifiableSet(new TreeSet<>(changed));
    this.removed = Collections.unmodifiableSet(new TreeSet<>(removed));
    this.previous = previous;
    this.current = current;
    this.timestamp = timestamp;
  }

  /**
   * Returns the keys that appeared.
   *
   * @return sorted, unmodifiable
   */
  public Set<String> added() {
    return added;
  }

  /**
   * Returns the keys whose content changed.
   *
   * @return sorted, unmodifiable
   */
  public Set<String> changed() {
    return changed;
  }

  /**
   * Returns the keys that disappeared.
   *
   * @return sorted, unmodifiable
   */
  public Set<String> removed() {
    return removed;
  }

  /**
   * Returns every key that was added, changed or removed.
   *
   * @return sorted, unmodifiable
   */
  public Set<String> keys() {
    Set<String> all = new TreeSet<>(added);
    all.addAll(changed);
    all.addAll(removed);
    return Collections.unmodifiableSet(all);
  }

  /**
   * Returns whether the given key was added, changed or removed.
   *
   * @param key the key
   * @return true if the event concerns the key
   */
  public boolean affects(String key) {
    return added.contains(key) || changed.contains(key) || removed.contains(key);
  }

  /**
   * Returns whether any key starting with the prefix was added, changed or removed.
   *
   * @param prefix a key prefix such as {@code prod-db.}
   * @return true if the event concerns a key under the prefix
   */
  public boolean affectsPrefix(String prefix) {
    return anyStartsWith(added, prefix) || anyStartsWith(changed, prefix)
        || anyStartsWith(removed, prefix);
  }

  private static boolean anyStartsWith(Set<String> keys, String prefix) {
    for (String key : keys) {
      if (key.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Returns the snapshot that was current before the change.
   *
   * @return the previous snapshot
   */
  public SecretsSnapshot previous() {
    return previous;
  }

  /**
   * Returns the snapshot that became current.
   *
   * @return the new snapshot
   */
  public SecretsSnapshot current() {
    return current;
  }

  /**
   * Returns when the change was read from the mount.
   *
   * @return the time of the change
   */
  public Instant timestamp() {
    return timestamp;
  }

  @Override
  public String toString() {
    return "SecretsChangedEvent[mount=" + current.directory() + ", added=" + printable(added)
        + ", changed=" + printable(changed) + ", removed=" + printable(removed)
        + ", revision=" + current.revision() + "]";
  }

  private static String printable(Set<String> keys) {
    StringBuilder sb = new StringBuilder("[");
    for (String key : keys) {
      if (sb.length() > 1) {
        sb.append(", ");
      }
      sb.append(Names.printable(key));
    }
    return sb.append(']').toString();
  }
}
