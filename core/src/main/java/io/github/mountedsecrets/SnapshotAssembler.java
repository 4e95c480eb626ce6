package io.github.mountedsecrets;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns a {@link Scan} into the next {@link SecretsSnapshot}: decodes text,
 * trims, flattens JSON objects, keeps the last good value of every file that could not be
 * read, assigns versions and works out what changed.
 */
final class SnapshotAssembler {
  /**
   * The longest path of a flattened field after the file's name ({@code .a.b[0]}), in
   * characters. Each key repeats the names above it, so without a bound a small file with one
   * long name above many fields would yield keys many times its size.
   */
  static final int MAX_JSON_FIELD_PATH = 1_024;

  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  private final Path directory;
  private final boolean flattenJson;
  private final boolean trimTrailingNewline;
  private final JsonLimits limits;

  /** How far JSON flattening may go: fields per file, fields in all, nesting. */
  record JsonLimits(int keysPerFile, int keys, int depth) {}

  SnapshotAssembler(Path directory, boolean flattenJson, boolean trimTrailingNewline,
      JsonLimits limits) {
    this.directory = directory;
    this.flattenJson = flattenJson;
    this.trimTrailingNewline = trimTrailingNewline;
    this.limits = limits;
  }

  /** The next snapshot and what differs from the previous one. */
  static final class Assembly {
    final SecretsSnapshot snapshot;
    final Set<String> added;
    final Set<String> changed;
    final Set<String> removed;
    /** Files with a problem: relative name to a reason that never contains a value. */
    final Map<String, String> invalidFiles;
    /** Keys that a file and a JSON field both claimed; the file won. */
    final Set<String> shadowedFields;

    Assembly(SecretsSnapshot snapshot, Set<String> added, Set<String> changed,
        Set<String> removed, Map<String, String> invalidFiles, Set<String> shadowedFields) {
      this.snapshot = snapshot;
      this.added = added;
      this.changed = changed;
      this.removed = removed;
      this.invalidFiles = invalidFiles;
      this.shadowedFields = shadowedFields;
    }

    boolean hasChanges() {
      return !added.isEmpty() || !changed.isEmpty() || !removed.isEmpty();
    }
  }

  /**
   * Builds the next snapshot from a scan. Where files are written one by one (the plain-file
   * layout), a file that is empty, unreadable, too large or changing keeps its last good
   * value, marked as substituted. An atomic-writer generation is served exactly as written:
   * its entries that cannot be served are left out, never filled in from an older generation.
   */
  Assembly assemble(Scan scan, SecretsSnapshot previous, Instant now) {
    boolean substitute = scan.layout == MountLayout.FILE_BY_FILE;
    long nextRevision = previous.revision() + 1;
    Map<String, String> invalid = new TreeMap<>(scan.problems);
    Map<String, SecretValue> files = new LinkedHashMap<>();
    Map<String, SecretValue> fields = new LinkedHashMap<>();
    Set<String> keepFieldsOf = new HashSet<>();
    Set<String> keepAllOf = new HashSet<>();
    int jsonKeysLeft = limits.keys();

    for (Map.Entry<String, byte[]> entry : scan.files.entrySet()) {
      String file = entry.getKey();
      byte[] bytes = entry.getValue();
      if (scan.changing.contains(file)) {
        continue; // Possibly torn: its last good value is kept below.
      }
      if (bytes.length == 0) {
        SecretValue last = previous.value(file);
        boolean hadValue = last != null && last.origin == SecretValue.Origin.FILE
            && last.bytes.length > 0;
        if (hadValue && substitute) {
          invalid.put(file, "is empty; its last good value is kept");
          keepAllOf.add(file);
          continue;
        }
        invalid.put(file, substitute ? "is empty"
            : "is empty; served as the empty string, as its generation holds it");
      }
      String raw = SecretsSnapshot.decode(bytes);
      if (raw == null) {
        invalid.put(file, "is not valid UTF-8; its bytes are served, reading it as text fails");
        keepFieldsOf.add(file);
        files.put(file, new SecretValue(bytes, null, 0, file, SecretValue.Origin.FILE));
        continue;
      }
      String text = raw.startsWith("\ufeff") ? raw.substring(1) : raw;
      files.put(file, new SecretValue(bytes, trim(text), 0, file, SecretValue.Origin.FILE));
      if (flattenJson && looksLikeJsonObject(text)) {
        Map<String, String> flat = new LinkedHashMap<>();
        Set<String> collisions = new TreeSet<>();
        String error = flatten(bytes, file, flat, collisions, limits);
        if (error == null && flat.size() > jsonKeysLeft) {
          error = "has " + flat.size() + " JSON fields, more than the mount's maxJsonKeys="
              + limits.keys() + " allows in all; raw text is served, its fields are not";
        }
        if (error != null) {
          invalid.put(file, error + (substitute && hasFields(previous, file)
              ? ", fields keep their last good values" : ""));
          keepFieldsOf.add(file);
          continue;
        }
        jsonKeysLeft -= flat.size();
        if (!collisions.isEmpty()) {
          invalid.put(file, "has JSON fields that flatten to the same key ("
              + printableKeys(collisions) + "); those keys are not served");
        }
        for (Map.Entry<String, String> field : flat.entrySet()) {
          byte[] fieldBytes = field.getValue().getBytes(StandardCharsets.UTF_8);
          fields.put(field.getKey(), new SecretValue(fieldBytes, field.getValue(), 0, file,
              SecretValue.Origin.JSON_FIELD));
        }
      }
    }
    keepAllOf.addAll(scan.problems.keySet());
    for (String file : scan.changing) {
      invalid.put(file, "kept changing while it was read; its last good value is kept");
      keepAllOf.add(file);
    }

    Map<String, SecretValue> next = new HashMap<>();
    if (substitute) {
      // Last good values first, so that fresh content read now replaces them where present.
      for (Map.Entry<String, SecretValue> old : previous.values().entrySet()) {
        SecretValue value = old.getValue();
        if (keepAllOf.contains(value.file) || underProblemDirectory(value.file, scan.problems)
            || (value.origin == SecretValue.Origin.JSON_FIELD && keepFieldsOf.contains(value.file))) {
          next.put(old.getKey(), value.asSubstitute());
        }
      }
    }
    Set<String> shadowed = new HashSet<>();
    for (Map.Entry<String, SecretValue> field : fields.entrySet()) {
      if (files.containsKey(field.getKey())) {
        shadowed.add(field.getKey());
      } else {
        next.put(field.getKey(), field.getValue());
      }
    }
    next.putAll(files);

    Set<String> added = new HashSet<>();
    Set<String> changed = new HashSet<>();
    for (Map.Entry<String, SecretValue> entry : next.entrySet()) {
      SecretValue before = previous.value(entry.getKey());
      SecretValue now2 = entry.getValue();
      if (before == null) {
        added.add(entry.getKey());
        entry.setValue(now2.withVersion(nextRevision, now));
      } else if (before == now2) {
        continue;
      } else if (before.sameContent(now2)) {
        entry.setValue(before.origin == now2.origin && before.file.equals(now2.file)
            && before.substituted == now2.substituted
            ? before : now2.withVersion(before.version, before.changedAt));
      } else {
        changed.add(entry.getKey());
        entry.setValue(now2.withVersion(nextRevision, now));
      }
    }
    Set<String> removed = new HashSet<>();
    for (Map.Entry<String, SecretValue> old : previous.values().entrySet()) {
      String key = old.getKey();
      if (!next.containsKey(key)) {
        removed.add(key);
        SecretValue value = old.getValue();
        if (value.origin == SecretValue.Origin.FILE && key.equals(value.file)
            && scan.directoryNames.contains(key) && !invalid.containsKey(key)) {
          invalid.put(key, "was a file and is now a directory; its key is removed and the "
              + "directory's files are read as '" + key + "/...' keys");
        }
      }
    }
    boolean anyChange = !added.isEmpty() || !changed.isEmpty() || !removed.isEmpty();
    SecretsSnapshot snapshot = new SecretsSnapshot(directory, scan.layout, scan.generation,
        anyChange ? nextRevision : previous.revision(), now, next);
    return new Assembly(snapshot, added, changed, removed, invalid, shadowed);
  }

  private static boolean hasFields(SecretsSnapshot previous, String file) {
    for (SecretValue value : previous.values().values()) {
      if (value.origin == SecretValue.Origin.JSON_FIELD && value.file.equals(file)) {
        return true;
      }
    }
    return false;
  }

  private static String printableKeys(Set<String> keys) {
    StringBuilder sb = new StringBuilder();
    int shown = 0;
    for (String key : keys) {
      if (shown == 5) {
        sb.append(", ...");
        break;
      }
      sb.append(shown++ == 0 ? "'" : ", '").append(Names.printable(key)).append('\'');
    }
    return sb.toString();
  }

  /** Whether a file lies below an entry that could not be read (a directory link gone bad). */
  private static boolean underProblemDirectory(String file, Map<String, String> problems) {
    for (int slash = file.indexOf('/'); slash > 0; slash = file.indexOf('/', slash + 1)) {
      if (problems.containsKey(file.substring(0, slash))) {
        return true;
      }
    }
    return false;
  }

  /** Trims one trailing newline from a single-line value, when trimming is on. */
  String trim(String text) {
    if (!trimTrailingNewline || !text.endsWith("\n")) {
      return text;
    }
    int end = text.length() - 1;
    if (end > 0 && text.charAt(end - 1) == '\r') {
      end--;
    }
    String body = text.substring(0, end);
    return body.indexOf('\n') >= 0 ? text : body;
  }

  private static boolean looksLikeJsonObject(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '{') {
        return true;
      }
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\ufeff') {
        return false;
      }
    }
    return false;
  }

  /** A limit on flattening was reached; the message says which. */
  private static final class LimitException extends IOException {
    private static final long serialVersionUID = 1L;

    LimitException(String message) {
      super(message, null);
    }
  }

  /**
   * Flattens a JSON object into {@code file.field} keys, within the limits. Returns null on
   * success, else a reason that names the position or the limit but never the content
   * (parser messages quote content, so they are not used). Keys that two fields flatten to
   * (such as {@code "a.b"} and {@code "a": {"b"}}) are left out and named in collisions.
   */
  static String flatten(byte[] json, String file, Map<String, String> out,
      Set<String> collisions, JsonLimits limits) {
    try (JsonParser parser = JSON.createParser(json)) {
      JsonToken first = parser.nextToken();
      if (first != JsonToken.START_OBJECT) {
        return "is not a JSON object; raw text is served";
      }
      flattenValue(parser, first, file, file.length() + MAX_JSON_FIELD_PATH, out, collisions,
          limits, 1);
      if (parser.nextToken() != null) {
        return "has content after its JSON object; raw text is served";
      }
      for (String key : collisions) {
        out.remove(key);
      }
      return null;
    } catch (LimitException e) {
      out.clear();
      return e.getMessage();
    } catch (JsonProcessingException e) {
      out.clear();
      JsonLocation location = e.getLocation();
      String where = location == null ? "" : " at line " + location.getLineNr() + ", column "
          + location.getColumnNr();
      String original = e.getOriginalMessage();
      if (original != null && original.startsWith("Duplicate field")) {
        return "is not valid JSON: a field appears twice" + where + "; raw text is served";
      }
      return "is not valid JSON" + where + "; raw text is served";
    } catch (IOException e) {
      out.clear();
      return "could not be parsed as JSON (" + e.getClass().getSimpleName() + ")";
    }
  }

  private static void flattenValue(JsonParser parser, JsonToken token, String path,
      int maxPathLength, Map<String, String> out, Set<String> collisions, JsonLimits limits,
      int depth) throws IOException {
    if (token == null) {
      throw new IOException("JSON ends early");
    }
    if (path.length() > maxPathLength) {
      throw new LimitException("has a JSON field path longer than " + MAX_JSON_FIELD_PATH
          + " characters; raw text is served, its fields are not");
    }
    switch (token) {
      case START_OBJECT:
      case START_ARRAY:
        if (depth > limits.depth()) {
          throw new LimitException("nests JSON deeper than maxJsonDepth=" + limits.depth()
              + "; raw text is served, its fields are not");
        }
        if (token == JsonToken.START_OBJECT) {
          for (JsonToken t = parser.nextToken(); t == JsonToken.FIELD_NAME; t = parser.nextToken()) {
            String name = parser.currentName();
            flattenValue(parser, parser.nextToken(), path + "." + name, maxPathLength, out,
                collisions, limits, depth + 1);
          }
        } else {
          int index = 0;
          for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY && t != null;
              t = parser.nextToken()) {
            flattenValue(parser, t, path + "[" + index++ + "]", maxPathLength, out, collisions,
                limits, depth + 1);
          }
        }
        break;
      case VALUE_STRING:
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
      case VALUE_TRUE:
      case VALUE_FALSE:
        if (out.putIfAbsent(path, parser.getText()) != null) {
          collisions.add(path);
        } else if (out.size() > limits.keysPerFile()) {
          throw new LimitException("has more than maxJsonKeysPerFile=" + limits.keysPerFile()
              + " JSON fields; raw text is served, its fields are not");
        }
        break;
      case VALUE_NULL:
        break;
      default:
        throw new IOException("unexpected token " + token);
    }
  }
}
