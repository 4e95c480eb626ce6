package io.github.mountedsecrets;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An open directory of a mount: lists its names, examines and opens its entries relative to
 * itself, never following a link.
 *
 * <p>Where the file system offers {@link SecureDirectoryStream} (Linux, macOS, Jimfs), every
 * operation goes through the directory's handle ({@code openat}, {@code fstatat}), and a
 * directory opened below it is checked through its own handle to be the entry that was
 * listed. Elsewhere the same operations go through paths, checked with their real path.
 */
abstract class Dir implements Closeable {
  private static final Set<OpenOption> READ_NO_FOLLOW =
      Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);

  /** The directory's path: for messages, link resolution and watching. */
  private final Path path;
  /** The open directory, listed once by {@link #list(int)}, closed by {@link #close()}. */
  private final DirectoryStream<Path> stream;

  private Dir(Path path, DirectoryStream<Path> stream) {
    this.path = path;
    this.stream = stream;
  }

  /**
   * Opens a mount's root directory, checking that what was opened is the directory whose
   * attributes were read.
   */
  static Dir open(Path realPath, Object expectedKey) throws IOException {
    DirectoryStream<Path> stream = Files.newDirectoryStream(realPath);
    Dir dir = stream instanceof SecureDirectoryStream
        ? new Secure(realPath, (SecureDirectoryStream<Path>) stream)
        : new Plain(realPath, stream);
    dir.verify(expectedKey);
    return dir;
  }

  /** Returns the directory's path. */
  final Path path() {
    return path;
  }

  /** Returns the path of an entry of this directory. */
  final Path path(Path name) {
    return path.resolve(name);
  }

  /** Turns a name into a path this directory accepts. */
  final Path name(String name) {
    return path.getFileSystem().getPath(name);
  }

  /**
   * Lists the names of the directory's entries, as the file system returned them; once. Stops
   * one past {@code limit}, so that a huge directory is refused without being held in memory.
   */
  final List<Path> list(int limit) throws IOException {
    List<Path> names = new ArrayList<>();
    try {
      for (Path entry : stream) {
        Path name = entry.getFileName();
        if (name != null) {
          names.add(name);
          if (names.size() > limit) {
            break; // One past the limit: the caller refuses the directory.
          }
        }
      }
    } catch (java.nio.file.DirectoryIteratorException e) {
      throw e.getCause();
    }
    return names;
  }

  /** Reads an entry's own attributes, not following a link. */
  abstract BasicFileAttributes lstat(Path name) throws IOException;

  /** Reads an entry's own attributes, or returns null when there is no such entry. */
  final BasicFileAttributes lstatOrNull(Path name) throws IOException {
    try {
      return lstat(name);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /**
   * Opens a directory entry without following a link, and checks that it is the directory
   * that was listed.
   *
   * @throws EntryChangedException if another object took its place
   */
  final Dir openDir(Path name, BasicFileAttributes listed) throws IOException {
    Dir dir = openChild(name);
    try {
      dir.verify(listed.fileKey());
    } catch (IOException | RuntimeException e) {
      dir.close();
      throw e;
    }
    return dir;
  }

  abstract Dir openChild(Path name) throws IOException;

  /** Opens a file entry for reading without following a link. */
  abstract SeekableByteChannel openFile(Path name) throws IOException;

  @Override
  public final void close() throws IOException {
    stream.close();
  }

  /** Reads the attributes of the open directory itself. */
  abstract BasicFileAttributes self() throws IOException;

  private void verify(Object expectedKey) throws IOException {
    BasicFileAttributes self = self();
    if (!self.isDirectory() || expectedKey != null && !Objects.equals(expectedKey, self.fileKey())) {
      throw new EntryChangedException();
    }
  }

  /** Through the directory's handle. */
  private static final class Secure extends Dir {
    private final SecureDirectoryStream<Path> secure;

    Secure(Path path, SecureDirectoryStream<Path> stream) {
      super(path, stream);
      this.secure = stream;
    }

    @Override
    BasicFileAttributes lstat(Path name) throws IOException {
      return secure.getFileAttributeView(name, BasicFileAttributeView.class,
          LinkOption.NOFOLLOW_LINKS).readAttributes();
    }

    @Override
    Dir openChild(Path name) throws IOException {
      SecureDirectoryStream<Path> child = secure.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS);
      return new Secure(path(name), child);
    }

    @Override
    SeekableByteChannel openFile(Path name) throws IOException {
      return secure.newByteChannel(name, READ_NO_FOLLOW);
    }

    @Override
    BasicFileAttributes self() throws IOException {
      return secure.getFileAttributeView(BasicFileAttributeView.class).readAttributes();
    }
  }

  /** Through paths, for file systems without secure directory streams. */
  private static final class Plain extends Dir {
    Plain(Path path, DirectoryStream<Path> stream) {
      super(path, stream);
    }

    @Override
    BasicFileAttributes lstat(Path name) throws IOException {
      return Files.readAttributes(path(name), BasicFileAttributes.class,
          LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    Dir openChild(Path name) throws IOException {
      Path child = path(name);
      if (!child.toRealPath().equals(child.toAbsolutePath())) {
        throw new EntryChangedException();
      }
      return new Plain(child, Files.newDirectoryStream(child));
    }

    @Override
    SeekableByteChannel openFile(Path name) throws IOException {
      Path file = path(name);
      if (!file.toRealPath().equals(file.toAbsolutePath())) {
        throw new EntryChangedException();
      }
      return Files.newByteChannel(file, READ_NO_FOLLOW);
    }

    @Override
    BasicFileAttributes self() throws IOException {
      return Files.readAttributes(path(), BasicFileAttributes.class);
    }
  }
}
