package io.github.mountedsecrets.rotation;

import io.github.mountedsecrets.DatabaseCredentials;
import java.time.Duration;

/**
 * What a connection pool adapter tells the rotation: how to hand the pool new credentials,
 * how to retire its connections, and how long opening one may take. Everything else (the
 * check, the order of the steps, retries, status and the follow-up evictions) is the
 * rotation's; see {@link CredentialsRotation.Builder#pool(PoolSwitch)}.
 *
 * <p>On a switch the rotation, on its own thread, makes the verified pair
 * {@link CredentialsRotation#current() current}, calls {@link #apply}, asks
 * {@link #mayBeOpening()}, calls {@link #evict()}, and when a connection may have been
 * opening with the previous pair (a {@link CredentialsRotation#handOut()} within
 * {@link #openingBound()} before the switch, or {@code mayBeOpening()}), calls
 * {@code evict()} again 200 ms after the switch and once more after the opening bound plus
 * 250 ms: such a connection can join the pool after the first eviction and would otherwise
 * keep the retired user until its maximum lifetime. If {@code apply} or the first
 * {@code evict} throws, the previous pair is put back and the switch is retried with
 * backoff; a failed follow-up eviction is logged at debug level and not retried.
 */
public interface PoolSwitch {
  /**
   * Hands the pool the verified pair for the connections it opens from now on, such as
   * HikariCP's {@code setCredentials}. Does nothing by default, which suits a pool that asks
   * {@link CredentialsRotation#handOut()} for each new connection.
   *
   * @param credentials the verified pair
   * @throws Exception if the pool cannot take it; the switch is retried
   */
  default void apply(DatabaseCredentials credentials) throws Exception {
  }

  /**
   * Retires every connection the pool holds now, gently: idle ones at once, busy ones when
   * they are returned, so that work in flight finishes (HikariCP's
   * {@code softEvictConnections}, Agroal's graceful flush). The pool opens new connections
   * with the new pair as they are needed.
   *
   * @throws Exception if the pool cannot be evicted
   */
  void evict() throws Exception;

  /**
   * Returns the longest opening one connection may take in this pool, such as its
   * connection or login timeout: a connection still opening with the previous pair joins
   * the pool within this time after the switch.
   *
   * @return a positive duration
   */
  Duration openingBound();

  /**
   * Returns whether a connection may be opening now with credentials the pool read itself,
   * for pools that do not ask {@link CredentialsRotation#handOut()}: for HikariCP, whether
   * the pool is not started or not full, since its connection adder then may be at work.
   * Called after {@link #apply} and before the first {@link #evict()}. Default {@code false}.
   *
   * @return whether to evict again after the switch
   */
  default boolean mayBeOpening() {
    return false;
  }
}
