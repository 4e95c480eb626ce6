package io.github.mountedsecrets;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Helpers for key and file names in messages: escaping and close-match suggestions. */
final class Names {
  private static final int MAX_SUGGESTIONS = 5;

  private Names() {}

  /**
   * Returns the name with control characters escaped, so that a file name cannot forge a
   * log line. Names are not secrets; values never pass through here.
   */
  static String printable(String name) {
    StringBuilder sb = null;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || isInvisibleFormat(c)) {
        if (sb == null) {
          sb = new StringBuilder(name.length() + 8).append(name, 0, i);
        }
        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else if (sb != null) {
        sb.append(c);
      }
    }
    return sb == null ? name : sb.toString();
  }

  /** Line and paragraph separators and bidirectional controls, which can disguise a name. */
  private static boolean isInvisibleFormat(char c) {
    return c == '\u2028' || c == '\u2029' || c == '\u200e' || c == '\u200f'
        || (c >= '\u202a' && c <= '\u202e') || (c >= '\u2066' && c <= '\u2069');
  }

  /** Returns up to five known keys that look like the wanted one, closest first. */
  static List<String> closeMatches(String wanted, Collection<String> keys) {
    String lowerWanted = wanted.toLowerCase(Locale.ROOT);
    int limit = Math.max(2, wanted.length() / 4);
    List<Scored> scored = new ArrayList<>();
    for (String key : keys) {
      String lowerKey = key.toLowerCase(Locale.ROOT);
      int score;
      if (lowerKey.equals(lowerWanted)) {
        score = 0;
      } else if (lowerWanted.length() >= 3 && lowerKey.startsWith(lowerWanted)) {
        score = 1;
      } else {
        score = distance(lowerWanted, lowerKey, limit);
        if (score > limit) {
          if (lowerKey.endsWith("." + lowerWanted) || lowerKey.endsWith("/" + lowerWanted)
              || lowerWanted.endsWith("." + lowerKey)) {
            score = limit + 1;
          } else {
            continue;
          }
        }
      }
      scored.add(new Scored(key, score));
    }
    scored.sort(Comparator.comparingInt(Scored::score).thenComparing(Scored::key));
    List<String> result = new ArrayList<>();
    for (int i = 0; i < scored.size() && i < MAX_SUGGESTIONS; i++) {
      result.add(scored.get(i).key());
    }
    return result;
  }

  private record Scored(String key, int score) {}

  /** Levenshtein distance, abandoned early once it exceeds the limit. */
  static int distance(String a, String b, int limit) {
    if (Math.abs(a.length() - b.length()) > limit) {
      return limit + 1;
    }
    int[] prev = new int[b.length() + 1];
    int[] curr = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      curr[0] = i;
      int rowMin = curr[0];
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        curr[j] = Math.min(Math.min(curr[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
        rowMin = Math.min(rowMin, curr[j]);
      }
      if (rowMin > limit) {
        return limit + 1;
      }
      int[] swap = prev;
      prev = curr;
      curr = swap;
    }
    return prev[b.length()];
  }
}
