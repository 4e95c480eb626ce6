package io.github.mountedsecrets.examples.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Checks the deployment material against the real schemas, vendored under
 * {@code src/test/resources/schemas/} with their upstream versions: every manifest (the
 * default set, {@code optional/} and {@code pod-identity/}) against the Kubernetes OpenAPI
 * schema of its kind or the driver's SecretProviderClass CRD, the Helm values against the two
 * charts' defaults, and the CSIDriver object the driver chart renders from them against the
 * Kubernetes schema, with both token audiences requested. The EKS Pod Identity variant is
 * checked against the IRSA one and the Terraform that supports it.
 *
 * <p>The nested class feeds each check a broken copy of a real file (a misspelled field, a
 * missing {@code tokenRequests}, ...) and asserts it is rejected.
 */
class ManifestSchemaTest {
  private static final String VALUES = "secrets-store-csi-driver-provider-aws-values.yaml";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path module;
  private static List<Manifest> manifests;

  @BeforeAll
  static void load() {
    String configured = System.getProperty("mounted-secrets.kubernetes-example.dir");
    module = Path.of(configured != null ? configured : "").toAbsolutePath().normalize();
    manifests = Manifest.loadAll(module.resolve("manifests"));
  }

  // ---------------------------------------------------------------------------------------
  // Manifests against the Kubernetes and CRD schemas

  @Test
  void everyManifestConformsToTheSchemaOfItsKind() {
    assertThat(manifests).extracting(Manifest::kind)
        .contains("Namespace", "ServiceAccount", "SecretProviderClass", "Deployment", "Service");
    assertThat(manifests).anyMatch(m -> m.source().startsWith("pod-identity"))
        .anyMatch(m -> m.source().startsWith("optional"));
    List<String> violations = new ArrayList<>();
    for (Manifest manifest : manifests) {
      violations.addAll(Schemas.validate(manifest));
    }
    assertThat(violations).isEmpty();
  }

  // ---------------------------------------------------------------------------------------
  // Helm values, the rendered CSIDriver and the install script

  @Test
  void theHelmValuesUseOnlyKeysTheChartsDefine() {
    assertThat(HelmRules.knownKeys(VALUES, values(), providerDefaults(), driverDefaults())).isEmpty();
  }

  @Test
  void theVendoredChartsAreTheOnesThatGoTogether() {
    // The provider chart 3.1.1 locks its driver dependency to the driver chart vendored here.
    assertThat(Schemas.text(Schemas.PROVIDER + "/Chart.lock"))
        .containsPattern("name: secrets-store-csi-driver\\s+repository: \\S+\\s+version: 1\\.6\\.0");
    assertThat(Tree.text(driverDefaults(), "linux", "image", "tag")).isEqualTo("v1.6.0");
    assertThat(Tree.text(providerDefaults(), "image", "tag")).isEqualTo("3.1.1");
    assertThat(HelmRules.templateMirrored(Schemas.text(Schemas.DRIVER + "/csidriver.yaml.tpl"))).isEmpty();
  }

  @Test
  void theRenderedCsiDriverConformsToItsSchemaAndRequestsBothTokenAudiences() {
    Map<String, Object> csiDriver = csiDriver(values());
    assertThat(Schemas.validate(Schemas.of("storage.k8s.io/v1", "CSIDriver"), csiDriver, "rendered CSIDriver"))
        .isEmpty();
    assertThat(HelmRules.tokenRequests(VALUES, values(), csiDriver)).isEmpty();
    assertThat(Rules.driverValues(VALUES, Tree.map(values(), HelmRules.DRIVER_KEY))).isEmpty();
  }

  @Test
  void theInstallScriptInstallsThePinnedProviderChartWithTheseValues() {
    assertThat(HelmRules.installScript("helm/install.sh", read("helm/install.sh"), VALUES,
        Tree.text(providerDefaults(), "image", "tag"))).isEmpty();
  }

  // ---------------------------------------------------------------------------------------
  // EKS Pod Identity beside IRSA

  @Test
  void thePodIdentityVariantDiffersFromIrsaOnlyInHowItAuthenticates() {
    List<Manifest> irsaClasses = all("02-secretproviderclass.yaml");
    assertThat(irsaClasses).extracting(Manifest::name).contains("orders-secrets", "orders-spring-https-secrets");
    assertThat(PodIdentityRules.providerClasses(irsaClasses, all("pod-identity/02-secretproviderclass.yaml")))
        .isEmpty();
    List<Manifest> irsaAccounts = all("01-serviceaccount.yaml");
    assertThat(irsaAccounts).extracting(Manifest::name).contains("orders-spring", "orders-quarkus");
    assertThat(PodIdentityRules.serviceAccounts(irsaAccounts, all("pod-identity/01-serviceaccount.yaml"))).isEmpty();
  }

  @Test
  void eachPodIdentityTrustAdmitsOnlyItsOneServiceAccount() {
    for (Manifest serviceAccount : all("pod-identity/01-serviceaccount.yaml")) {
      String file = podIdentityTrustFile(serviceAccount);
      assertThat(PodIdentityRules.trustPolicy(file, json(read(file)), serviceAccount)).isEmpty();
    }
  }

  @Test
  void terraformCreatesTheAgentAnAssociationPerServiceAccountAndTheEksAuthEndpoint() {
    for (Manifest serviceAccount : all("pod-identity/01-serviceaccount.yaml")) {
      assertThat(PodIdentityRules.terraform(Hcl.load(module.resolve("terraform")), serviceAccount)).isEmpty();
    }
  }

  @Test
  void theApplicationContainersDoNotGetTheRolesCredentials() {
    for (Manifest deployment : manifests.stream().filter(m -> m.kind().equals("Deployment")).toList()) {
      assertThat(PodIdentityRules.skipContainers(deployment)).isEmpty();
    }
  }

  // ---------------------------------------------------------------------------------------
  // Each check rejects the mistake it is for

  @Nested
  class BrokenCopiesAreRejected {
    private final String springDeployment = read("manifests/10-orders-spring.yaml");
    private final String providerClass = read("manifests/02-secretproviderclass.yaml");
    private final String valuesText = read("helm/" + VALUES);

    @Test
    void aMisspelledFieldInADeployment() {
      List<String> violations = validate(replace(springDeployment, "            volumeAttributes:\n",
          "            volumeAtributes:\n"));
      assertThat(violations).anyMatch(v -> v.contains("volumeAtributes") && v.contains("is not defined in the schema"));
      assertThat(validate(replace(springDeployment, "readOnlyRootFilesystem: true", "readOnlyRootFileSystem: true")))
          .anyMatch(v -> v.contains("readOnlyRootFileSystem"));
      assertThat(validate(replace(springDeployment, "maxUnavailable: 0", "maxUnavailable: [0]")))
          .isNotEmpty();
    }

    @Test
    void aMisspelledFieldInTheSecretProviderClass() {
      assertThat(validate(replace(providerClass, "  provider: aws\n", "  providers: aws\n")))
          .anyMatch(v -> v.contains("providers") && v.contains("is not defined in the schema"));
      // parameters is map[string]string in the CRD: a YAML boolean is refused by the API server.
      assertThat(validate(replace(providerClass, "usePodIdentity: \"false\"", "usePodIdentity: false")))
          .anyMatch(v -> v.contains("usePodIdentity") && v.contains("boolean"));
    }

    @Test
    void aMissingTokenRequests() {
      String without = replace(valuesText, """
            tokenRequests:
              - audience: "sts.amazonaws.com"
              - audience: "pods.eks.amazonaws.com"
          """, "");
      Map<?, ?> broken = parse(without);
      assertThat(HelmRules.tokenRequests("broken", broken, csiDriver(broken)))
          .anyMatch(v -> v.contains("tokenRequests must request audience sts.amazonaws.com"))
          .anyMatch(v -> v.contains("tokenRequests must request audience pods.eks.amazonaws.com"));
      Map<?, ?> empty = parse(replace(valuesText, """
            tokenRequests:
              - audience: "sts.amazonaws.com"
              - audience: "pods.eks.amazonaws.com"
          """, "  tokenRequests: []\n"));
      assertThat(csiDriver(empty)).extracting(c -> Tree.at(c, "spec", "tokenRequests")).isNull();
      assertThat(HelmRules.tokenRequests("broken", empty, csiDriver(empty)))
          .anyMatch(v -> v.contains("rendered CSIDriver secrets-store.csi.k8s.io: spec.tokenRequests has no audience sts.amazonaws.com"));
      Map<?, ?> irsaOnly = parse(replace(valuesText, "    - audience: \"pods.eks.amazonaws.com\"\n", ""));
      assertThat(HelmRules.tokenRequests("broken", irsaOnly, csiDriver(irsaOnly)))
          .containsExactly("broken: secrets-store-csi-driver.tokenRequests must request audience pods.eks.amazonaws.com, "
              + "else the provider fails with \"serviceAccount.tokens not provided - ensure tokenRequests is configured "
              + "in CSIDriver\" (or \"token for audience ... not found\"), but it has [sts.amazonaws.com]",
              "rendered CSIDriver secrets-store.csi.k8s.io: spec.tokenRequests has no audience pods.eks.amazonaws.com");
    }

    @Test
    void aDriverInstalledApartOrWithoutRotation() {
      Map<?, ?> apart = parse(replace(valuesText, "  install: true", "  install: false"));
      assertThat(HelmRules.tokenRequests("broken", apart, csiDriver(apart)))
          .anyMatch(v -> v.contains("secrets-store-csi-driver.install must be true"));
      Map<?, ?> noRotation = parse(replace(valuesText, "enableSecretRotation: true", "enableSecretRotation: false"));
      assertThat(HelmRules.tokenRequests("broken", noRotation, csiDriver(noRotation)))
          .anyMatch(v -> v.contains("spec.requiresRepublish must be true"));
    }

    @Test
    void aMisspelledTokenRequestFieldOrHelmValue() {
      Map<?, ?> misspelled = parse(replace(valuesText, "- audience: \"sts.amazonaws.com\"",
          "- audiences: \"sts.amazonaws.com\""));
      assertThat(Schemas.validate(Schemas.of("storage.k8s.io/v1", "CSIDriver"), csiDriver(misspelled), "rendered CSIDriver"))
          .anyMatch(v -> v.contains("audiences") && v.contains("is not defined in the schema"));
      assertThat(HelmRules.knownKeys("broken", parse(replace(valuesText, "  rotationPollInterval: 2m",
          "  rotationPoolInterval: 2m")), providerDefaults(), driverDefaults()))
          .containsExactly("broken: secrets-store-csi-driver.rotationPoolInterval is not a value of the chart "
              + "(not in its default values)");
      assertThat(HelmRules.knownKeys("broken", parse(valuesText + "driverWriteSecrets: true\n"),
          providerDefaults(), driverDefaults()))
          .containsExactly("broken: driverWriteSecrets is not a value of the chart (not in its default values)");
    }

    @Test
    void anInstallScriptThatInstallsTheDriverApartOrUnpinned() {
      String script = read("helm/install.sh");
      String pinned = Tree.text(providerDefaults(), "image", "tag");
      assertThat(HelmRules.installScript("broken", replace(script, "  --version \"$PROVIDER_CHART_VERSION\" \\\n", ""),
          VALUES, pinned)).anyMatch(v -> v.contains("has no --version"));
      assertThat(HelmRules.installScript("broken", replace(script, "  --set secrets-store-csi-driver.syncSecret",
          "  --set secrets-store-csi-driver.install=false \\\n  --set secrets-store-csi-driver.syncSecret"), VALUES, pinned))
          .anyMatch(v -> v.contains("switches the bundled driver off"));
      assertThat(HelmRules.installScript("broken", script + "helm upgrade --install csi-secrets-store "
          + "secrets-store-csi-driver/secrets-store-csi-driver --namespace kube-system\n", VALUES, pinned))
          .anyMatch(v -> v.contains("expected one helm install"));
      assertThat(HelmRules.installScript("broken", replace(script, "PROVIDER_CHART_VERSION=3.1.1", "PROVIDER_CHART_VERSION=3.0.0"),
          VALUES, pinned)).anyMatch(v -> v.contains("must pin the vendored chart version 3.1.1"));
    }

    @Test
    void aPodIdentityVariantThatDrifts() {
      Manifest irsaClass = find("02-secretproviderclass.yaml");
      String podIdentityClass = read("manifests/pod-identity/02-secretproviderclass.yaml");
      assertThat(PodIdentityRules.providerClass(irsaClass, single(replace(podIdentityClass,
          "usePodIdentity: \"true\"", "usePodIdentity: \"false\"")))).anyMatch(v -> v.contains("usePodIdentity must be \"true\""));
      assertThat(PodIdentityRules.providerClass(irsaClass, single(replace(podIdentityClass,
          "objectAlias: \"API_KEY\"", "objectAlias: \"APIKEY\"")))).anyMatch(v -> v.contains("objects differ"));
      // The https class missing from the Pod Identity variant: HTTPS pods could not mount there.
      String firstOnly = podIdentityClass.substring(0, podIdentityClass.indexOf("\n---\n") + 1);
      assertThat(PodIdentityRules.providerClasses(all("02-secretproviderclass.yaml"),
          Manifest.parse("broken", firstOnly)))
          .singleElement().asString().isEqualTo("02-secretproviderclass.yaml: SecretProviderClass "
              + "orders/orders-spring-https-secrets: the EKS Pod Identity variant must define it once, but has 0 "
              + "SecretProviderClasses orders/orders-spring-https-secrets");
      String serviceAccount = read("manifests/pod-identity/01-serviceaccount.yaml");
      assertThat(PodIdentityRules.serviceAccount(find("01-serviceaccount.yaml"), single(replace(serviceAccount,
          "  namespace: orders\n", "  namespace: orders\n  annotations:\n    eks.amazonaws.com/role-arn: "
              + "arn:aws:iam::111122223333:role/orders-spring-secrets-reader\n"))))
          .anyMatch(v -> v.contains("must not carry the IRSA annotation"));
      // The Quarkus service's account missing from the Pod Identity variant: its pods would run
      // as an account without a role there.
      String springOnly = serviceAccount.substring(0, serviceAccount.indexOf("\n---\n") + 1);
      assertThat(PodIdentityRules.serviceAccounts(all("01-serviceaccount.yaml"), Manifest.parse("broken", springOnly)))
          .singleElement().asString().isEqualTo("01-serviceaccount.yaml: ServiceAccount orders/orders-quarkus: the EKS "
              + "Pod Identity variant must define it once, but has 0 ServiceAccounts orders/orders-quarkus");
    }

    @Test
    void aPodIdentityTrustOrTerraformThatAdmitsMore() {
      Manifest serviceAccount = find("pod-identity/01-serviceaccount.yaml");
      String trust = read(podIdentityTrustFile(serviceAccount));
      assertThat(PodIdentityRules.trustPolicy("broken", json(replace(trust, "        \"sts:TagSession\"\n", "")
          .replace("\"sts:AssumeRole\",", "\"sts:AssumeRole\"")), serviceAccount))
          .anyMatch(v -> v.contains("actions must be [sts:AssumeRole, sts:TagSession]"));
      assertThat(PodIdentityRules.trustPolicy("broken", json(replace(trust, "\"orders-spring\"", "\"orders-quarkus\"")),
          serviceAccount)).anyMatch(v -> v.contains("aws:RequestTag/kubernetes-service-account must be orders-spring"));
      assertThat(PodIdentityRules.trustPolicy("broken", json(replace(trust, "pods.eks.amazonaws.com", "eks.amazonaws.com")),
          serviceAccount)).anyMatch(v -> v.contains("principal must be the service pods.eks.amazonaws.com"));
      String terraform = Manifest.read(module.resolve("terraform/pod-identity.tf"));
      assertThat(PodIdentityRules.terraform(Hcl.of(replace(terraform, "service_account = local.spring_service_account",
          "service_account = \"default\"")), serviceAccount))
          .anyMatch(v -> v.contains("no aws_eks_pod_identity_association for orders/orders-spring"));
      // The Quarkus service's role trusting sessions of the Spring service's account.
      Manifest quarkusAccount = all("pod-identity/01-serviceaccount.yaml").stream()
          .filter(a -> a.name().equals("orders-quarkus")).findFirst().orElseThrow();
      assertThat(PodIdentityRules.terraform(Hcl.of(read("terraform/main.tf") + replace(terraform,
          "values   = [local.quarkus_service_account]", "values   = [local.spring_service_account]")), quarkusAccount))
          .containsExactly("aws_iam_role.orders_quarkus_secrets_reader_pod_identity (aws_eks_pod_identity_association."
              + "orders_quarkus), the role of orders/orders-quarkus: its trust (data.aws_iam_policy_document."
              + "orders_quarkus_secrets_reader_pod_identity_trust) must have StringEquals "
              + "aws:RequestTag/kubernetes-service-account = [orders-quarkus], but has [orders-spring]");
      assertThat(PodIdentityRules.terraform(Hcl.of(replace(terraform, ".eks-auth\"", ".sts\"")), serviceAccount))
          .anyMatch(v -> v.contains("no aws_vpc_endpoint for com.amazonaws.<region>.eks-auth"));
      assertThat(PodIdentityRules.terraform(Hcl.of(replace(terraform, "\"eks-pod-identity-agent\"", "\"vpc-cni\"")),
          serviceAccount)).anyMatch(v -> v.contains("no aws_eks_addon eks-pod-identity-agent"));
    }

    @Test
    void aDeploymentWithoutSkipContainers() {
      assertThat(PodIdentityRules.skipContainers(single(replace(springDeployment,
          "        eks.amazonaws.com/skip-containers: orders\n", "        example.com/other: x\n"))))
          .anyMatch(v -> v.contains("eks.amazonaws.com/skip-containers must list its containers [orders]"));
    }

    private List<String> validate(String yaml) {
      List<String> violations = new ArrayList<>();
      for (Manifest manifest : Manifest.parse("broken", yaml)) {
        violations.addAll(Schemas.validate(manifest));
      }
      return violations;
    }

    private Manifest single(String yaml) {
      List<Manifest> documents = Manifest.parse("broken", yaml);
      return documents.get(0);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Helpers

  private static Map<String, Object> csiDriver(Map<?, ?> values) {
    return HelmRules.csiDriver(HelmRules.effectiveDriverValues(values, providerDefaults(), driverDefaults()));
  }

  private static Map<?, ?> values() {
    return parse(read("helm/" + VALUES));
  }

  private static Map<?, ?> providerDefaults() {
    return parse(Schemas.text(Schemas.PROVIDER + "/values.yaml"));
  }

  private static Map<?, ?> driverDefaults() {
    return parse(Schemas.text(Schemas.DRIVER + "/values.yaml"));
  }

  private static Map<?, ?> parse(String yaml) {
    List<Manifest> documents = Manifest.parse("values", yaml);
    assertThat(documents).hasSize(1);
    return documents.get(0).document();
  }

  private static List<Manifest> all(String source) {
    List<Manifest> documents = manifests.stream().filter(m -> Objects.equals(m.source(), source)).toList();
    assertThat(documents).as("documents of " + source).isNotEmpty();
    return documents;
  }

  /** The Pod Identity trust document of the role that the same-named IRSA service account names. */
  private static String podIdentityTrustFile(Manifest podIdentityAccount) {
    Manifest irsa = all("01-serviceaccount.yaml").stream().filter(a -> a.name().equals(podIdentityAccount.name()))
        .findFirst().orElseThrow(() -> new AssertionError("no IRSA service account " + podIdentityAccount.name()));
    Matcher arn = Rules.ROLE_ARN.matcher(String.valueOf(Tree.text(irsa.document(), "metadata",
        "annotations", Rules.IRSA_ANNOTATION)));
    assertThat(arn.matches()).as(irsa.label()).isTrue();
    return "iam/" + arn.group(2) + "-" + LeastPrivilegeRules.POD_IDENTITY + "-trust-policy.json";
  }

  private static Manifest find(String source) {
    return manifests.stream().filter(m -> Objects.equals(m.source(), source)).findFirst()
        .orElseThrow(() -> new AssertionError("no manifest " + source));
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(String relative) {
    return Manifest.read(module.resolve(relative));
  }

  private static String replace(String text, String target, String replacement) {
    assertThat(text).as("the real file, before it is broken on purpose").contains(target);
    return text.replace(target, replacement);
  }
}
