package io.github.mountedsecrets.test;

import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.io.TempDir;

/** Layout B on the default file system and on Jimfs. */
class FileByFileTest {

  @Nested
  class OnTheDefaultFileSystem extends FileByFileContract {
    @TempDir
    Path temp;

    @Override
    Path newMountDir() {
      return temp.resolve("secrets-store");
    }
  }

  @Nested
  class OnJimfs extends FileByFileContract {
    private FileSystem fs;

    @Override
    Path newMountDir() {
      fs = TestFileSystems.jimfsUnix();
      return fs.getPath("/mnt/secrets-store");
    }

    @AfterEach
    void closeFileSystem() throws IOException {
      fs.close();
    }
  }

  @Nested
  class OnJimfsWithPosixAttributes extends FileByFileContract {
    private FileSystem fs;

    @Override
    Path newMountDir() {
      fs = TestFileSystems.jimfsUnixPosix();
      return fs.getPath("/mnt/secrets-store");
    }

    @AfterEach
    void closeFileSystem() throws IOException {
      fs.close();
    }
  }
}
