package io.github.mountedsecrets;

/**
 * Receives a {@link SecretsChangedEvent} after each rotation.
 *
 * <p>Listeners run one at a time, in subscription order, on the instance's event thread,
 * never on a reader's thread. An exception thrown by a listener is logged and swallowed;
 * the other listeners still run. A slow listener delays later events, never readers.
 */
@FunctionalInterface
public interface SecretsChangeListener {
  /**
   * Called once for each change of the mount's content.
   *
   * @param event the keys that changed, with the snapshots before and after
   */
  void onChange(SecretsChangedEvent event);
}
