package io.github.mountedsecrets;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeSet;

/**
 * A main class for the child JVMs of {@link HostileMountChildProcessTest}: builds a reader on
 * the mount named by its argument, prints what it sees, then obeys {@code status},
 * {@code reload} and {@code exit} read from standard input. Every answer ends with a line
 * {@code END}. Keys and reasons are printed escaped (ASCII only), so the parent can read them
 * whatever the child's locale.
 */
final class HostileMountChild {
  private HostileMountChild() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    MountedSecrets secrets;
    try {
      secrets = MountedSecrets.builder().directory(dir).watch(false)
          .pollInterval(Duration.ofHours(1)).quietPeriod(Duration.ofMillis(10)).build();
      System.out.println("BUILD=ok");
    } catch (RuntimeException e) {
      System.out.println("BUILD=failed " + e.getClass().getSimpleName() + ": "
          + ascii(String.valueOf(e.getMessage())));
      System.out.println("END");
      System.out.flush();
      return;
    }
    print(secrets);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.equals("exit")) {
        break;
      }
      if (line.equals("reload")) {
        try {
          secrets.reload();
          System.out.println("RELOAD=ok");
        } catch (RuntimeException e) {
          System.out.println("RELOAD=failed " + e.getClass().getSimpleName());
        }
      }
      print(secrets);
    }
    secrets.close();
  }

  private static String ascii(String text) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c > 0x7e || c == '\\') {
        sb.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private static void print(MountedSecrets secrets) {
    MountStatus status = secrets.status();
    System.out.println("STATE=" + status.state());
    System.out.println("REASON=" + ascii(status.failureReason().orElse("")));
    StringBuilder keys = new StringBuilder();
    for (String key : new TreeSet<>(secrets.snapshot().keys())) {
      keys.append(keys.length() == 0 ? "" : ",").append(ascii(key));
    }
    System.out.println("KEYS=" + keys);
    StringBuilder invalid = new StringBuilder();
    for (Map.Entry<String, String> entry : status.invalidFiles().entrySet()) {
      invalid.append(invalid.length() == 0 ? "" : "|").append(ascii(entry.getKey()))
          .append(": ").append(ascii(entry.getValue()));
    }
    System.out.println("INVALID=" + invalid);
    System.out.println("INVALID_COUNT=" + status.invalidFiles().size());
    System.out.println("OTHER=" + ascii(secrets.find("OTHER").orElse("<absent>")));
    System.out.println("END");
    System.out.flush();
  }
}
