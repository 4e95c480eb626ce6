package io.github.mountedsecrets.examples.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks least privilege per service (LeastPrivilegeRules): each Deployment runs as a service
 * account of its own (unless two mount the same secrets), and each role of that account, IRSA
 * and EKS Pod Identity, in iam/ and in terraform/, may read exactly the secrets of the
 * SecretProviderClasses its pods mount, with the HTTPS switch off and on.
 *
 * <p>The nested class copies manifests/, iam/ and terraform/ to a temporary directory, breaks
 * one thing in the copy and asserts that the check names the file, the object and the fix.
 */
class LeastPrivilegeTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path module;

  @BeforeAll
  static void load() {
    String configured = System.getProperty("mounted-secrets.kubernetes-example.dir");
    module = Path.of(configured != null ? configured : "").toAbsolutePath().normalize();
  }

  @Test
  void eachRoleMayReadExactlyWhatItsServiceAccountsPodsMount() {
    assertThat(LeastPrivilegeRules.check(module)).isEmpty();
  }

  @Test
  void theQuarkusPodsRolesCannotReadWhatOnlyTheSpringPodsMount() throws IOException {
    // Not a list to compare against: a guard that the split the check protects is there. The
    // secrets only the Spring pods mount (its HTTPS class) are in no Quarkus role's reach.
    List<Manifest> all = Manifest.loadAll(module.resolve("manifests"));
    List<Manifest> deployments = LeastPrivilegeRules.deploymentsWithVariants(module.resolve("manifests"), all);
    List<Manifest> irsaClasses = all.stream()
        .filter(m -> "SecretProviderClass".equals(m.kind()) && !m.source().startsWith("pod-identity/")).toList();
    Map<String, Set<String>> mounted = LeastPrivilegeRules.mounts(deployments, irsaClasses).stream()
        .collect(Collectors.groupingBy(LeastPrivilegeRules.Mount::serviceAccount, Collectors.mapping(
            LeastPrivilegeRules.Mount::secret, Collectors.toCollection(TreeSet::new))));
    assertThat(mounted).containsOnlyKeys("orders/orders-spring", "orders/orders-quarkus");
    Set<String> springOnly = new TreeSet<>(mounted.get("orders/orders-spring"));
    springOnly.removeAll(mounted.get("orders/orders-quarkus"));
    assertThat(springOnly).as("secrets only the Spring pods mount").isNotEmpty();
    Map<String, String> quarkusJson = LeastPrivilegeRules.grantedByJson(JSON.readTree(Manifest.read(
        module.resolve("iam/orders-quarkus-secrets-reader-policy.json"))), "us-east-1", "111122223333");
    Hcl hcl = Hcl.load(module.resolve("terraform"));
    for (Map<String, String> granted : List.of(quarkusJson,
        LeastPrivilegeRules.grantedByTerraform(hcl, "orders_quarkus_secrets_reader"),
        LeastPrivilegeRules.grantedByTerraform(hcl, "orders_quarkus_secrets_reader_pod_identity"))) {
      assertThat(granted).isNotEmpty().doesNotContainKeys(springOnly.toArray(String[]::new));
    }
  }

  // ---------------------------------------------------------------------------------------
  // Each rule catches the mistake it is for

  @Nested
  class BrokenCopiesAreRejected {
    @TempDir
    Path tree;

    @Test
    void aQuarkusDeploymentThatRunsAsTheSpringServicesAccount() {
      // The layout before the split, one account for both services, in one edit.
      edit("manifests/11-orders-quarkus.yaml", "serviceAccountName: orders-quarkus", "serviceAccountName: orders-spring");
      assertThat(check())
          .contains("10-orders-spring.yaml: Deployment orders/orders-spring and 11-orders-quarkus.yaml: Deployment "
              + "orders/orders-quarkus both run as service account orders/orders-spring but mount different secrets "
              + "(10-orders-spring.yaml: Deployment orders/orders-spring: [prod/orders/api-key, prod/orders/db, "
              + "prod/orders/tls]; 11-orders-quarkus.yaml: Deployment orders/orders-quarkus: [prod/orders/api-key, "
              + "prod/orders/db]), so its role would have to read what either mounts; give each Deployment its own "
              + "service account (serviceAccountName) and role")
          // The account left without pods keeps roles that nobody needs.
          .anyMatch(v -> v.startsWith("iam/orders-quarkus-secrets-reader-policy.json (policy of role "
              + "orders-quarkus-secrets-reader of service account orders/orders-quarkus, IRSA) may read secret "
              + "prod/orders/db, but no pod of service account orders/orders-quarkus mounts it (none runs as it)"));
    }

    @Test
    void aQuarkusPolicyThatMayReadTheSpringServicesTlsSecret() {
      edit("iam/orders-quarkus-secrets-reader-policy.json",
          "secret:prod/orders/api-key-??????\"\n",
          "secret:prod/orders/api-key-??????\",\n"
              + "        \"arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/orders/tls-??????\"\n");
      assertThat(check()).containsExactly("iam/orders-quarkus-secrets-reader-policy.json (policy of role "
          + "orders-quarkus-secrets-reader of service account orders/orders-quarkus, IRSA) may read secret "
          + "prod/orders/tls, but no pod of service account orders/orders-quarkus mounts it (11-orders-quarkus.yaml: "
          + "Deployment orders/orders-quarkus mounts [prod/orders/api-key, prod/orders/db]); remove it from statement "
          + "ReadTheQuarkusServicesSecretsOnly, so that the role reads only what its pods mount");
    }

    @Test
    void aSpringPolicyWithoutTheSecretOfItsHttpsSwitch() {
      // The plain-HTTP pods do not need it, but the switch is one edit of the Deployment: its
      // pods would then fail to mount.
      edit("iam/orders-spring-secrets-reader-policy.json",
          "secret:prod/orders/api-key-??????\",\n"
              + "        \"arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/orders/tls-??????\"\n",
          "secret:prod/orders/api-key-??????\"\n");
      assertThat(check()).containsExactly("iam/orders-spring-secrets-reader-policy.json (policy of role "
          + "orders-spring-secrets-reader of service account orders/orders-spring, IRSA) may not read secret "
          + "prod/orders/tls, which 10-orders-spring.yaml (https): Deployment orders/orders-spring mounts "
          + "(SecretProviderClass orders-spring-https-secrets); that mount would fail with AccessDeniedException: "
          + "grant secretsmanager:GetSecretValue and secretsmanager:DescribeSecret on it");
    }

    @Test
    void aQuarkusTerraformPolicyThatMayReadTheSpringServicesTlsSecret() {
      edit("terraform/iam.tf", "      aws_secretsmanager_secret.api_key.arn,\n    ]\n",
          "      aws_secretsmanager_secret.api_key.arn,\n      aws_secretsmanager_secret.tls.arn,\n    ]\n");
      // The IRSA role and the Pod Identity role, which has the same policy.
      assertThat(check()).containsExactly(
          "terraform/iam.tf: aws_iam_role.orders_quarkus_secrets_reader (role orders-quarkus-secrets-reader of "
              + "service account orders/orders-quarkus, IRSA) may read secret prod/orders/tls, but no pod of service "
              + "account orders/orders-quarkus mounts it (11-orders-quarkus.yaml: Deployment orders/orders-quarkus "
              + "mounts [prod/orders/api-key, prod/orders/db]); remove it from data.aws_iam_policy_document."
              + "orders_quarkus_secrets_reader (aws_iam_policy.orders_quarkus_secrets_reader), so that the role "
              + "reads only what its pods mount",
          "terraform/pod-identity.tf: aws_eks_pod_identity_association.orders_quarkus gives service account "
              + "orders/orders-quarkus aws_iam_role.orders_quarkus_secrets_reader_pod_identity (role "
              + "orders-quarkus-secrets-reader-pod-identity, EKS Pod Identity), which may read secret prod/orders/tls, "
              + "but no pod of service account orders/orders-quarkus mounts it (11-orders-quarkus.yaml: Deployment "
              + "orders/orders-quarkus mounts [prod/orders/api-key, prod/orders/db]); remove it from "
              + "data.aws_iam_policy_document.orders_quarkus_secrets_reader (aws_iam_policy."
              + "orders_quarkus_secrets_reader), so that the role reads only what its pods mount");
    }

    @Test
    void aPodIdentityAssociationThatGivesTheQuarkusAccountTheSpringRole() {
      edit("terraform/pod-identity.tf",
          "  role_arn        = aws_iam_role.orders_quarkus_secrets_reader_pod_identity[0].arn\n",
          "  role_arn        = aws_iam_role.orders_spring_secrets_reader_pod_identity[0].arn\n");
      assertThat(check())
          .anyMatch(v -> v.startsWith("terraform/pod-identity.tf: aws_eks_pod_identity_association.orders_quarkus "
              + "gives service account orders/orders-quarkus aws_iam_role.orders_spring_secrets_reader_pod_identity "
              + "(role orders-spring-secrets-reader-pod-identity, EKS Pod Identity), which may read secret "
              + "prod/orders/tls, but no pod of service account orders/orders-quarkus mounts it"))
          .anyMatch(v -> v.equals("terraform/pod-identity.tf: aws_eks_pod_identity_association.orders_quarkus: "
              + "aws_iam_role.orders_spring_secrets_reader_pod_identity is also the role of service account "
              + "orders/orders-spring (aws_eks_pod_identity_association.orders_spring); give each service account "
              + "a role of its own"));
    }

    @Test
    void aServiceAccountThatNamesTheOtherServicesRole() {
      edit("manifests/01-serviceaccount.yaml", "role/orders-quarkus-secrets-reader\n",
          "role/orders-spring-secrets-reader\n");
      assertThat(check())
          .anyMatch(v -> v.equals("01-serviceaccount.yaml: ServiceAccount orders/orders-quarkus: names role "
              + "orders-spring-secrets-reader, the role of service account orders/orders-spring too; a role trusts one "
              + "service account, give this one a role of its own"))
          .anyMatch(v -> v.startsWith("iam/orders-spring-secrets-reader-trust-policy.json, statement "
              + "OnlyTheOrdersSpringServiceAccount: StringEquals ")
              && v.endsWith(":sub must be system:serviceaccount:orders:orders-quarkus, but is "
              + "system:serviceaccount:orders:orders-spring"))
          .anyMatch(v -> v.startsWith("iam/orders-spring-secrets-reader-policy.json (policy of role "
              + "orders-spring-secrets-reader of service account orders/orders-quarkus, IRSA) may read secret "
              + "prod/orders/tls, but no pod of service account orders/orders-quarkus mounts it"));
    }

    @Test
    void aTrustPolicyThatAdmitsTheOtherServicesAccount() {
      edit("iam/orders-quarkus-secrets-reader-trust-policy.json", "system:serviceaccount:orders:orders-quarkus",
          "system:serviceaccount:orders:orders-spring");
      edit("iam/orders-quarkus-secrets-reader-pod-identity-trust-policy.json", "\"orders-quarkus\"", "\"orders-spring\"");
      assertThat(check())
          .anyMatch(v -> v.startsWith("iam/orders-quarkus-secrets-reader-trust-policy.json, statement "
              + "OnlyTheOrdersQuarkusServiceAccount: StringEquals ")
              && v.endsWith(":sub must be system:serviceaccount:orders:orders-quarkus, but is "
              + "system:serviceaccount:orders:orders-spring"))
          .contains("iam/orders-quarkus-secrets-reader-pod-identity-trust-policy.json: StringEquals "
              + "aws:RequestTag/kubernetes-service-account must be orders-quarkus, but is \"orders-spring\"")
          .hasSize(2);
    }

    @Test
    void aStaleDocumentOfTheFormerSharedRole() {
      copy();
      try {
        Files.copy(tree.resolve("iam/orders-spring-secrets-reader-policy.json"),
            tree.resolve("iam/orders-secrets-reader-policy.json"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      assertThat(check()).containsExactly("iam/orders-secrets-reader-policy.json is the policy or trust document of "
          + "no role that a service account names (roles [orders-spring-secrets-reader, orders-quarkus-secrets-reader]); "
          + "delete it, or name its role in a ServiceAccount's eks.amazonaws.com/role-arn annotation (documents are "
          + "iam/<role>-policy.json, iam/<role>-trust-policy.json and iam/<role>-pod-identity-trust-policy.json)");
    }

    @Test
    void anAnnotationThatNamesARoleWithoutDocumentsOrTerraform() {
      edit("manifests/01-serviceaccount.yaml", "role/orders-quarkus-secrets-reader\n", "role/orders-quarkus-reader\n");
      assertThat(check())
          .contains("iam/orders-quarkus-reader-policy.json does not exist: the document of the role that "
              + "01-serviceaccount.yaml: ServiceAccount orders/orders-quarkus names (iam/ names its documents after "
              + "the role)",
              "terraform/: no aws_iam_role is named orders-quarkus-reader (the role in the eks.amazonaws.com/role-arn "
                  + "annotation of 01-serviceaccount.yaml: ServiceAccount orders/orders-quarkus)")
          .anyMatch(v -> v.startsWith("iam/orders-quarkus-secrets-reader-policy.json is the policy or trust document "
              + "of no role"));
    }

    private List<String> check() {
      copy();
      return LeastPrivilegeRules.check(tree);
    }

    /** Copies manifests/, iam/ and terraform/ into the tree once; edits after that stay. */
    private void copy() {
      if (Files.isDirectory(tree.resolve("manifests"))) {
        return;
      }
      for (String directory : List.of("manifests", "iam", "terraform")) {
        Path from = module.resolve(directory);
        try (Stream<Path> walk = Files.walk(from)) {
          for (Path source : walk.sorted().toList()) {
            Path target = tree.resolve(directory).resolve(from.relativize(source).toString());
            if (Files.isDirectory(source)) {
              Files.createDirectories(target);
            } else {
              Files.copy(source, target);
            }
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }

    private void edit(String relative, String target, String replacement) {
      copy();
      Path file = tree.resolve(relative);
      String text = Manifest.read(file);
      assertThat(text).as("the real file, before it is broken on purpose").contains(target);
      try {
        Files.writeString(file, text.replace(target, replacement));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
