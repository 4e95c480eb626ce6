package io.github.mountedsecrets.quarkus.it;

import java.util.UUID;

/** Passwords are canaries: each starts with {@link #PREFIX}, and none may be printed. */
final class Canaries {
  static final String PREFIX = "canary-";
  static final String DATABASE_PROPERTY = "mounted-secrets.it.database";
  static final String MOUNT_PROPERTY = "mounted-secrets.it.mount";

  private Canaries() {}

  static String next() {
    return PREFIX + UUID.randomUUID();
  }
}
