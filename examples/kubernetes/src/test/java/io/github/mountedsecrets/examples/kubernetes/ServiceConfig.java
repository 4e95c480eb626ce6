package io.github.mountedsecrets.examples.kubernetes;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What one example service expects of its deployment, derived from its own files (never from
 * a list kept in this test): the mount directory and the environment variable that overrides
 * it, the mount keys it reads, and the port and paths of its health probes.
 *
 * @param framework "Spring Boot" or "Quarkus", for messages
 * @param propertiesFile the application.properties it was read from
 * @param applicationName the application's name, which is also its Deployment's name
 * @param mountDirectory where the application reads the mount
 * @param mountKeys the mount keys the application reads (files, or JSON fields as file.field)
 * @param health the health endpoints the application exposes
 * @param profiles the Spring profiles of the module ({@code application-<name>.properties}),
 *     each with the base configuration under it; none for Quarkus
 * @param problems what makes the service's configuration unusable for a deployment
 */
record ServiceConfig(String framework, Path propertiesFile, String applicationName,
    MountDirectory mountDirectory, Set<String> mountKeys, HealthEndpoints health,
    List<Profile> profiles, List<String> problems) {

  /**
   * A directory given as {@code ${VARIABLE:default}} or as a plain path.
   *
   * @param environmentVariable the variable that overrides it, or null
   * @param defaultPath the directory when the variable is not set
   */
  record MountDirectory(String environmentVariable, String defaultPath) {

    /** Returns the directory a container with this environment reads. */
    String in(Map<String, String> containerEnvironment) {
      if (environmentVariable != null && containerEnvironment.containsKey(environmentVariable)) {
        return containerEnvironment.get(environmentVariable);
      }
      return defaultPath;
    }
  }

  /**
   * Port and paths of the liveness and readiness endpoints.
   *
   * @param port the HTTP port they are served on
   * @param liveness the liveness path
   * @param readiness the readiness path
   * @param tls whether that port speaks HTTPS (then probes need {@code scheme: HTTPS})
   */
  record HealthEndpoints(int port, String liveness, String readiness, boolean tls) {
  }

  /**
   * One Spring profile: what the application serves when it is active (its file over the base
   * application.properties).
   *
   * @param name the profile's name, for SPRING_PROFILES_ACTIVE
   * @param file its application-NAME.properties
   * @param applicationPort the port of the API ({@code server.port})
   * @param applicationTls whether the API is served over HTTPS ({@code server.ssl.*})
   * @param health the health endpoints with the profile active
   * @param bundles the SSL bundles from the mount, by bundle name: each option
   *     ({@code certificate}, {@code private-key}, ...) and the mount key it names
   */
  record Profile(String name, Path file, int applicationPort, boolean applicationTls,
      HealthEndpoints health, Map<String, Map<String, String>> bundles) {

    /** Returns every mount key the profile's SSL bundles read. */
    Set<String> tlsKeys() {
      Set<String> keys = new TreeSet<>();
      bundles.values().forEach(options -> keys.addAll(options.values()));
      return keys;
    }
  }

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}:]+)(?::([^}]*))?}");
  private static final Pattern KEY_CONSTANT =
      Pattern.compile("static\\s+final\\s+String\\s+KEY\\s*=\\s*\"([^\"]+)\"");
  private static final Pattern CONFIG_DEFAULT = Pattern.compile(
      "@WithDefault\\(\"([^\"]*)\"\\)\\s*(?:[\\w.<>, ]+\\s+)?(\\w+)\\(\\)");
  private static final List<String> FRAMEWORK_PREFIXES =
      List.of("spring.", "server.", "management.", "quarkus.", "mounted-secrets.");
  private static final Pattern BUNDLE_OPTION = Pattern.compile(
      "mounted-secrets\\.ssl\\.bundle\\.([^.]+)\\.(certificate|private-key|private-key-password|trust)");
  private static final Pattern PROFILE_FILE = Pattern.compile("application-([\\w-]+)\\.properties");

  /** Reads the Spring Boot service in the given module directory. */
  static ServiceConfig spring(Path module) {
    Path file = module.resolve("src/main/resources/application.properties");
    Map<String, String> properties = load(file);
    List<String> problems = new ArrayList<>();
    String importProperty = "spring.config.import";
    String expression = null;
    for (String location : properties.getOrDefault(importProperty, "").split(",")) {
      String trimmed = location.trim();
      for (String prefix : List.of("optional:mounted-secrets:", "mounted-secrets:")) {
        if (trimmed.startsWith(prefix)) {
          expression = trimmed.substring(prefix.length());
          break;
        }
      }
    }
    if (expression == null) {
      problems.add(file + ": " + importProperty + " imports no mounted-secrets: location");
      expression = "";
    } else if (expression.isEmpty()) {
      expression = properties.getOrDefault("mounted-secrets.directory", "");
    }
    MountDirectory directory = directory(file, importProperty, expression, problems);

    Set<String> keys = placeholderKeys(properties, importProperty);
    for (String option : List.of("mounted-secrets.datasource.username-key",
        "mounted-secrets.datasource.password-key")) {
      if (properties.containsKey(option)) {
        keys.add(properties.get(option));
      }
    }
    keys.addAll(keyConstants(module.resolve("src/main/java"), problems));

    requireDependency(module, "spring-boot-starter-actuator", problems);
    String exposed = properties.get("management.endpoints.web.exposure.include");
    if (exposed != null && !exposed.contains("health") && !exposed.contains("*")) {
      problems.add(file + ": management.endpoints.web.exposure.include does not expose health");
    }
    List<Profile> profiles = new ArrayList<>();
    try (Stream<Path> files = Files.list(file.getParent())) {
      for (Path profileFile : files.sorted().toList()) {
        Matcher matcher = PROFILE_FILE.matcher(profileFile.getFileName().toString());
        if (matcher.matches()) {
          profiles.add(springProfile(matcher.group(1), profileFile, properties, load(profileFile), problems));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new ServiceConfig("Spring Boot", file, name(properties, "spring.application.name", file, problems),
        directory, keys, springHealth(properties), List.copyOf(profiles), List.copyOf(problems));
  }

  /**
   * Reads one Spring profile: its properties over the base ones. A {@code server.ssl.bundle}
   * that no {@code mounted-secrets.ssl.bundle.<name>.certificate} and {@code .private-key}
   * define is a problem.
   */
  static Profile springProfile(String name, Path file, Map<String, String> base, Map<String, String> profile,
      List<String> problems) {
    Map<String, String> merged = new TreeMap<>(base);
    merged.putAll(profile);
    Map<String, Map<String, String>> bundles = new TreeMap<>();
    for (Map.Entry<String, String> entry : merged.entrySet()) {
      Matcher matcher = BUNDLE_OPTION.matcher(entry.getKey());
      if (matcher.matches()) {
        bundles.computeIfAbsent(matcher.group(1), b -> new TreeMap<>()).put(matcher.group(2), entry.getValue().trim());
      }
    }
    String served = merged.get("server.ssl.bundle");
    if (served != null) {
      Map<String, String> options = bundles.getOrDefault(served, Map.of());
      if (!options.containsKey("certificate") || !options.containsKey("private-key")) {
        problems.add(file + ": server.ssl.bundle=" + served + " but mounted-secrets.ssl.bundle." + served
            + ".certificate and .private-key do not both name a mount key");
      }
    }
    return new Profile(name, file, port(merged.get("server.port"), 8080), serverTls(merged),
        springHealth(merged), bundles);
  }

  /** Where Spring Boot Actuator serves the probe groups with these properties. */
  private static HealthEndpoints springHealth(Map<String, String> properties) {
    int port;
    String root;
    boolean tls;
    if (properties.containsKey("management.server.port")) {
      port = port(properties.get("management.server.port"), 8080);
      root = properties.getOrDefault("management.server.base-path", "");
      // A separate management server takes server.ssl.* unless management.server.ssl.* says otherwise.
      String enabled = properties.get("management.server.ssl.enabled");
      tls = enabled != null ? Boolean.parseBoolean(enabled.trim()) : serverTls(properties);
    } else {
      port = port(properties.get("server.port"), 8080);
      root = properties.getOrDefault("server.servlet.context-path", "");
      tls = serverTls(properties);
    }
    String base = join(root, properties.getOrDefault("management.endpoints.web.base-path", "/actuator"));
    return new HealthEndpoints(port, join(base, "health/liveness"), join(base, "health/readiness"), tls);
  }

  private static boolean serverTls(Map<String, String> properties) {
    boolean configured = properties.containsKey("server.ssl.bundle") || properties.containsKey("server.ssl.certificate")
        || properties.containsKey("server.ssl.key-store");
    return configured && !"false".equals(properties.getOrDefault("server.ssl.enabled", "true").trim());
  }

  /**
   * Reads the Quarkus service in the given module directory; the extension's option defaults
   * come from its configuration interface (quarkus-extension, MountedSecretsConfig.java).
   */
  static ServiceConfig quarkus(Path module, Path extensionConfigSource) {
    Path file = module.resolve("src/main/resources/application.properties");
    Map<String, String> properties = load(file);
    List<String> problems = new ArrayList<>();
    Map<String, String> defaults = configDefaults(extensionConfigSource);
    String directoryProperty = "quarkus.mounted-secrets.directory";
    MountDirectory directory = directory(file, directoryProperty,
        properties.getOrDefault(directoryProperty, defaults.getOrDefault("directory", "")), problems);

    Set<String> keys = placeholderKeys(properties, directoryProperty);
    Pattern providerProperty = Pattern.compile("quarkus\\.datasource\\.(?:(\"[^\"]+\"|[^.]+)\\.)?credentials-provider");
    for (Map.Entry<String, String> entry : properties.entrySet()) {
      Matcher matcher = providerProperty.matcher(entry.getKey());
      if (!matcher.matches()) {
        continue;
      }
      String bean = properties.get(entry.getKey() + "-name");
      if (bean != null && !bean.equals("mounted-secrets")) {
        continue; // another CredentialsProvider bean serves this datasource
      }
      String name = entry.getValue();
      String options = "quarkus.mounted-secrets.credentials." + name + ".";
      String quotedOptions = "quarkus.mounted-secrets.credentials.\"" + name + "\".";
      String json = properties.getOrDefault(options + "json-secret", properties.get(quotedOptions + "json-secret"));
      if (json != null) {
        keys.add(json + ".username");
        keys.add(json + ".password");
      } else {
        for (String option : List.of("username-key", "password-key")) {
          String defaultKey = defaults.get(option.equals("username-key") ? "usernameKey" : "passwordKey");
          String key = properties.getOrDefault(options + option,
              properties.getOrDefault(quotedOptions + option, defaultKey));
          if (key == null) {
            problems.add(extensionConfigSource + ": no @WithDefault found for " + option);
          } else {
            keys.add(key);
          }
        }
      }
    }
    keys.addAll(keyConstants(module.resolve("src/main/java"), problems));

    requireDependency(module, "quarkus-smallrye-health", problems);
    int port;
    String root;
    if ("true".equals(properties.get("quarkus.management.enabled"))) {
      port = port(properties.get("quarkus.management.port"), 9000);
      root = properties.getOrDefault("quarkus.management.root-path", "/q");
    } else {
      port = port(properties.get("quarkus.http.port"), 8080);
      root = resolve(properties.getOrDefault("quarkus.http.root-path", "/"),
          properties.getOrDefault("quarkus.http.non-application-root-path", "q"));
    }
    String healthRoot = resolve(root, properties.getOrDefault("quarkus.smallrye-health.root-path", "health"));
    HealthEndpoints health = new HealthEndpoints(port,
        resolve(healthRoot, properties.getOrDefault("quarkus.smallrye-health.liveness-path", "live")),
        resolve(healthRoot, properties.getOrDefault("quarkus.smallrye-health.readiness-path", "ready")), false);
    return new ServiceConfig("Quarkus", file, name(properties, "quarkus.application.name", file, problems),
        directory, keys, health, List.of(), List.copyOf(problems));
  }

  /**
   * Returns the mount keys that the property values reference as placeholders: those without
   * a default value (a default means the application does not need the key) that are neither
   * defined in the file nor framework properties, leaving out the mount directory's own
   * placeholder (an environment variable).
   */
  static Set<String> placeholderKeys(Map<String, String> properties, String directoryProperty) {
    Set<String> keys = new TreeSet<>();
    for (Map.Entry<String, String> entry : properties.entrySet()) {
      if (entry.getKey().equals(directoryProperty)) {
        continue;
      }
      Matcher matcher = PLACEHOLDER.matcher(entry.getValue());
      while (matcher.find()) {
        String name = matcher.group(1).trim();
        if (matcher.group(2) == null && !properties.containsKey(name)
            && FRAMEWORK_PREFIXES.stream().noneMatch(name::startsWith)) {
          keys.add(name);
        }
      }
    }
    return keys;
  }

  /** Parses a properties text (for tests of the derivation itself). */
  static Map<String, String> parse(String text) {
    Properties properties = new Properties();
    try {
      properties.load(new StringReader(text));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> map = new TreeMap<>();
    properties.stringPropertyNames().forEach(name -> map.put(name, properties.getProperty(name)));
    return map;
  }

  /** Parses {@code ${VARIABLE:default}} or a plain path. */
  static MountDirectory directory(Path file, String property, String expression, List<String> problems) {
    Matcher matcher = PLACEHOLDER.matcher(expression.trim());
    if (matcher.matches()) {
      if (matcher.group(2) == null) {
        problems.add(file + ": " + property + " = " + expression + " has no default directory");
      }
      return new MountDirectory(matcher.group(1).trim(), matcher.group(2));
    }
    if (expression.isBlank()) {
      problems.add(file + ": " + property + " names no directory");
    }
    return new MountDirectory(null, expression.trim());
  }

  /** Reads the {@code @WithDefault} value of each method of a SmallRye config mapping source. */
  static Map<String, String> configDefaults(Path source) {
    Map<String, String> defaults = new LinkedHashMap<>();
    Matcher matcher = CONFIG_DEFAULT.matcher(Manifest.read(source));
    while (matcher.find()) {
      defaults.put(matcher.group(2), matcher.group(1));
    }
    return defaults;
  }

  /** Returns the values of {@code static final String KEY = "..."} constants in the sources. */
  private static Set<String> keyConstants(Path sources, List<String> problems) {
    Set<String> keys = new TreeSet<>();
    if (Files.isDirectory(sources)) {
      try (Stream<Path> files = Files.walk(sources)) {
        files.filter(p -> p.toString().endsWith(".java")).sorted().forEach(p -> {
          Matcher matcher = KEY_CONSTANT.matcher(Manifest.read(p));
          while (matcher.find()) {
            keys.add(matcher.group(1));
          }
        });
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    if (keys.isEmpty()) {
      problems.add(sources + ": no mount key constant (static final String KEY = \"...\") found; "
          + "the test takes the API key the code reads from it");
    }
    return keys;
  }

  private static void requireDependency(Path module, String artifactId, List<String> problems) {
    Path pom = module.resolve("pom.xml");
    if (!Files.isRegularFile(pom) || !Manifest.read(pom).contains("<artifactId>" + artifactId + "</artifactId>")) {
      problems.add(pom + " does not depend on " + artifactId + ", which serves the health endpoints the probes call");
    }
  }

  private static String name(Map<String, String> properties, String property, Path file, List<String> problems) {
    String name = properties.get(property);
    if (name == null || name.isBlank()) {
      problems.add(file + ": " + property + " is not set; the test finds the service's Deployment by it");
    }
    return name;
  }

  private static int port(String value, int fallback) {
    if (value == null) {
      return fallback;
    }
    Matcher matcher = PLACEHOLDER.matcher(value.trim());
    String number = matcher.matches() ? matcher.group(2) : value.trim();
    return number == null ? fallback : Integer.parseInt(number.trim());
  }

  /** Resolves a Quarkus path: absolute if it starts with "/", else relative to the base. */
  private static String resolve(String base, String path) {
    return path.startsWith("/") ? path : join(base, path);
  }

  private static String join(String base, String path) {
    String left = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    String right = path.startsWith("/") ? path : "/" + path;
    return left + right;
  }

  private static Map<String, String> load(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException("Missing " + file + ": the deployment test derives the mount "
          + "directory, the keys and the health paths from the services' configuration. Build "
          + "this module inside the repository, beside examples/spring-boot-service and "
          + "examples/quarkus-service.");
    }
    return parse(Manifest.read(file));
  }
}
