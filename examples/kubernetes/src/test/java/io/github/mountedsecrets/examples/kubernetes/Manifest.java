package io.github.mountedsecrets.examples.kubernetes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * One document of a (multi-document) YAML file, with the file it came from.
 *
 * @param source the file name (or a label for YAML given as text), for messages
 * @param document the parsed document
 */
record Manifest(String source, Map<?, ?> document) {

  /** Parses every document of every {@code .yaml}/{@code .yml} file under a directory, in name order. */
  static List<Manifest> loadAll(Path directory) {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(directory)) {
      files = walk.filter(Files::isRegularFile)
          .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Manifest> all = new ArrayList<>();
    for (Path file : files) {
      all.addAll(parse(directory.relativize(file).toString(), read(file)));
    }
    return all;
  }

  /** Parses the documents of one YAML text; empty documents are skipped. */
  static List<Manifest> parse(String source, String yaml) {
    List<Manifest> documents = new ArrayList<>();
    int index = 0;
    for (Object document : yaml().loadAll(yaml)) {
      index++;
      if (document == null) {
        continue;
      }
      if (!(document instanceof Map<?, ?>)) {
        throw new IllegalArgumentException(source + ": document " + index + " is not a mapping");
      }
      documents.add(new Manifest(source, (Map<?, ?>) document));
    }
    return documents;
  }

  /** Parses one YAML value (for example the AWS provider's {@code objects} string). */
  static Object parseValue(String source, String yaml) {
    return yaml().load(yaml);
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static Yaml yaml() {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    return new Yaml(new SafeConstructor(options));
  }

  String apiVersion() {
    return Tree.text(document, "apiVersion");
  }

  String kind() {
    return Tree.text(document, "kind");
  }

  String name() {
    return Tree.text(document, "metadata", "name");
  }

  String namespace() {
    return Tree.text(document, "metadata", "namespace");
  }

  /** Returns "source: Kind namespace/name", for messages. */
  String label() {
    return source + ": " + kind() + " " + (namespace() == null ? "" : namespace() + "/") + name();
  }
}
