package io.github.mountedsecrets.test;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import java.nio.file.FileSystem;

/** The in-memory file systems the writers are tested on besides the default one. */
final class TestFileSystems {

  private TestFileSystems() {
  }

  /** Jimfs as {@code Configuration.unix()} builds it: symbolic links, but only the "basic" view. */
  static FileSystem jimfsUnix() {
    return Jimfs.newFileSystem(Configuration.unix());
  }

  /** Jimfs with the "posix" view enabled, so that modes are set and can be checked. */
  static FileSystem jimfsUnixPosix() {
    return Jimfs.newFileSystem(Configuration.unix().toBuilder()
        .setAttributeViews("basic", "owner", "posix", "unix")
        .build());
  }
}
