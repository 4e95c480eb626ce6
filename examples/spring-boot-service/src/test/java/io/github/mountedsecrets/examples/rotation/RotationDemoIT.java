package io.github.mountedsecrets.examples.rotation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Runs the one-command demo ({@code ./demo}) on the packaged Spring Boot service, as the
 * README's first command does, for two rotations. In this module because the demo needs the
 * service's jar; in the demo's package because it drives the demo's internals.
 */
class RotationDemoIT {
  @Test
  void showsEachRotationThePoolSwitchingAndNoFailedRequestThenCleansUp() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    RotationDemo.Options options = RotationDemo.Options.parse("--jar", System.getProperty("orders.service.jar"),
        "--interval", "2s", "--rotations", "2", "--threads", "2");
    String previousWorkingDirectory = System.getProperty("ot.epg.working-dir");

    RotationDemo demo = new RotationDemo(out, options);
    int status = demo.run(new AtomicBoolean());

    String output = bytes.toString(StandardCharsets.UTF_8);
    assertThat(status).as(output).isZero();
    assertThat(output)
        .contains("pool connected as orders_app")
        .contains("rotation 1: a new password for orders_app_clone, set in the database, then written to the mount")
        .contains("service | data source 'dataSource' follows keys DB_USER and DB_PASSWORD")
        .contains("service | secrets changed (revision 2)")
        .contains("service | dataSource: switched to the credentials of revision 2 after a successful check")
        .contains("pool switched: GET /whoami answers orders_app_clone")
        .contains("rotation 2: a new password for orders_app")
        .contains("pool switched: GET /whoami answers orders_app")
        .doesNotContain("did not switch")
        .doesNotContain("\u001b");
    Matcher stopping = Pattern.compile("stopping: ([\\d,]+) requests ok, 0 failed").matcher(output);
    assertThat(stopping.find()).as(output).isTrue();
    assertThat(Long.parseLong(stopping.group(1).replace(",", ""))).isPositive();
    Matcher removed = Pattern.compile("stopped; removed (\\S+)").matcher(output);
    assertThat(removed.find()).as(output).isTrue();
    assertThat(Path.of(removed.group(1))).doesNotExist();
    assertThat(System.getProperty("ot.epg.working-dir")).isEqualTo(previousWorkingDirectory);
    // Canary: the API key and the three passwords written (first generation and two
    // rotations) appear nowhere in what the demo printed, service lines included.
    assertThat(demo.writtenSecrets()).hasSize(4).allSatisfy(secret ->
        assertThat(output.contains(secret)).as("a written secret in the demo's output").isFalse());
    assertThat(Files.exists(Path.of(removed.group(1), "secrets-store"))).isFalse();
  }
}
