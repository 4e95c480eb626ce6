package io.github.mountedsecrets.quarkus.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.mountedsecrets.MountedSecrets;
import io.github.mountedsecrets.quarkus.MountedSecretsMappings;
import io.github.mountedsecrets.test.Await;
import io.github.mountedsecrets.test.SecretsMount;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.WithParentName;
import jakarta.enterprise.inject.Instance;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The mappings and the rotation that {@link MappingsAtomicWriterTest} and
 * {@link MappingsFileByFileTest} run, one application per layout: two mappings whose values
 * come from the mount, one through {@code ${...}} expressions and one from the fields of a JSON
 * secret, read before and after one rotation.
 */
public final class MappingRotation {
  static final String USER_ONE = "app_blue";
  static final String USER_TWO = "app_green";

  private MappingRotation() {}

  /** Values from the mount through expressions in the scenario's properties file. */
  @ConfigMapping(prefix = "db")
  public interface DbConfig {
    /**
     * Returns the user.
     *
     * @return {@code ${DB_USER}}
     */
    String user();

    /**
     * Returns the password.
     *
     * @return {@code ${DB_PASSWORD}}
     */
    String password();

    /**
     * Returns the timeout, in Quarkus' duration format ({@code 5s}).
     *
     * @return {@code ${DB_TIMEOUT}}
     */
    Duration timeout();
  }

  /** The fields of the JSON secret {@code prod-db}, straight from the mount. */
  @ConfigMapping(prefix = "prod-db")
  public interface ProdDbConfig {
    /**
     * Returns the whole secret. The mount serves the JSON text as the property {@code prod-db},
     * which is the mapping's prefix: unmapped, SmallRye Config would report it as unknown and
     * stop the application at startup.
     *
     * @return {@code prod-db}
     */
    @WithParentName
    Optional<String> json();

    /**
     * Returns the user.
     *
     * @return {@code prod-db.username}
     */
    String username();

    /**
     * Returns the password.
     *
     * @return {@code prod-db.password}
     */
    String password();

    /**
     * Returns the port.
     *
     * @return {@code prod-db.port}
     */
    int port();

    /**
     * Returns the options, one key per field of {@code options}.
     *
     * @return {@code prod-db.options.*}
     */
    Map<String, String> options();

    /**
     * Returns the note, absent from the secret.
     *
     * @return {@code prod-db.note}
     */
    Optional<String> note();
  }

  /** The mount's files before the rotation. */
  static Map<String, String> before(String password, String rdsPassword) {
    return Map.of("DB_USER", USER_ONE, "DB_PASSWORD", password, "DB_TIMEOUT", "5s",
        "prod-db", "{\"username\":\"rds_blue\",\"password\":\"" + rdsPassword
            + "\",\"port\":5432,\"options\":{\"ssl\":\"require\"}}");
  }

  /** The mount's files after the rotation: every value changes and one JSON field is new. */
  static Map<String, String> after(String password, String rdsPassword) {
    return Map.of("DB_USER", USER_TWO, "DB_PASSWORD", password, "DB_TIMEOUT", "7s",
        "prod-db", "{\"username\":\"rds_green\",\"password\":\"" + rdsPassword
            + "\",\"port\":5433,\"options\":{\"ssl\":\"require\",\"retries\":\"3\"}}");
  }

  /**
   * Checks the startup values, rotates the mount, then checks that the helper returns the new
   * values while injected mappings keep the startup ones.
   */
  static void rotate(SecretsMount mount, MountedSecrets secrets, MountedSecretsMappings mappings,
      DbConfig injected, ProdDbConfig injectedProdDb, Instance<DbConfig> lookup, SmallRyeConfig config,
      String[] canaries) {
    String passwordOne = canaries[0];
    String rdsPasswordOne = canaries[1];
    String passwordTwo = canaries[2];
    String rdsPasswordTwo = canaries[3];

    DbConfig first = mappings.current(DbConfig.class);
    assertThat(first.user()).isEqualTo(USER_ONE);
    assertThat(first.password()).isEqualTo(passwordOne);
    assertThat(first.timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(mappings.current(DbConfig.class)).as("cached until the mount rotates").isSameAs(first);
    ProdDbConfig firstProdDb = mappings.current(ProdDbConfig.class);
    assertThat(firstProdDb.password()).isEqualTo(rdsPasswordOne);
    assertThat(firstProdDb.options()).containsOnlyKeys("ssl");
    assertThat(injected.password()).isEqualTo(passwordOne);

    mount.publish(after(passwordTwo, rdsPasswordTwo));
    // In FILE_BY_FILE the files are renamed one after the other (in Map.of order): a stall
    // between two of them longer than the quiet period is read, as documented, as two changes.
    // Wait for every file of the rotation, not for two of them.
    Await.until(Duration.ofSeconds(10),
        () -> secrets.get("DB_USER").equals(USER_TWO) && secrets.get("DB_PASSWORD").equals(passwordTwo)
            && secrets.get("DB_TIMEOUT").equals("7s") && secrets.get("prod-db.port").equals("5433"),
        () -> "rotation seen by the mount");

    DbConfig second = mappings.current(DbConfig.class);
    assertThat(second).as("built again after the rotation").isNotSameAs(first);
    assertThat(second.user()).isEqualTo(USER_TWO);
    assertThat(second.password()).isEqualTo(passwordTwo);
    assertThat(second.timeout()).as("Quarkus' duration converter").isEqualTo(Duration.ofSeconds(7));
    assertThat(mappings.current(DbConfig.class)).isSameAs(second);
    assertThat(mappings.current(DbConfig.class, "db").password()).isEqualTo(passwordTwo);

    ProdDbConfig prodDb = mappings.current(ProdDbConfig.class);
    assertThat(prodDb.username()).isEqualTo("rds_green");
    assertThat(prodDb.password()).isEqualTo(rdsPasswordTwo);
    assertThat(prodDb.port()).isEqualTo(5433);
    assertThat(prodDb.options()).as("a field the rotation added")
        .containsExactlyInAnyOrderEntriesOf(Map.of("ssl", "require", "retries", "3"));
    assertThat(prodDb.note()).isEmpty();
    assertThat(prodDb.json()).hasValueSatisfying(json -> assertThat(json).contains("rds_green"));

    // Documented: what SmallRye built at startup stays as it was.
    assertThat(first.password()).isEqualTo(passwordOne);
    assertThat(injected.user()).isEqualTo(USER_ONE);
    assertThat(injected.password()).isEqualTo(passwordOne);
    assertThat(injectedProdDb.password()).isEqualTo(rdsPasswordOne);
    assertThat(lookup.get().password()).as("a new injection").isEqualTo(passwordOne);
    assertThat(config.getConfigMapping(DbConfig.class).password()).isEqualTo(passwordOne);
    // ... while plain lookups are live, as before.
    assertThat(config.getValue("db.password", String.class)).isEqualTo(passwordTwo);

    assertThatThrownBy(() -> mappings.current(String.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("java.lang.String is not a @ConfigMapping interface");
    assertThatThrownBy(() -> mappings.current(DbConfig.class, "not-mapped"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not map " + DbConfig.class.getName() + " under the prefix 'not-mapped'");

    // A rotation that breaks a conversion: the failure names the mapping, never the value.
    String badPort = "port-" + rdsPasswordTwo;
    mount.publish(Map.of("DB_USER", USER_TWO, "DB_PASSWORD", passwordTwo, "DB_TIMEOUT", "7s",
        "prod-db", "{\"username\":\"rds_green\",\"password\":\"" + rdsPasswordTwo
            + "\",\"port\":\"" + badPort + "\",\"options\":{}}"));
    Await.until(Duration.ofSeconds(10), () -> secrets.get("prod-db.port").equals(badPort),
        () -> "rotation with a port that is not a number seen by the mount");
    assertThatThrownBy(() -> mappings.current(ProdDbConfig.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasNoCause()
        .hasMessageContaining("could not build " + ProdDbConfig.class.getName() + " under the prefix 'prod-db'")
        .hasMessageNotContaining(rdsPasswordTwo);
    assertThat(mappings.current(DbConfig.class).password()).as("other mappings unaffected").isEqualTo(passwordTwo);
  }
}
