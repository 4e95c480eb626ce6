package io.github.mountedsecrets.examples.kubernetes;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Navigation in the untyped trees SnakeYAML builds (maps, lists, scalars), without unchecked
 * casts: a missing step gives {@code null}, an empty map or an empty list, never an exception.
 */
final class Tree {
  private Tree() {
  }

  /** Returns the node at the path of map keys, or null when a step is missing or not a map. */
  static Object at(Object node, String... path) {
    Object current = node;
    for (String step : path) {
      if (!(current instanceof Map<?, ?>)) {
        return null;
      }
      current = ((Map<?, ?>) current).get(step);
    }
    return current;
  }

  /** Returns the map at the path, or an empty map. */
  static Map<?, ?> map(Object node, String... path) {
    Object value = at(node, path);
    return value instanceof Map<?, ?> ? (Map<?, ?>) value : Map.of();
  }

  /** Returns the maps in the list at the path; other elements are skipped. */
  static List<Map<?, ?>> maps(Object node, String... path) {
    Object value = at(node, path);
    List<Map<?, ?>> maps = new ArrayList<>();
    if (value instanceof List<?>) {
      for (Object element : (List<?>) value) {
        if (element instanceof Map<?, ?>) {
          maps.add((Map<?, ?>) element);
        }
      }
    }
    return maps;
  }

  /** Returns the scalar at the path as text, or null when it is missing or not a scalar. */
  static String text(Object node, String... path) {
    Object value = at(node, path);
    return value == null || value instanceof Map<?, ?> || value instanceof List<?>
        ? null : String.valueOf(value);
  }
}
