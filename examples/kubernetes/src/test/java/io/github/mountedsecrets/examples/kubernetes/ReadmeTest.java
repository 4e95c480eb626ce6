package io.github.mountedsecrets.examples.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.mountedsecrets.MountNotFoundException;
import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.MountedSecretsOption;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks the README against what it describes: the troubleshooting table quotes the library's
 * own startup messages exactly (produced here by the library itself), the adapters' additions
 * as they are in their sources, the walk-through follows the quick-start checklist's order,
 * the HTTPS switch it gives is the one the manifest tests check, and every file it points at
 * exists.
 */
class ReadmeTest {
  private static final String MOUNT = "/mnt/secrets-store";
  private static final String SPRING_DIRECTORY = "the spring.config.import location or mounted-secrets.directory";
  private static final String SPRING_REQUIRE_MOUNT = "mounted-secrets.require-mount";

  private static Path module;
  private static String readme;

  @BeforeAll
  static void load() {
    String configured = System.getProperty("mounted-secrets.kubernetes-example.dir");
    module = Path.of(configured != null ? configured : "").toAbsolutePath().normalize();
    readme = Manifest.read(module.resolve("README.md"));
  }

  @Test
  void quotesTheMissingMountMessageExactly(@TempDir Path temp) {
    Path missing = temp.resolve("absent");
    // As the Spring Boot starter builds it (its setting names are checked against its source
    // in quotesTheAdaptersAdditionsAsTheirSourcesHaveThem).
    MountNotFoundException e = catchThrowableOfType(MountNotFoundException.class,
        () -> MountedSecrets.builder().directory(missing).build().close());
    String message = e.messageFor(option -> option == MountedSecretsOption.DIRECTORY
        ? SPRING_DIRECTORY : SPRING_REQUIRE_MOUNT);
    assertThat(readme).contains(message.replace(missing.toString(), MOUNT));
  }

  @Test
  void quotesTheSubPathMessageExactly(@TempDir Path temp) throws IOException {
    Path file = Files.writeString(temp.resolve("DB_PASSWORD"), "x");
    MountNotFoundException e = catchThrowableOfType(MountNotFoundException.class,
        () -> MountedSecrets.builder().directory(file).build().close());
    assertThat(readme).contains(e.getMessage().replace(file.toString(), MOUNT));
  }

  @Test
  void quotesTheAdaptersAdditionsAsTheirSourcesHaveThem() {
    String analyzer = Manifest.read(module.resolve(
        "../../spring-boot-starter/src/main/java/io/github/mountedsecrets/spring/MountedSecretsFailureAnalyzer.java"));
    assertThat(analyzer).contains("\"The application expected the secrets volume to be mounted at \"",
        "+ \", but it is not there.");
    assertThat(readme).contains("The application expected the secrets volume to be mounted at "
        + MOUNT + ", but it is not there.");
    String quarkus = Manifest.read(module.resolve(
        "../../quarkus-extension/runtime/src/main/java/io/github/mountedsecrets/quarkus/SharedMounts.java"));
    assertThat(quarkus).contains("PREFIX = \"quarkus.mounted-secrets.\"",
        "e.withOptionNames(option -> PREFIX + option.propertyName())");
    assertThat(readme).contains("`(set quarkus.mounted-secrets.directory to the mountPath)`",
        "`set quarkus.mounted-secrets.require-mount to false.`");
    String factory = Manifest.read(module.resolve(
        "../../spring-boot-starter/src/main/java/io/github/mountedsecrets/spring/MountedSecretsFactory.java"));
    assertThat(factory).contains("e.withOptionNames(MountedSecretsFactory::propertyName)",
        "\"the spring.config.import location or \" + property");
    assertThat(SPRING_DIRECTORY).isEqualTo("the spring.config.import location or mounted-secrets.directory");
  }

  @Test
  void theHttpsSwitchIsTheTransformationTheManifestTestsCheck() throws IOException, InterruptedException {
    Matcher command = Pattern.compile(
        "sed -e '([^']*)' -e '([^']*)' (manifests/10-orders-spring\\.yaml) \\| kubectl apply -f -").matcher(readme);
    assertThat(command.find()).as("the README's sed command that turns HTTPS on").isTrue();
    List<String> expressions = List.of(command.group(1), command.group(2));
    assertThat(expressions).containsExactly("/" + Rules.PLAIN_HTTP_MARK + "$/d",
        "s/^\\( *\\)" + Rules.HTTPS_MARK + "/\\1/");
    Path manifest = module.resolve(command.group(3));
    String text = Manifest.read(manifest);
    assertThat(text).as("the manifest's header gives the same command")
        .contains("sed -e '" + expressions.get(0) + "' -e '" + expressions.get(1) + "' " + command.group(3));
    Path sed = Stream.of("/usr/bin/sed", "/bin/sed").map(Path::of).filter(Files::isExecutable).findFirst().orElse(null);
    Assumptions.assumeTrue(sed != null, "no sed to run the README's command with");
    assertThat(sed(sed, expressions, manifest)).isEqualTo(Rules.httpsVariant(text));
    // A command with another marker would give something else than what the tests check.
    assertThat(sed(sed, List.of(expressions.get(0), "s/^\\( *\\)#http /\\1/"), manifest))
        .isNotEqualTo(Rules.httpsVariant(text));
  }

  private static String sed(Path sed, List<String> expressions, Path file) throws IOException, InterruptedException {
    List<String> arguments = new ArrayList<>(List.of(sed.toString()));
    expressions.forEach(e -> {
      arguments.add("-e");
      arguments.add(e);
    });
    arguments.add(file.toString());
    Process process = new ProcessBuilder(arguments).redirectErrorStream(true).start();
    try {
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("sed ends").isTrue();
      assertThat(process.exitValue()).as(output).isZero();
      return output;
    } finally {
      process.destroyForcibly();
    }
  }

  @Test
  void quotesLogTemplatesThatTheCoreHas() {
    // The README's <placeholders> stand where the log templates have {} (or, in the refused
    // credentials line, the concrete values of one example).
    String core = Manifest.read(module.resolve("../../core/src/main/java/io/github/mountedsecrets/MountedSecrets.java"))
        + Manifest.read(module.resolve("../../core/src/main/java/io/github/mountedsecrets/Reloader.java"))
        + Manifest.read(module.resolve("../../core/src/main/java/io/github/mountedsecrets/FirstRead.java"))
        + Manifest.read(module.resolve("../../core/src/main/java/io/github/mountedsecrets/rotation/RotationLoop.java"));
    String flat = core.replaceAll("\"\\s*\\+\\s*\"", "");
    for (String template : List.of(
        "{}: mount {}; serving the last snapshot (revision {}, loaded {}) until it comes back",
        "{}: reload failed, keeping the last good snapshot (revision {}): {}",
        "{}: mount readable again; serving fresh content",
        "{}: secrets changed (revision {}): added {}, changed {}, removed {}",
        "{}: {}: switched to the credentials of revision {} after a successful check",
        "{}: {}: {}; keeping the credentials in use (revision {}), retrying in {} ms",
        "{}: {}: the mount no longer holds complete credentials ({}); keeping the ones in use",
        "could not be read at startup: ")) {
      assertThat(flat).as("core source").contains(template);
    }
    assertThat(readme).contains("<mount>: mount not mounted; serving the last snapshot (revision <N>, loaded <time>) until it comes back",
        "<mount>: reload failed, keeping the last good snapshot (revision <N>): <reason>",
        "<mount>: mount readable again; serving fresh content",
        "keeping the credentials in use (revision <M>), retrying in 1000 ms",
        "<mount>: <name>: the mount no longer holds complete credentials (<message>); keeping the ones in use",
        "Secrets mount /mnt/secrets-store could not be read at startup: <reason>");
  }

  @Test
  void walksThroughTheQuickStartChecklistInItsOrder() {
    Path seed = module.resolve("../../../shared/seeds/000_bb5d6fb990d69ede.txt").normalize();
    List<String> headings = Pattern.compile("(?m)^### (\\d+)\\. (.+)$").matcher(readme).results()
        .map(m -> m.group(2)).toList();
    List<String> checklist = Files.isRegularFile(seed)
        ? Pattern.compile("(?m)^- \\[ \\] (.+)$").matcher(Manifest.read(seed)).results().map(m -> m.group(1)).toList()
        : List.of();
    // The headings are the checklist's items, in its order (where the seed is at hand).
    if (!checklist.isEmpty()) {
      assertThat(headings).containsExactlyElementsOf(checklist);
    } else {
      assertThat(headings).hasSize(12);
    }
  }

  @Test
  void everyLinkedFileExists() {
    Matcher links = Pattern.compile("\\]\\(([^)#:]+)\\)").matcher(readme);
    int count = 0;
    while (links.find()) {
      count++;
      assertThat(module.resolve(links.group(1))).as(links.group(1)).exists();
    }
    assertThat(count).isGreaterThan(10);
  }
}
