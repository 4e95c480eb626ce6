package io.github.mountedsecrets.examples.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./demo} script's own output when it is captured (not a terminal): it asks Maven
 * for no colour codes, and the Maven on the path then prints none.
 */
class DemoScriptTest {
  private static final String ESC = "\u001b";

  @Test
  void aCapturedRunAsksMavenForPlainText(@TempDir Path temp) throws Exception {
    Path demo = Path.of("../../demo").toAbsolutePath().normalize();
    assertThat(demo).isRegularFile();
    // A stand-in for mvn that records how the demo calls it and fails, so the demo stops there.
    Path bin = Files.createDirectories(temp.resolve("bin"));
    Path fake = bin.resolve("mvn");
    Files.writeString(fake, "#!/usr/bin/env bash\n"
        + "printf '%s\\n' \"$@\" > '" + temp.resolve("args") + "'\n"
        + "printf '%s' \"$MAVEN_OPTS\" > '" + temp.resolve("opts") + "'\n"
        + "exit 3\n");
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
    ProcessBuilder builder = new ProcessBuilder("bash", demo.toString(), "--core").redirectErrorStream(true);
    builder.environment().put("PATH", bin + File.pathSeparator + System.getenv("PATH"));
    builder.environment().put("MAVEN_OPTS", "-Dmaven.repo.local=/somewhere");

    Result result = run(builder);

    assertThat(result.status()).as(result.output()).isEqualTo(3);
    assertThat(result.output()).contains("building the demo").doesNotContain(ESC);
    assertThat(Files.readAllLines(temp.resolve("args"))).contains("-B", "-Dstyle.color=never");
    assertThat(Files.readString(temp.resolve("opts")))
        .isEqualTo("-Dmaven.repo.local=/somewhere -Djansi.noreset=true");
  }

  @Test
  void mavenCalledThatWayPrintsNoEscapeCharacter() throws Exception {
    // The real Maven on the path (Maven 3.8's Jansi prints ESC[0m at startup unless told not to).
    String mvn = onPath("mvn");
    assumeTrue(mvn != null, "mvn is not on the PATH");
    ProcessBuilder builder = new ProcessBuilder(mvn, "-B", "-ntp", "-q", "-Dstyle.color=never", "-v")
        .redirectErrorStream(true);
    builder.environment().put("MAVEN_OPTS", "-Djansi.noreset=true");

    Result result = run(builder);

    assertThat(result.status()).as(result.output()).isZero();
    assertThat(result.output()).containsPattern("\\d+\\.\\d+\\.\\d+").doesNotContain(ESC);
  }

  private static String onPath(String command) {
    for (String directory : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(directory, command);
      if (Files.isExecutable(candidate)) {
        return candidate.toString();
      }
    }
    return null;
  }

  private static Result run(ProcessBuilder builder) throws IOException, InterruptedException {
    Process process = builder.start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("did not finish within 60 s: " + output);
    }
    return new Result(process.exitValue(), output);
  }

  private record Result(int status, String output) {
  }
}
