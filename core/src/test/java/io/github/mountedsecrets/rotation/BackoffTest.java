package io.github.mountedsecrets.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** The waits between checks: bounds, growth, jitter and reproducibility. */
class BackoffTest {
  private static final Duration INITIAL = Duration.ofMillis(100);
  private static final Duration MAX = Duration.ofSeconds(5);

  private static List<Duration> waits(Backoff backoff, int count) {
    List<Duration> waits = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      waits.add(backoff.next());
    }
    return waits;
  }

  @Test
  void everyWaitLiesBetweenTheInitialWaitAndTheMaximumAndAtMostTriplesThePrevious() {
    Duration longest = Duration.ZERO;
    for (long seed = 0; seed < 200; seed++) {
      List<Duration> waits = waits(new Backoff(INITIAL, MAX, new SplittableRandom(seed)), 30);
      Duration previous = INITIAL;
      for (Duration wait : waits) {
        assertThat(wait).isBetween(INITIAL, MAX);
        assertThat(wait).isLessThanOrEqualTo(previous.multipliedBy(3));
        previous = wait;
      }
      longest = waits.stream().max(Duration::compareTo).orElseThrow().compareTo(longest) > 0
          ? waits.stream().max(Duration::compareTo).orElseThrow() : longest;
    }
    assertThat(longest).as("the cap is reached").isGreaterThan(MAX.multipliedBy(9).dividedBy(10));
  }

  @Test
  void theWaitsGrowRoughlyExponentiallyOnAverage() {
    int runs = 2000;
    long[] sums = new long[4];
    for (long seed = 0; seed < runs; seed++) {
      List<Duration> waits = waits(new Backoff(INITIAL, Duration.ofHours(1), new SplittableRandom(seed)), 4);
      for (int i = 0; i < 4; i++) {
        sums[i] += waits.get(i).toMillis();
      }
    }
    // Decorrelated jitter: E[w1] = 2 * initial, E[w(n+1)] = (initial + 3 E[w(n)]) / 2.
    assertThat(sums[0] / runs).isBetween(180L, 220L);
    assertThat(sums[1] / runs).isBetween(315L, 385L);
    assertThat(sums[3] / runs).isGreaterThan(sums[2] / runs).isGreaterThan(sums[1] / runs);
  }

  @Test
  void jitterSpreadsInstancesThatWereRefusedTogether() {
    Set<Duration> firstWaits = new HashSet<>();
    for (long seed = 0; seed < 50; seed++) {
      firstWaits.add(new Backoff(INITIAL, MAX, new SplittableRandom(seed)).next());
    }
    assertThat(firstWaits).hasSizeGreaterThan(40);
  }

  @Test
  void theSameSeedGivesTheSameWaits() {
    assertThat(waits(new Backoff(INITIAL, MAX, new SplittableRandom(42)), 20))
        .isEqualTo(waits(new Backoff(INITIAL, MAX, new SplittableRandom(42)), 20))
        .isNotEqualTo(waits(new Backoff(INITIAL, MAX, new SplittableRandom(43)), 20));
  }

  @Test
  void resetStartsAgainFromTheInitialWait() {
    RandomGenerator highest = new RandomGenerator() {
      @Override
      public long nextLong() {
        throw new UnsupportedOperationException();
      }

      @Override
      public long nextLong(long origin, long bound) {
        return bound - 1;
      }
    };
    Backoff backoff = new Backoff(INITIAL, MAX, highest);
    assertThat(waits(backoff, 5)).containsExactly(Duration.ofMillis(300), Duration.ofMillis(900),
        Duration.ofMillis(2700), MAX, MAX);
    backoff.reset();
    assertThat(backoff.next()).isEqualTo(Duration.ofMillis(300));
  }

  @Test
  void equalBoundsGiveAFixedWaitAndHugeOnesDoNotOverflow() {
    assertThat(waits(new Backoff(MAX, MAX, new SplittableRandom(1)), 3)).containsOnly(MAX);
    Backoff huge = new Backoff(Duration.ofDays(1), Duration.ofDays(1_000_000_000L), new SplittableRandom(1));
    for (Duration wait : waits(huge, 100)) {
      assertThat(wait).isPositive().isGreaterThanOrEqualTo(Duration.ofDays(1));
    }
  }

  @Test
  void optionsAreCheckedWithTheirNames() {
    assertThatThrownBy(() -> new Backoff(Duration.ZERO, MAX, new SplittableRandom()))
        .hasMessage("initialBackoff must be positive, but was PT0S");
    assertThatThrownBy(() -> new Backoff(INITIAL, Duration.ofMillis(-1), new SplittableRandom()))
        .hasMessage("maxBackoff must be positive, but was PT-0.001S");
    assertThatThrownBy(() -> new Backoff(MAX, INITIAL, new SplittableRandom()))
        .hasMessage("maxBackoff must not be shorter than initialBackoff (PT5S), but was PT0.1S");
  }
}
