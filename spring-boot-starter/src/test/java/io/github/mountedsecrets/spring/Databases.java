package io.github.mountedsecrets.spring;

import io.github.mountedsecrets.test.EmbeddedDatabase;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One real PostgreSQL server (which checks passwords) shared by every test class of the run,
 * started on first use and stopped when the JVM exits; user names are unique per call.
 */
final class Databases {
  private static final AtomicInteger USERS = new AtomicInteger();
  private static EmbeddedDatabase database;

  private Databases() {}

  static synchronized EmbeddedDatabase get() {
    if (database == null) {
      database = EmbeddedDatabase.start();
      EmbeddedDatabase started = database;
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "embedded-postgres-stop"));
    }
    return database;
  }

  /** Returns a user name no other test uses. */
  static String newUser(String prefix) {
    return prefix + "_" + USERS.incrementAndGet();
  }
}
