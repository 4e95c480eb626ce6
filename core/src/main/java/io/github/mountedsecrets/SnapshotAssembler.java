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

/**
 * Turns a {@link MountReader.Scan} into the next {@link SecretsSnapshot}: decodes text,
 * trims, flattens JSON objects, keeps the last good value of every file that could not be
 * read, assigns versions and works out what changed.
 */
final class SnapshotAssembler {
  private static final JsonFactory JSON = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();

  private final Path directory;
  private final boolean flattenJson;
  private final boolean trimTrailingNewline;

  SnapshotAssembler(Path directory, boolean flattenJson, boolean trimTrailingNewline) {
    this.directory = directory;
    this.flattenJson = flattenJson;
    this.trimTrailingNewline = trimTrailingNewline;
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

  Assembly assemble(MountReader.Scan scan, SecretsSnapshot previous, Instant now) {
    long nextRevision = previous.revision() + 1;
    Map<String, String> invalid = new TreeMap<>(scan.problems);
    Map<String, SecretValue> files = new LinkedHashMap<>();
    Map<String, SecretValue> fields = new LinkedHashMap<>();
    Set<String> keepFieldsOf = new HashSet<>();
    Set<String> keepAllOf = new HashSet<>();

    for (Map.Entry<String, byte[]> entry : scan.files.entrySet()) {
      String file = entry.getKey();
      byte[] bytes = entry.getValue();
      if (bytes.length == 0) {
        SecretValue last = previous.value(file);
        if (last != null && last.origin == SecretValue.Origin.FILE && last.bytes.length > 0) {
          invalid.put(file, "is empty; its last good value is kept");
          keepAllOf.add(file);
          continue;
        }
        invalid.put(file, "is empty");
      }
      String raw = SecretsSnapshot.decode(bytes);
      if (raw == null) {
        invalid.put(file, "is not valid UTF-8; its bytes are served, reading it as text fails");
        keepFieldsOf.add(file);
        files.put(file, new SecretValue(bytes, null, 0, file, SecretValue.Origin.FILE));
        continue;
      }
      files.put(file, new SecretValue(bytes, trim(raw), 0, file, SecretValue.Origin.FILE));
      if (flattenJson && looksLikeJsonObject(raw)) {
        Map<String, String> flat = new LinkedHashMap<>();
        String error = flatten(bytes, file, flat);
        if (error != null) {
          invalid.put(file, error);
          keepFieldsOf.add(file);
        } else {
          for (Map.Entry<String, String> field : flat.entrySet()) {
            byte[] fieldBytes = field.getValue().getBytes(StandardCharsets.UTF_8);
            fields.put(field.getKey(), new SecretValue(fieldBytes, field.getValue(), 0, file,
                SecretValue.Origin.JSON_FIELD));
          }
        }
      }
    }
    for (String problemFile : scan.problems.keySet()) {
      keepAllOf.add(problemFile);
    }

    Map<String, SecretValue> next = new HashMap<>();
    // Last good values first, so that fresh content read now replaces them where present.
    for (Map.Entry<String, SecretValue> old : previous.values().entrySet()) {
      SecretValue value = old.getValue();
      if (keepAllOf.contains(value.file) || underProblemDirectory(value.file, scan.problems)
          || (value.origin == SecretValue.Origin.JSON_FIELD && keepFieldsOf.contains(value.file))) {
        next.put(old.getKey(), value);
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
            ? before : now2.withVersion(before.version, before.changedAt));
      } else {
        changed.add(entry.getKey());
        entry.setValue(now2.withVersion(nextRevision, now));
      }
    }
    Set<String> removed = new HashSet<>();
    for (String key : previous.values().keySet()) {
      if (!next.containsKey(key)) {
        removed.add(key);
      }
    }
    boolean anyChange = !added.isEmpty() || !changed.isEmpty() || !removed.isEmpty();
    SecretsSnapshot snapshot = new SecretsSnapshot(directory, scan.layout, scan.generation,
        anyChange ? nextRevision : previous.revision(), now, next);
    return new Assembly(snapshot, added, changed, removed, invalid, shadowed);
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

  /**
   * Flattens a JSON object into {@code file.field} keys. Returns null on success, else a
   * reason that names the position but never the content (parser messages quote content,
   * so they are not used).
   */
  static String flatten(byte[] json, String file, Map<String, String> out) {
    try (JsonParser parser = JSON.createParser(json)) {
      JsonToken first = parser.nextToken();
      if (first != JsonToken.START_OBJECT) {
        return "is not a JSON object; raw text is served";
      }
      flattenValue(parser, first, file, out);
      if (parser.nextToken() != null) {
        return "has content after its JSON object; raw text is served, fields keep their last good values";
      }
      return null;
    } catch (JsonProcessingException e) {
      JsonLocation location = e.getLocation();
      String original = e.getOriginalMessage();
      if (original != null && original.startsWith("Duplicate field")) {
        String at = location == null ? "" : " at line " + location.getLineNr() + ", column "
            + location.getColumnNr();
        return "is not valid JSON: a field appears twice" + at
            + "; raw text is served, fields keep their last good values";
      }
      String where = location == null ? ""
          : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
      return "is not valid JSON" + where + "; raw text is served, fields keep their last good values";
    } catch (IOException e) {
      return "could not be parsed as JSON (" + e.getClass().getSimpleName() + ")";
    }
  }

  private static void flattenValue(JsonParser parser, JsonToken token, String path,
      Map<String, String> out) throws IOException {
    if (token == null) {
      throw new IOException("JSON ends early");
    }
    switch (token) {
      case START_OBJECT:
        for (JsonToken t = parser.nextToken(); t == JsonToken.FIELD_NAME; t = parser.nextToken()) {
          String name = parser.currentName();
          flattenValue(parser, parser.nextToken(), path + "." + name, out);
        }
        break;
      case START_ARRAY:
        int index = 0;
        for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY && t != null;
            t = parser.nextToken()) {
          flattenValue(parser, t, path + "[" + index++ + "]", out);
        }
        break;
      case VALUE_STRING:
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
      case VALUE_TRUE:
      case VALUE_FALSE:
        out.put(path, parser.getText());
        break;
      case VALUE_NULL:
        break;
      default:
        throw new IOException("unexpected token " + token);
    }
  }
}
