package io.github.mountedsecrets;

import java.io.IOException;

/** Called before a file is opened; a seam for tests that simulate unreadable files. */
@FunctionalInterface
interface OpenCheck {
  void beforeOpen(String relative) throws IOException;
}
