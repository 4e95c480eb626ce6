package io.github.mountedsecrets.test;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TemporaryDirectoriesTest {
  @Test
  void createsAnEmptyDirectoryWithThePrefix() throws Exception {
    Path directory = TemporaryDirectories.create("mounted-secrets-tdt-");
    assertThat(directory).isEmptyDirectory();
    assertThat(directory.getFileName().toString()).startsWith("mounted-secrets-tdt-");
    assertThat(TemporaryDirectories.delete(directory)).isTrue();
    assertThat(directory).doesNotExist();
    assertThat(TemporaryDirectories.delete(directory)).as("already gone").isTrue();
  }

  @Test
  void deletesAWholeMountButNothingALinkPointsTo(@TempDir Path outside) throws Exception {
    Path keep = Files.writeString(outside.resolve("keep"), "x");
    Path directory = TemporaryDirectories.create("mounted-secrets-tdt-");
    SecretsMount mount = SecretsMount.atomicWriter(directory.resolve("mount"))
        .publish(java.util.Map.of("DB_USER", "app", "nested/file", "v"));
    Files.createSymbolicLink(mount.directory().resolve("escape"), outside);
    mount.danglingLink("gone");

    assertThat(TemporaryDirectories.delete(directory)).isTrue();

    assertThat(directory).doesNotExist();
    assertThat(keep).hasContent("x");
  }
}
