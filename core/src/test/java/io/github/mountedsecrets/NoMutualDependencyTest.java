package io.github.mountedsecrets;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * No two classes of the core depend on each other (a nested class counts as its top-level
 * class): each part is built on the ones below it, never on one that uses it back.
 */
class NoMutualDependencyTest {
  private static JavaClasses core;

  @BeforeAll
  static void importCore() throws Exception {
    Path classes = Path.of(MountedSecrets.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    core = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPath(classes);
  }

  static List<String> mutualPairs(JavaClasses classes) {
    Map<String, Set<String>> uses = new HashMap<>();
    for (JavaClass javaClass : classes) {
      String from = topLevel(javaClass);
      for (Dependency dependency : javaClass.getDirectDependenciesFromSelf()) {
        JavaClass target = dependency.getTargetClass();
        if (!target.getPackageName().startsWith("io.github.mountedsecrets")) {
          continue;
        }
        String to = topLevel(target);
        if (!to.equals(from)) {
          uses.computeIfAbsent(from, k -> new HashSet<>()).add(to);
        }
      }
    }
    List<String> pairs = new ArrayList<>();
    uses.forEach((from, targets) -> targets.forEach(to -> {
      if (from.compareTo(to) < 0 && uses.getOrDefault(to, Set.of()).contains(from)) {
        pairs.add(from + " <-> " + to);
      }
    }));
    return pairs;
  }

  private static String topLevel(JavaClass javaClass) {
    JavaClass outer = javaClass;
    while (outer.getEnclosingClass().isPresent()) {
      outer = outer.getEnclosingClass().get();
    }
    return outer.getName();
  }

  @Test
  void noTwoCoreClassesDependOnEachOther() {
    assertThat(mutualPairs(core)).as("core classes that depend on each other").isEmpty();
  }

  @Test
  void theRuleCatchesAPair() {
    // A nested class counts as its top-level class; two top-level classes that use each
    // other are a pair.
    JavaClasses pair = new ClassFileImporter().importClasses(MutualPing.class, MutualPong.class);
    assertThat(mutualPairs(pair)).containsExactly(
        MutualPing.class.getName() + " <-> " + MutualPong.class.getName());
  }
}

/** One half of a pair of classes that use each other, for the rule's own test. */
final class MutualPing {
  MutualPong pong() {
    return new MutualPong();
  }
}

/** The other half. */
final class MutualPong {
  MutualPing ping() {
    return new MutualPing();
  }
}
