package io.github.mountedsecrets;

import java.io.IOException;

/** An entry of the mount was replaced between the moment it was listed and the moment it was opened. */
final class EntryChangedException extends IOException {
  private static final long serialVersionUID = 1L;

  EntryChangedException() {
    super("an entry was replaced while it was opened", null);
  }
}
