package io.github.mountedsecrets;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Dependency rules of the core: no framework, and Micrometer only in its own package. */
class ArchitectureTest {
  private static final String CORE = "io.github.mountedsecrets";
  private static final String METRICS = "io.github.mountedsecrets.micrometer";
  private static final String ROTATION = "io.github.mountedsecrets.rotation";

  private static JavaClasses core;

  @BeforeAll
  static void importCore() throws Exception {
    // From the core's own class directory (or jar) only: in a reactor build, the classes of
    // other modules (test-support) can sit in class directories under the same package root.
    Path classes = Path.of(MountedSecrets.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    core = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPath(classes);
  }

  static ArchRule noFrameworks() {
    return noClasses().that().resideInAPackage(CORE + "..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "org.springframework..", "io.quarkus..", "io.smallrye..", "jakarta..");
  }

  static ArchRule micrometerOnlyInItsPackage() {
    return noClasses().that().resideOutsideOfPackage(METRICS)
        .should().dependOnClassesThat().resideInAPackage("io.micrometer..");
  }

  static ArchRule nothingReferencesTheMetricsPackage() {
    return noClasses().that().resideOutsideOfPackage(METRICS)
        .should().dependOnClassesThat().resideInAPackage(METRICS);
  }

  static ArchRule theRootPackageDoesNotDependOnRotation() {
    return noClasses().that().resideInAPackage(CORE)
        .should().dependOnClassesThat().resideInAPackage(ROTATION + "..");
  }

  static ArchRule onlyRotationUsesJdbc() {
    return noClasses().that().resideOutsideOfPackage(ROTATION + "..")
        .should().dependOnClassesThat().resideInAPackage("java.sql..");
  }

  @Test
  void theImportHoldsTheCoreAndNothingElse() {
    assertThat(core.contain(MountedSecrets.class)).isTrue();
    assertThat(core.contain(ROTATION + ".CredentialsRotation")).isTrue();
    assertThat(core.contain(CORE + ".CredentialsRotation")).as("no copy left in the root package").isFalse();
    assertThat(core.contain("io.github.mountedsecrets.micrometer.MountedSecretsMetrics")).isTrue();
    assertThat(core.contain(ArchitectureTest.class)).isFalse();
    assertThat(core.contain("io.github.mountedsecrets.test.SecretsMount")).isFalse();
  }

  @Test
  void coreDependsOnNoFramework() {
    noFrameworks().check(core);
  }

  @Test
  void onlyTheMicrometerPackageUsesMicrometer() {
    micrometerOnlyInItsPackage().check(core);
  }

  @Test
  void noClassOutsideTheMicrometerPackageReferencesIt() {
    nothingReferencesTheMetricsPackage().check(core);
  }

  @Test
  void theRootPackageKnowsNothingOfTheRotationToolkit() {
    theRootPackageDoesNotDependOnRotation().check(core);
  }

  @Test
  void jdbcIsUsedOnlyByTheRotationToolkit() {
    onlyRotationUsesJdbc().check(core);
  }

  @Test
  void theRulesCatchAViolation() {
    // This test class of the core package uses Micrometer and the metrics package.
    JavaClasses offender = new ClassFileImporter().importClasses(MetricsTest.class);
    assertThat(micrometerOnlyInItsPackage().evaluate(offender).hasViolation()).isTrue();
    assertThat(nothingReferencesTheMetricsPackage().evaluate(offender).hasViolation()).isTrue();
    // This test class of the core package uses the rotation toolkit and JDBC.
    JavaClasses rotationUser = new ClassFileImporter().importClasses(RotationUserForArchitectureTest.class);
    assertThat(theRootPackageDoesNotDependOnRotation().evaluate(rotationUser).hasViolation()).isTrue();
    assertThat(onlyRotationUsesJdbc().evaluate(rotationUser).hasViolation()).isTrue();
  }

  /** A root-package class that breaks the rotation rules, for the rules' own test. */
  static final class RotationUserForArchitectureTest {
    java.sql.Connection connection;
    io.github.mountedsecrets.rotation.RotationStatus status;
  }
}
