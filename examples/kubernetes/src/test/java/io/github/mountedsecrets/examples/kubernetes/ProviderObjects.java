package io.github.mountedsecrets.examples.kubernetes;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code objects} parameter of an AWS SecretProviderClass, and the files the AWS provider
 * writes for it: each object's file is named by its {@code objectAlias}, else by its
 * {@code objectName} with "/" replaced by the {@code pathTranslation} character ("_" by
 * default); each {@code jmesPath} entry writes one more file named by its own alias.
 *
 * @param providerClass the SecretProviderClass
 * @param objects the parsed objects, in order
 */
record ProviderObjects(Manifest providerClass, List<SecretObject> objects) {

  /**
   * One entry of {@code objects}.
   *
   * @param objectName the secret's name or ARN
   * @param objectType secretsmanager or ssmparameter
   * @param fileName the file the provider writes the whole value to
   * @param jmesPath the extracted fields
   */
  record SecretObject(String objectName, String objectType, String fileName, List<JmesPath> jmesPath) {
  }

  /**
   * One {@code jmesPath} entry.
   *
   * @param path the JMESPath expression
   * @param objectAlias the file the selected value is written to
   */
  record JmesPath(String path, String objectAlias) {
  }

  /** Parses the objects of an AWS SecretProviderClass; fails with a message naming it if malformed. */
  static ProviderObjects of(Manifest providerClass) {
    String objects = Tree.text(providerClass.document(), "spec", "parameters", "objects");
    if (objects == null) {
      throw new IllegalArgumentException(providerClass.label() + " has no spec.parameters.objects");
    }
    String translation = Tree.text(providerClass.document(), "spec", "parameters", "pathTranslation");
    Object parsed = Manifest.parseValue(providerClass.label() + " objects", objects);
    List<SecretObject> result = new ArrayList<>();
    for (Map<?, ?> entry : Tree.maps(parsed)) {
      String objectName = Tree.text(entry, "objectName");
      if (objectName == null || objectName.isBlank()) {
        throw new IllegalArgumentException(providerClass.label() + ": an object has no objectName");
      }
      String alias = Tree.text(entry, "objectAlias");
      List<JmesPath> paths = new ArrayList<>();
      for (Map<?, ?> path : Tree.maps(entry, "jmesPath")) {
        paths.add(new JmesPath(Tree.text(path, "path"), Tree.text(path, "objectAlias")));
      }
      result.add(new SecretObject(objectName, Tree.text(entry, "objectType"),
          alias != null ? alias : translate(objectName, translation), List.copyOf(paths)));
    }
    if (result.isEmpty()) {
      throw new IllegalArgumentException(providerClass.label() + ": objects lists no object");
    }
    return new ProviderObjects(providerClass, List.copyOf(result));
  }

  private static String translate(String objectName, String translation) {
    if ("False".equals(translation)) {
      return objectName;
    }
    return objectName.replace("/", translation == null ? "_" : translation);
  }

  /** Returns every file the provider writes into the mount: whole objects and jmesPath aliases. */
  Set<String> files() {
    Set<String> files = new LinkedHashSet<>();
    for (SecretObject object : objects) {
      files.add(object.fileName());
      for (JmesPath path : object.jmesPath()) {
        files.add(path.objectAlias());
      }
    }
    return files;
  }

  /**
   * Returns the object a mount key comes from: the one writing that file, else the one whose
   * whole-secret JSON file has the key as a field ({@code prod-db.host}); null if none.
   */
  SecretObject objectReading(String key) {
    SecretObject object = objectWritingFile(key);
    if (object != null) {
      return object;
    }
    return objects.stream().filter(o -> key.startsWith(o.fileName() + ".")).findFirst().orElse(null);
  }

  /** Returns the object whose whole value, or one of whose jmesPath fields, goes to the file. */
  SecretObject objectWritingFile(String file) {
    for (SecretObject object : objects) {
      if (object.fileName().equals(file)
          || object.jmesPath().stream().anyMatch(p -> file.equals(p.objectAlias()))) {
        return object;
      }
    }
    return null;
  }
}
