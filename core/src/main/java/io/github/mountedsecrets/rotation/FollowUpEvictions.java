package io.github.mountedsecrets.rotation;

import io.github.mountedsecrets.DatabaseCredentials;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * The follow-up flush policy after a switch: when, how often and bounded by what a pool is
 * evicted again.
 *
 * <p>A pool asks for credentials, opens the connection, and only then adds it to the pool,
 * often on another thread than the one that evicts. A connection that got the previous pair
 * just before the switch can therefore join the pool just after the eviction and keep the
 * retired user. So, only when a pair was handed out within the pool's opening bound before
 * the switch (or the pool says a connection {@linkplain PoolSwitch#mayBeOpening() may be
 * opening}), the pool is evicted again {@value #FIRST_MILLIS} ms after the switch (an opening
 * usually takes a few milliseconds) and once more after the opening bound plus
 * {@value #MARGIN_MILLIS} ms, by when every opening that started before the switch has
 * ended. Without such a hand-out (the usual case: the pool was full and idle) nothing more
 * happens.
 *
 * <p>Concurrency: {@link #handedOut()} is called on pool threads and writes the time of the
 * hand-out before it reads the current pair; a switch makes the new pair current before it
 * reads that time. So a hand-out of the pair being retired is never missed. Follow-ups run
 * on the rotation's thread, in order with switches, and stop when it is closed.
 */
final class FollowUpEvictions {
  /** The first follow-up, after the switch. */
  static final long FIRST_MILLIS = 200;
  /** Added to the pool's opening bound for the last follow-up. */
  static final long MARGIN_MILLIS = 250;

  private static final Logger LOG = RotationLog.LOG;
  private static final long NEVER = Long.MIN_VALUE;

  /** Runs a task after a delay; the rotation's executor, or a fake in tests. */
  @FunctionalInterface
  interface Scheduler {
    void schedule(Runnable task, Duration delay);
  }

  /** An action that may throw, such as an eviction. */
  @FunctionalInterface
  interface Eviction {
    void run() throws Exception;
  }

  private final String where;
  private final Scheduler scheduler;
  private final LongSupplier nanoTime;
  private volatile long lastHandOut = NEVER;

  FollowUpEvictions(String where, Scheduler scheduler, LongSupplier nanoTime) {
    this.where = where;
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
  }

  static Scheduler scheduler(ScheduledExecutorService executor) {
    return (task, delay) -> {
      try {
        executor.schedule(task, Backoff.nanos(delay), TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException closed) {
        // The rotation is closed: its pool needs no more evictions.
      }
    };
  }

  /** Records that a pair is being handed to a connection about to be opened. */
  void handedOut() {
    lastHandOut = nanoTime.getAsLong();
  }

  /**
   * Returns whether a pair was handed out no longer than the bound before the given time.
   */
  boolean handedOutWithin(Duration bound, long switchedNanos) {
    long handedOut = lastHandOut;
    return handedOut != NEVER && switchedNanos - handedOut <= Backoff.nanos(bound);
  }

  /**
   * Schedules the follow-up evictions after a switch at the time given, if a connection may
   * have been opening with the previous pair.
   *
   * @return whether follow-ups were scheduled
   */
  boolean afterSwitch(long switchedNanos, Duration openingBound, boolean mayBeOpening,
      Eviction evict) {
    if (!mayBeOpening && !handedOutWithin(openingBound, switchedNanos)) {
      return false;
    }
    // The opening bound is positive, so the last follow-up always comes after the first.
    schedule(Duration.ofMillis(FIRST_MILLIS), evict);
    schedule(openingBound.plusMillis(MARGIN_MILLIS), evict);
    return true;
  }

  private void schedule(Duration delay, Eviction evict) {
    scheduler.schedule(() -> {
      try {
        evict.run();
        LOG.debug("{}: evicted the pool again, {} ms after the switch: a connection may have "
            + "been opening with the previous credentials", where, delay.toMillis());
      } catch (Exception e) {
        LOG.debug("{}: pool not evicted again {} ms after the switch: {}", where, delay.toMillis(),
            RotationStatus.describe(e));
      }
    }, delay);
  }

  /** Returns the applier that switches a pool: apply, evict, follow-ups. */
  CredentialsApplier switching(PoolSwitch pool) {
    Objects.requireNonNull(pool, "pool");
    return (DatabaseCredentials credentials) -> {
      // Read after the rotation made the pair current: see the class comment.
      long switched = nanoTime.getAsLong();
      pool.apply(credentials);
      Duration bound = Backoff.positive("openingBound", pool.openingBound());
      boolean opening = pool.mayBeOpening();
      pool.evict();
      afterSwitch(switched, bound, opening, pool::evict);
    };
  }
}
