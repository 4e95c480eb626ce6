package io.github.mountedsecrets.examples.kubernetes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Just enough of Terraform's HCL for text-level checks: comments stripped, blocks found by
 * their header with braces matched (braces inside strings ignored), attributes read as raw
 * expressions, string literals listed. It does not evaluate anything; terraform validate does
 * that and is not available to this build.
 *
 * @param text the configuration without comments
 */
record Hcl(String text) {
  private static final Pattern STRING = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final Pattern LOCAL = Pattern.compile("\\$\\{local\\.(\\w+)}");

  /** Reads and concatenates every {@code .tf} file of a directory, in name order. */
  static Hcl load(Path directory) {
    StringBuilder all = new StringBuilder();
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".tf")).sorted().toList()) {
        all.append(Manifest.read(file)).append('\n');
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return of(all.toString());
  }

  /** Parses configuration text. */
  static Hcl of(String source) {
    return new Hcl(stripComments(source));
  }

  private static String stripComments(String source) {
    StringBuilder out = new StringBuilder();
    for (String line : source.split("\n", -1)) {
      boolean inString = false;
      int cut = line.length();
      for (int i = 0; i < line.length(); i++) {
        char c = line.charAt(i);
        if (inString) {
          if (c == '\\') {
            i++;
          } else if (c == '"') {
            inString = false;
          }
        } else if (c == '"') {
          inString = true;
        } else if (c == '#' || c == '/' && i + 1 < line.length() && line.charAt(i + 1) == '/') {
          cut = i;
          break;
        }
      }
      out.append(line, 0, cut).append('\n');
    }
    return out.toString();
  }

  /** Returns the bodies of the blocks whose header matches the pattern (which ends at the "{"). */
  List<String> blocks(String headerPattern) {
    return blocks(text, headerPattern);
  }

  /** Returns the bodies of the blocks of a resource or data type, by their label. */
  Map<String, String> labelled(String keyword, String type) {
    Map<String, String> bodies = new LinkedHashMap<>();
    Matcher matcher = Pattern.compile(keyword + "\\s+\"" + Pattern.quote(type) + "\"\\s+\"([\\w-]+)\"\\s*\\{")
        .matcher(text);
    while (matcher.find()) {
      bodies.put(matcher.group(1), body(text, matcher.end()));
    }
    return bodies;
  }

  static List<String> blocks(String text, String headerPattern) {
    List<String> bodies = new ArrayList<>();
    Matcher matcher = Pattern.compile(headerPattern).matcher(text);
    while (matcher.find()) {
      bodies.add(body(text, matcher.end()));
    }
    return bodies;
  }

  private static String body(String text, int start) {
    int depth = 1;
    boolean inString = false;
    for (int i = start; i < text.length(); i++) {
      char c = text.charAt(i);
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '{') {
        depth++;
      } else if (c == '}' && --depth == 0) {
        return text.substring(start, i);
      }
    }
    throw new IllegalArgumentException("unbalanced braces after: "
        + text.substring(start, Math.min(text.length(), start + 80)));
  }

  /** Returns the raw expression of an attribute at the top level of a block body, or null. */
  static String attribute(String body, String name) {
    if (body == null) {
      return null;
    }
    Matcher matcher = Pattern.compile("(?m)^\\s*" + Pattern.quote(name) + "\\s*=\\s*(.+?)\\s*$").matcher(topLevel(body));
    return matcher.find() ? matcher.group(1) : null;
  }

  /** Returns the body with nested blocks removed, so that only its own attributes remain. */
  static String topLevel(String body) {
    StringBuilder out = new StringBuilder();
    int depth = 0;
    boolean inString = false;
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (inString) {
        if (c == '\\' && i + 1 < body.length()) {
          if (depth == 0) {
            out.append(c).append(body.charAt(i + 1));
          }
          i++;
          continue;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '{') {
        depth++;
        continue;
      } else if (c == '}') {
        depth--;
        continue;
      }
      if (depth == 0) {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** Returns the string literals of an expression or body, unquoted. */
  static List<String> strings(String expression) {
    List<String> values = new ArrayList<>();
    Matcher matcher = STRING.matcher(expression == null ? "" : expression);
    while (matcher.find()) {
      values.add(matcher.group(1));
    }
    return values;
  }

  /** Returns the {@code locals} of every locals block whose value is one string literal. */
  Map<String, String> locals() {
    Map<String, String> locals = new LinkedHashMap<>();
    for (String body : blocks("(?m)^\\s*locals\\s*\\{")) {
      Matcher matcher = Pattern.compile("(?m)^\\s*(\\w+)\\s*=\\s*\"([^\"$]*)\"\\s*$").matcher(topLevel(body));
      while (matcher.find()) {
        locals.put(matcher.group(1), matcher.group(2));
      }
    }
    return locals;
  }

  /**
   * Resolves an expression that is a string literal, {@code local.name}, or a string literal
   * whose only interpolations are locals ({@code "${local.name}-suffix"}); else returns null.
   */
  String resolve(String expression) {
    if (expression == null) {
      return null;
    }
    String trimmed = expression.trim();
    if (trimmed.matches("\"[^\"$]*\"")) {
      return trimmed.substring(1, trimmed.length() - 1);
    }
    if (trimmed.matches("local\\.\\w+")) {
      return locals().get(trimmed.substring("local.".length()));
    }
    if (trimmed.matches("\"([^\"$]|\\$\\{local\\.\\w+})*\"")) {
      Matcher local = LOCAL.matcher(trimmed.substring(1, trimmed.length() - 1));
      StringBuilder resolved = new StringBuilder();
      Map<String, String> locals = locals();
      while (local.find()) {
        String value = locals.get(local.group(1));
        if (value == null) {
          return null;
        }
        local.appendReplacement(resolved, Matcher.quoteReplacement(value));
      }
      local.appendTail(resolved);
      return resolved.toString();
    }
    return null;
  }
}
