package io.github.mountedsecrets;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The results of typed conversions (numbers, durations, decoded base64, credentials), cached
 * by key, version and type in a bounded Caffeine cache. After a swap the entries of changed
 * and removed keys are dropped, and a conversion that raced with a swap is dropped again
 * after it is stored, so old values are not retained.
 */
final class ConversionCache {
  private final Supplier<SecretsSnapshot> current;
  private final Cache<ConversionKey, Object> conversions;
  private final boolean cacheEnabled;

  ConversionCache(Supplier<SecretsSnapshot> current, long maximumSize) {
    this.current = current;
    this.conversions = Caffeine.newBuilder().maximumSize(maximumSize).build();
    this.cacheEnabled = maximumSize > 0;
  }

  DatabaseCredentials cached(SecretsSnapshot snapshot, String id,
      java.util.function.Supplier<DatabaseCredentials> reader) {
    ConversionKey cacheKey = new ConversionKey(id, snapshot.revision(), Conversion.CREDENTIALS);
    if (!cacheEnabled) {
      return reader.get();
    }
    DatabaseCredentials credentials =
        (DatabaseCredentials) conversions.get(cacheKey, k -> reader.get());
    if (current.get().revision() != snapshot.revision()) {
      conversions.invalidate(cacheKey);
    }
    return credentials;
  }

  @SuppressWarnings("unchecked")
  <T> T convert(String key, Conversion conversion, Function<String, T> function) {
    SecretsSnapshot snapshot = current.get();
    SecretValue value = snapshot.require(key);
    String text = snapshot.text(key, value);
    ConversionKey cacheKey = new ConversionKey(key, value.version, conversion);
    if (!cacheEnabled) {
      return function.apply(text);
    }
    T result = (T) conversions.get(cacheKey, k -> function.apply(text));
    SecretsSnapshot now0 = current.get();
    if (now0.value(key) != value && now0 != snapshot) {
      SecretValue now = now0.value(key);
      if (now == null || now.version != value.version) {
        conversions.invalidate(cacheKey);
      }
    }
    return result;
  }

  /** Cache key of a conversion: key, version and type. */
  private record ConversionKey(String key, long version, Conversion conversion) {}

  enum Conversion { INT, LONG, BOOLEAN, DURATION, BASE64, CREDENTIALS }

  /** Drops the cached conversions of keys a swap changed or removed. */
  void dropConversions(SnapshotAssembler.Assembly assembly) {
    conversions.asMap().keySet().removeIf(k -> k.conversion() == Conversion.CREDENTIALS
        || assembly.changed.contains(k.key()) || assembly.removed.contains(k.key()));
  }
}
