package io.github.mountedsecrets.quarkus.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.EmbeddedDatabase;
import io.quarkus.credentials.CredentialsProvider;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.sql.Connection;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * The race of a connection being opened while the pool switches: Agroal asks the provider for
 * credentials, connects, and only then adds the connection to the pool, on the requesting
 * thread while the flush runs on the pool's housekeeping thread. Here the opening is held on
 * purpose (by the proxy in front of the database) from before the mount changes until well
 * after the switch and its flush, so the connection joins the pool with the old user after
 * the flush. The extension must retire it anyway, without max-lifetime.
 */
@QuarkusTest
@QuarkusTestResource(value = HeldOpeningResource.class, restrictToAnnotatedClass = true)
class ConnectionOpeningDuringSwitchTest {
  static final Duration TIMEOUT = Duration.ofSeconds(20);
  static final String NEXT_USER = "held_r1";

  @Inject
  AgroalDataSource dataSource;

  @Inject
  QueryService queries;

  @Inject
  @Named("mounted-secrets")
  CredentialsProvider provider;

  @Test
  void aConnectionOpenedWithTheOldPairDuringTheSwitchIsRetired() throws Exception {
    EmbeddedDatabase database = HeldOpeningResource.database;
    String old = HeldOpeningResource.FIRST_USER;
    assertThat(queries.currentUser()).isEqualTo(old); // one idle connection in the pool
    // A platform thread: Agroal opens the connection on the thread that needs it.
    ExecutorService opener = Executors.newSingleThreadExecutor();
    try {
      Future<String> opened;
      try (Connection busy = dataSource.getConnection()) { // the next request opens a connection
        HoldingProxy.Hold hold = HeldOpeningResource.proxy.holdNextConnection();
        opened = opener.submit(queries::currentUser);
        assertThat(hold.awaitReached(TIMEOUT)).as("connection opening held").isTrue();

        String password = Canaries.next();
        database.createUser(NEXT_USER, password);
        HeldOpeningResource.mount.publish(Map.of("DB_USER", NEXT_USER, "DB_PASSWORD", password));
        Await.until(TIMEOUT, () -> provider.getCredentials("mounted-secrets")
            .get(CredentialsProvider.USER_PROPERTY_NAME), NEXT_USER::equals, "switch to " + NEXT_USER);
        // Past the switch, its flush and the first follow-up flush (200 ms).
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(600));
        hold.release();
        assertThat(opened.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
            .as("the held connection opened with the old pair, after the flush")
            .isEqualTo(old);
        assertThat(busy.isValid(1)).isTrue();
      }
      Await.until(TIMEOUT, () -> database.sessions(old) == 0,
          () -> "sessions of " + old + " closed (" + database.sessions(old) + " open)");
      assertThat(queries.currentUser()).isEqualTo(NEXT_USER);
    } finally {
      opener.shutdownNow();
    }
  }
}
