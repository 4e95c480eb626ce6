package io.github.mountedsecrets.rotation;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * The waits between checks of refused credentials: exponential growth from an initial wait
 * up to a maximum, with decorrelated jitter. Each wait is drawn uniformly between the initial
 * wait and three times the previous one, then capped at the maximum, so the mean grows about
 * twofold per refusal while instances that were refused together drift apart instead of
 * retrying in step against the database. Every wait lies within {@code [initial, max]}.
 *
 * <p>Not thread-safe: a rotation uses it on its own thread only. The random source is
 * injected, so a seeded one makes the waits reproducible.
 */
final class Backoff {
  private final long initial;
  private final long max;
  private final RandomGenerator random;
  private long previous;

  /**
   * Creates a backoff.
   *
   * @param initial the first wait and the lower bound of every wait, positive
   * @param max the upper bound of every wait, not shorter than {@code initial}
   * @param random the source of jitter
   */
  Backoff(Duration initial, Duration max, RandomGenerator random) {
    this.initial = nanos(positive("initialBackoff", initial));
    this.max = nanos(positive("maxBackoff", max));
    if (this.max < this.initial) {
      throw new IllegalArgumentException("maxBackoff must not be shorter than initialBackoff ("
          + initial + "), but was " + max);
    }
    this.random = Objects.requireNonNull(random, "random must not be null");
    this.previous = this.initial;
  }

  /** Returns the next wait and remembers it. */
  Duration next() {
    long upper = previous > Long.MAX_VALUE / 3 ? Long.MAX_VALUE : previous * 3;
    upper = Math.min(upper, max);
    long wait = upper <= initial ? initial : random.nextLong(initial, upper == Long.MAX_VALUE ? upper : upper + 1);
    previous = wait;
    return Duration.ofNanos(wait);
  }

  /** Starts again from the initial wait, after a success or a new pair. */
  void reset() {
    previous = initial;
  }

  static Duration positive(String option, Duration value) {
    Objects.requireNonNull(value, option + " must not be null");
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(option + " must be positive, but was " + value);
    }
    return value;
  }

  static long nanos(Duration duration) {
    try {
      return duration.toNanos();
    } catch (ArithmeticException tooLong) {
      return Long.MAX_VALUE;
    }
  }
}
