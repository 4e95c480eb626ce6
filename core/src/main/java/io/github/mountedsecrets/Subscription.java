package io.github.mountedsecrets;

/**
 * A registered change listener; closing it unsubscribes. Closing twice does nothing.
 */
@FunctionalInterface
public interface Subscription extends AutoCloseable {
  /** Stops delivery of further events to the listener. */
  @Override
  void close();
}
