package io.github.mountedsecrets.rotation;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.mountedsecrets.DatabaseCredentials;
import io.github.mountedsecrets.LogCapture;
import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.EmbeddedDatabase;
import io.github.mountedsecrets.test.SecretsMount;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.apache.commons.dbcp2.PoolableConnection;
import org.apache.commons.dbcp2.PoolableConnectionFactory;
import org.apache.commons.dbcp2.PoolingDataSource;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.GenericObjectPool;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A pool the adapters do not know, Apache Commons DBCP2, rotated through the toolkit with
 * the README's recipe while four threads query without pause: AWS-style alternating users
 * ({@code orders_app}, {@code orders_app_clone}), both mount layouts, no failed query, and
 * after each rotation every query is served by the new user and the old one has no session.
 * The pool has fewer connections than threads, so borrowers also wait for each other.
 */
@Timeout(240)
class Dbcp2RotationUnderLoadTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int THREADS = 4;
  private static final int ROTATIONS = 4;
  private static EmbeddedDatabase database;

  @TempDir Path temp;

  @BeforeAll
  static void startDatabase() {
    database = EmbeddedDatabase.start();
    database.createUser("orders_app", "CANARY-orders-0");
    database.createUser("orders_app_clone", "CANARY-clone-0");
  }

  @AfterAll
  static void stopDatabase() {
    if (database != null) {
      database.close();
    }
  }

  /**
   * The README's "Any other pool" recipe. DBCP2 reads its user and password once, when the
   * pool starts ({@code BasicDataSource.setPassword} does nothing afterwards), and its
   * {@code restart()} closes the pool under threads that already hold it. So the pool is
   * built from DBCP2's parts: each new connection asks the rotation for the pair, and an
   * eviction closes the idle connections and marks the busy ones to be closed when returned.
   */
  static final class RotatingDbcp2Pool implements PoolSwitch, AutoCloseable {
    final PoolingDataSource<PoolableConnection> dataSource;
    final CredentialsRotation rotation;
    private final String url;
    private final GenericObjectPool<PoolableConnection> pool;
    private volatile Instant retireBefore = Instant.MIN;

    RotatingDbcp2Pool(MountedSecrets secrets, String url) {
      this.url = url;
      PoolableConnectionFactory factory = new PoolableConnectionFactory(this::open, null) {
        @Override
        public void passivateObject(PooledObject<PoolableConnection> p) throws SQLException {
          if (p.getCreateInstant().isBefore(retireBefore)) {
            throw new SQLException("opened before the credentials switched");  // closed, not pooled
          }
          super.passivateObject(p);
        }
      };
      pool = new GenericObjectPool<>(factory);
      factory.setPool(pool);
      dataSource = new PoolingDataSource<>(pool);
      rotation = CredentialsRotation.builder(secrets).name("orders")
          .keys("DB_USER", "DB_PASSWORD")
          .verifier(JdbcVerifier.of(url).withTimeout(openingBound()))
          .pool(this)
          .build();
    }

    private Connection open() throws SQLException {
      DatabaseCredentials credentials = rotation.handOut();  // asked for each new connection
      return DriverManager.getConnection(url, credentials.username(), credentials.password());
    }

    @Override
    public void evict() {
      retireBefore = Instant.now();
      pool.clear();
    }

    @Override
    public Duration openingBound() {
      return Duration.ofSeconds(5);
    }

    @Override
    public void close() {
      rotation.close();
      pool.close();
    }
  }

  private static Map<String, Object> pair(String user, String password) {
    return Map.of("DB_USER", user, "DB_PASSWORD", password);
  }

  @ParameterizedTest
  @EnumSource(SecretsMount.Layout.class)
  void fourThreadsQueryWithoutAFailureWhileTheUsersAlternate(SecretsMount.Layout layout) throws Exception {
    database.setPassword("orders_app", "CANARY-orders-0");
    SecretsMount mount = SecretsMount.create(layout, temp.resolve("m"))
        .publish(pair("orders_app", "CANARY-orders-0"));
    AtomicLong queries = new AtomicLong();
    AtomicLong failures = new AtomicLong();
    List<String> failureTypes = new CopyOnWriteArrayList<>();
    Map<String, AtomicLong> byUser = new ConcurrentHashMap<>();
    AtomicReferenceArray<String> lastUser = new AtomicReferenceArray<>(THREADS);
    List<Long> switchMillis = new ArrayList<>();
    List<Long> drainMillis = new ArrayList<>();
    List<Thread> workers = new ArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    try (LogCapture logs = LogCapture.capture();
        MountedSecrets secrets = MountedSecrets.builder().directory(mount.directory()).build();
        // The opening bound: PostgreSQL's loginTimeout, in seconds.
        RotatingDbcp2Pool pool = new RotatingDbcp2Pool(secrets, database.jdbcUrl() + "?loginTimeout=5")) {
      // Fewer connections than threads: borrowers wait for each other, and an eviction must
      // not fail them (DBCP2's BasicDataSource.restart() interrupts waiting borrowers).
      pool.pool.setMaxTotal(THREADS - 1);
      for (int i = 0; i < THREADS; i++) {
        int slot = i;
        Thread worker = new Thread(() -> {
          while (!stop.get()) {
            try (Connection connection = pool.dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("select current_user, pg_sleep(0.002)")) {
              rs.next();
              String user = rs.getString(1);
              lastUser.set(slot, user);
              byUser.computeIfAbsent(user, u -> new AtomicLong()).incrementAndGet();
              queries.incrementAndGet();
            } catch (SQLException | RuntimeException e) {
              failures.incrementAndGet();
              failureTypes.add(RotationStatus.describe(e));
            }
          }
        }, "dbcp2-load-" + i);
        worker.start();
        workers.add(worker);
      }
      Await.until(WAIT, () -> queries.get() > 200, () -> "load running");

      String current = "orders_app";
      for (int rotation = 1; rotation <= ROTATIONS; rotation++) {
        // AWS alternating users: give the other user a new password, then publish it.
        String next = current.equals("orders_app") ? "orders_app_clone" : "orders_app";
        String password = "CANARY-" + next + "-" + rotation;
        database.setPassword(next, password);
        long published = System.nanoTime();
        mount.publish(pair(next, password));
        Await.until(WAIT, () -> pool.rotation.current().username().equals(next),
            () -> "switch to " + next + ", status " + pool.rotation.status());
        switchMillis.add((System.nanoTime() - published) / 1_000_000);
        String old = current;
        Await.until(WAIT, () -> database.sessions(old) == 0 && allEqual(lastUser, next),
            () -> "sessions of " + old + " retired, last users " + lastUser);
        drainMillis.add((System.nanoTime() - published) / 1_000_000);
        long servedByNew = byUser.get(next).get();
        Await.until(WAIT, () -> byUser.get(next).get() > servedByNew + 100, () -> "queries go on");
        assertThat(database.sessions(old)).as("no connection of %s came back", old).isZero();
        current = next;
      }
      stop.set(true);
      for (Thread worker : workers) {
        worker.join(WAIT.toMillis());
      }
      assertThat(failures.get()).as("failed queries: %s", failureTypes).isZero();
      assertThat(pool.rotation.status().switches()).isEqualTo(ROTATIONS);
      assertThat(pool.rotation.status().state()).isEqualTo(RotationState.IN_SYNC);
      System.out.printf("DBCP2 %s: %d queries, %d failed, by user %s; publish-to-switch ms %s; "
          + "publish-to-old-user-gone ms %s%n", layout, queries.get(), failures.get(), byUser,
          switchMillis, drainMillis);
      String printed = logs.everything() + pool.rotation + pool.rotation.status();
      assertThat(printed).doesNotContain("CANARY");
    } finally {
      stop.set(true);
    }
  }

  private static boolean allEqual(AtomicReferenceArray<String> values, String expected) {
    for (int i = 0; i < values.length(); i++) {
      if (!expected.equals(values.get(i))) {
        return false;
      }
    }
    return true;
  }
}
