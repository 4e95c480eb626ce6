package io.github.mountedsecrets;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.attribute.BasicFileAttributes;

/** Describes file-system failures and entries in words that never quote content. */
final class IoReasons {
  private IoReasons() {}

  static String kind(BasicFileAttributes attrs) {
    if (attrs.isSymbolicLink()) {
      return "a symbolic link";
    }
    if (attrs.isRegularFile()) {
      return "a regular file";
    }
    return attrs.isOther() ? "a FIFO, socket or device" : "not a directory";
  }
  static boolean isLoop(FileSystemException e) {
    String reason = e.getReason();
    return reason != null && reason.toLowerCase(java.util.Locale.ROOT).contains("too many levels");
  }
  static String reason(IOException e) {
    if (e instanceof FileSystemException) {
      String reason = ((FileSystemException) e).getReason();
      return e.getClass().getSimpleName() + (reason == null ? "" : ": " + reason);
    }
    return e.getClass().getSimpleName();
  }
  static String reason(Throwable e) {
    return e instanceof IOException ? reason((IOException) e) : e.getClass().getSimpleName();
  }}
