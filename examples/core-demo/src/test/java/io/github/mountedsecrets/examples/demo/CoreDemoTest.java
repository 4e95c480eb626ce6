package io.github.mountedsecrets.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CoreDemoTest {

  @ParameterizedTest
  @ValueSource(strings = {"atomic", "file-by-file"})
  @Timeout(60)
  void showsEachRotationAndNoValue(String layout) throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
    new CoreDemo(out).run(CoreDemo.Options.parse(new String[] {
        "--layout", layout, "--interval", "300ms", "--rotations", "3"}));
    String printed = buffer.toString(StandardCharsets.UTF_8);
    assertThat(printed).contains("DB_PASSWORD", "prod-db.username", "version 1");
    assertThat(printed.lines().filter(l -> l.contains("change detected")).count()).isEqualTo(3);
    assertThat(printed).contains("done: 3 changes seen, state READY");
    assertThat(printed).doesNotContain("app_blue", "app_green", "api-key-", "db.internal");
  }

  @Test
  void refusesUnknownOptionsWithAClearMessage() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> CoreDemo.Options.parse(new String[] {"--layout", "zip"}))
        .hasMessage("--layout must be atomic or file-by-file, but was zip");
  }
}
