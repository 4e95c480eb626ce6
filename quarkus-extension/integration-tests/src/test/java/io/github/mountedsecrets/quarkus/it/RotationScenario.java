package io.github.mountedsecrets.quarkus.it;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.AgroalPoolInterceptor;
import io.github.mountedsecrets.test.EmbeddedDatabase;
import io.quarkus.arc.Arc;
import io.github.mountedsecrets.test.SecretsMount;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * The benchmark's workload, the same for every application: queries from four threads while
 * the credentials rotate with the alternating-users strategy (create the next user, write its
 * pair to the mount, drop the previous user after a grace period). Measures how long after
 * the write on disk a query is first served by a connection of the new user, and how many
 * queries fail.
 */
final class RotationScenario {
  static final int THREADS = 4;
  static final int ROTATIONS = 10;
  static final long GRACE_MILLIS = 2_000;
  private static final Logger LOG = Logger.getLogger(RotationScenario.class);
  static final Path RESULTS = Path.of("target/quarkus-rotation-benchmark.txt");

  private RotationScenario() {}

  static String run(String application, QueryService queries) {
    EmbeddedDatabase database = PostgresMountResource.database;
    SecretsMount mount = PostgresMountResource.mount;
    List<Long> switchMillis = new ArrayList<>();
    List<Long> createMillis = new ArrayList<>();
    List<Long> destroyMillis = new ArrayList<>();
    PoolTimeline timeline = new PoolTimeline();
    AgroalDataSource dataSource = Arc.container().instance(AgroalDataSource.class).get();
    List<AgroalPoolInterceptor> interceptors;
    try {
      interceptors = dataSource.getPoolInterceptors();
    } catch (NullPointerException e) {
      interceptors = List.of(); // Agroal 3.2 throws here while none were ever set
    }
    List<AgroalPoolInterceptor> withTimeline = new ArrayList<>(interceptors);
    withTimeline.add(timeline);
    dataSource.setPoolInterceptors(withTimeline);
    int poolSize = ConfigProvider.getConfig()
        .getOptionalValue("quarkus.datasource.jdbc.max-size", Integer.class).orElse(20);
    long succeeded;
    List<String> failures;
    long succeededAtFirstDrop = -1;
    int failedAtFirstDrop = -1;
    try (Load load = Load.start(queries, THREADS)) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
      String old = "app_r0";
      for (int i = 1; i <= ROTATIONS; i++) {
        String next = "bench_r" + i;
        String password = Canaries.next();
        database.createUser(next, password);
        long start = System.nanoTime();
        mount.publish(Map.of("DB_USER", next, "DB_PASSWORD", password));
        LOG.debugf("rotation %d: %s written", i, next);
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(GRACE_MILLIS);
        boolean switched = false;
        while (System.nanoTime() < deadline) {
          if (!switched && next.equals(load.lastUser())) {
            switched = true;
            switchMillis.add((System.nanoTime() - start) / 1_000_000);
            LOG.debugf("rotation %d: first query as %s", i, next);
          }
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        long created = timeline.first(start, true, next);
        if (created >= 0) {
          createMillis.add((created - start) / 1_000_000);
        }
        long destroyed = timeline.first(start, false, old);
        if (destroyed >= 0) {
          destroyMillis.add((destroyed - start) / 1_000_000);
        }
        if (succeededAtFirstDrop < 0) {
          succeededAtFirstDrop = load.succeeded();
          failedAtFirstDrop = load.failures().size();
        }
        database.dropUser(old);
        old = next;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
      succeeded = load.succeeded();
      failures = load.failures();
    }
    Collections.sort(switchMillis);
    Collections.sort(createMillis);
    Collections.sort(destroyMillis);
    String errorTypes = failures.stream().map(f -> f.substring(0, Math.max(0, f.indexOf(':'))))
        .distinct().sorted().reduce((a, b) -> a + ", " + b).orElse("none");
    String line = String.format(
        "%s (pool %d, %d threads, pause %d us): rotations %d, new credentials in use after %d of"
            + " them, rotation on disk to a query on a new connection: %s; to the first old"
            + " connection closed: %s; to the first new connection opened: %s; all: %s;"
            + " queries before the first old user was dropped: %d ok, %d failed; after: %d ok,"
            + " %d failed (%s)",
        application, poolSize, THREADS, Load.PAUSE_MICROS, ROTATIONS, switchMillis.size(),
        medianMax(switchMillis), medianMax(destroyMillis), medianMax(createMillis), switchMillis,
        succeededAtFirstDrop, failedAtFirstDrop, succeeded - succeededAtFirstDrop,
        failures.size() - failedAtFirstDrop, errorTypes);
    dataSource.setPoolInterceptors(interceptors);
    System.out.println(line);
    try {
      Files.writeString(RESULTS, line + System.lineSeparator(), StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return line;
  }

  private static String medianMax(List<Long> sortedMillis) {
    return sortedMillis.isEmpty() ? "never" : "median " + sortedMillis.get((sortedMillis.size() - 1) / 2)
        + " ms, max " + sortedMillis.get(sortedMillis.size() - 1) + " ms";
  }
}
