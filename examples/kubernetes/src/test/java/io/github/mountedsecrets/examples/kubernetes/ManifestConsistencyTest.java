package io.github.mountedsecrets.examples.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Checks that the deployment material (manifests/, helm/, iam/, terraform/) agrees with itself
 * and with the two services: every name one file gives is the name the other files use, every
 * key the services read is a file of the mount, the mount is where the services read it, and
 * the permissions are exactly the reading of those secrets. The services' side is derived from
 * their own application.properties and sources, not from a list kept here.
 *
 * <p>The nested class feeds each rule a deliberately broken copy of a real file, to show the
 * rule would catch the mistake.
 */
class ManifestConsistencyTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String HELM_VALUES = "helm/secrets-store-csi-driver-provider-aws-values.yaml";
  private static final String SPRING_PROPERTIES = "../spring-boot-service/src/main/resources/application.properties";
  private static final String SPRING_HTTPS_PROPERTIES =
      "../spring-boot-service/src/main/resources/application-https.properties";
  private static final String HTTPS_CLASS = "orders-spring-https-secrets";

  private static Path module;
  private static List<Manifest> manifests;
  private static ServiceConfig spring;
  private static ServiceConfig quarkus;

  @BeforeAll
  static void load() {
    String configured = System.getProperty("mounted-secrets.kubernetes-example.dir");
    module = Path.of(configured != null ? configured : "").toAbsolutePath().normalize();
    // The EKS Pod Identity variant replaces two of these objects; ManifestSchemaTest checks it
    // against them.
    manifests = Manifest.loadAll(module.resolve("manifests")).stream()
        .filter(m -> !m.source().startsWith("pod-identity")).toList();
    spring = ServiceConfig.spring(module.resolve("../spring-boot-service").normalize());
    quarkus = ServiceConfig.quarkus(module.resolve("../quarkus-service").normalize(),
        module.resolve("../../quarkus-extension/runtime/src/main/java/io/github/mountedsecrets/quarkus/"
            + "MountedSecretsConfig.java").normalize());
  }

  // ---------------------------------------------------------------------------------------
  // Parsing

  @Test
  void everyManifestParsesAndNamesItsKindAndName() {
    assertThat(manifests).isNotEmpty();
    for (Manifest manifest : manifests) {
      assertThat(manifest.apiVersion()).as(manifest.source() + " apiVersion").isNotBlank();
      assertThat(manifest.kind()).as(manifest.source() + " kind").isNotBlank();
      assertThat(manifest.name()).as(manifest.source() + " metadata.name").isNotBlank();
    }
    assertThat(manifests).extracting(Manifest::kind).contains("Namespace", "ServiceAccount",
        "SecretProviderClass", "Deployment", "Service");
    for (Manifest providerClass : ofKind("SecretProviderClass")) {
      assertThat(providerClass.apiVersion()).isEqualTo("secrets-store.csi.x-k8s.io/v1");
      assertThat(Tree.text(providerClass.document(), "spec", "provider")).as(providerClass.label()).isEqualTo("aws");
      ProviderObjects objects = ProviderObjects.of(providerClass);
      for (ProviderObjects.SecretObject object : objects.objects()) {
        assertThat(object.objectType()).as(providerClass.label() + " " + object.objectName())
            .isEqualTo("secretsmanager");
      }
    }
    assertThat(helmValues()).isNotEmpty();
    for (Manifest serviceAccount : ofKind("ServiceAccount")) {
      assertThat(json(policyFile(serviceAccount)).path("Statement").isArray()).as(policyFile(serviceAccount)).isTrue();
      assertThat(json(trustFile(serviceAccount)).path("Statement").isArray()).as(trustFile(serviceAccount)).isTrue();
    }
  }

  @Test
  void everyNamespacedObjectIsInTheNamespaceTheManifestsCreate() {
    List<Manifest> namespaces = ofKind("Namespace");
    assertThat(namespaces).hasSize(1);
    String namespace = namespaces.get(0).name();
    for (Manifest manifest : manifests) {
      if (!manifest.kind().equals("Namespace")) {
        assertThat(manifest.namespace()).as(manifest.label()).isEqualTo(namespace);
      }
    }
  }

  @Test
  void eachServiceHasADeploymentAndEveryDeploymentIsAService() {
    assertThat(spring.problems()).isEmpty();
    assertThat(quarkus.problems()).isEmpty();
    Set<String> names = new TreeSet<>();
    for (ServiceConfig service : services()) {
      names.add(deploymentOf(service).name());
    }
    assertThat(ofKind("Deployment")).extracting(Manifest::name).containsExactlyInAnyOrderElementsOf(names);
  }

  // ---------------------------------------------------------------------------------------
  // SecretProviderClass and the keys the services read

  @Test
  void secretProviderClassesTheDeploymentsUseExist() {
    assertThat(Rules.providerClassesExist(ofKind("Deployment"), ofKind("SecretProviderClass"))).isEmpty();
    for (Manifest deployment : ofKind("Deployment")) {
      assertThat(Rules.providerClassesUsed(deployment)).as(deployment.label()).hasSize(1);
    }
  }

  @Test
  void theServicesReadKeysDerivedFromTheirOwnConfiguration() {
    // Not a list to compare against: a guard that the derivation found the three kinds of keys
    // (a JSON secret's fields, the jmesPath aliases, the API key the code reads).
    for (ServiceConfig service : services()) {
      assertThat(service.mountKeys()).as(service.framework() + " keys").hasSizeGreaterThanOrEqualTo(4);
      assertThat(service.mountKeys()).as(service.framework() + " keys").anyMatch(k -> k.contains("."));
    }
  }

  @Test
  void aliasesCoverEveryKeyTheServicesRead() {
    for (ServiceConfig service : services()) {
      Manifest deployment = deploymentOf(service);
      for (String used : Rules.providerClassesUsed(deployment)) {
        ProviderObjects objects = ProviderObjects.of(providerClass(used, deployment.namespace()));
        assertThat(Rules.aliasesCover(objects, service.mountKeys(), service.framework() + " (" + service.propertiesFile() + ")"))
            .isEmpty();
      }
    }
    // The variant carries the same objects, so a pod switched to it reads the same files.
    for (Manifest providerClass : ofKind("SecretProviderClass")) {
      for (ServiceConfig service : services()) {
        assertThat(Rules.aliasesCover(ProviderObjects.of(providerClass), service.mountKeys(), service.framework()))
            .isEmpty();
      }
    }
  }

  @Test
  void credentialsAndTheAddressTheyBelongToComeFromOneSecret() {
    // DB_USER, DB_PASSWORD and prod-db.* must be written from the same secret (one version per
    // driver poll), or a rotation could pair a new user with an old host or password.
    for (ServiceConfig service : services()) {
      for (Manifest providerClass : ofKind("SecretProviderClass")) {
        ProviderObjects objects = ProviderObjects.of(providerClass);
        Set<String> sources = new TreeSet<>();
        for (String key : service.mountKeys()) {
          ProviderObjects.SecretObject object = objects.objectWritingFile(key);
          if (object == null) {
            object = objects.objects().stream().filter(o -> key.startsWith(o.fileName() + "."))
                .findFirst().orElse(null);
          }
          if (object != null && !object.jmesPath().isEmpty()) {
            sources.add(object.objectName());
          }
        }
        assertThat(sources).as(providerClass.label() + ": secrets with jmesPath fields the "
            + service.framework() + " service reads").hasSize(1);
      }
    }
  }

  @Test
  void providerParametersAreStrings() {
    for (Manifest providerClass : ofKind("SecretProviderClass")) {
      assertThat(Rules.parametersAreStrings(providerClass)).isEmpty();
    }
  }

  @Test
  void theSyncVariantCopiesMountedFilesIntoASecretAndNoMainDeploymentUsesIt() {
    List<Manifest> withSecretObjects = ofKind("SecretProviderClass").stream()
        .filter(spc -> !Tree.maps(spc.document(), "spec", "secretObjects").isEmpty()).toList();
    assertThat(withSecretObjects).as("SecretProviderClasses with secretObjects").hasSize(1);
    Manifest sync = withSecretObjects.get(0);
    assertThat(sync.source()).as("the sync variant is not applied by kubectl apply -f manifests/")
        .startsWith("optional");
    assertThat(Rules.secretObjectsReferToFiles(ProviderObjects.of(sync))).isEmpty();
    for (Manifest deployment : ofKind("Deployment")) {
      assertThat(Rules.providerClassesUsed(deployment)).as(deployment.label()).doesNotContain(sync.name());
    }
  }

  // ---------------------------------------------------------------------------------------
  // Deployments

  @Test
  void theSecretsVolumeIsReadOnlyWholeAndWhereTheServicesReadIt() {
    for (ServiceConfig service : services()) {
      assertThat(Rules.secretsVolume(deploymentOf(service), service.mountDirectory())).isEmpty();
    }
  }

  @Test
  void theMountPathIsTheDefaultDirectoryOfBothServices() {
    // The manifests set no MOUNTED_SECRETS_DIRECTORY, so the default is what the pods read.
    for (ServiceConfig service : services()) {
      for (Map<?, ?> container : Rules.containers(deploymentOf(service))) {
        assertThat(Rules.environment(container)).doesNotContainKey(service.mountDirectory().environmentVariable());
      }
      assertThat(service.mountDirectory().defaultPath()).as(service.framework()).isEqualTo("/mnt/secrets-store");
    }
  }

  @Test
  void theDeploymentsRunAsServiceAccountsWhoseRolesTerraformCreates() throws IOException {
    for (Manifest deployment : ofKind("Deployment")) {
      assertThat(Rules.serviceAccount(deployment, ofKind("ServiceAccount"))).isEmpty();
    }
    // One service account per Deployment, with the HTTPS switch on too (LeastPrivilegeTest
    // checks the roles).
    List<String> accounts = new ArrayList<>();
    for (Manifest deployment : ofKind("Deployment")) {
      accounts.add(Tree.text(Rules.podSpec(deployment), "serviceAccountName"));
    }
    assertThat(accounts).doesNotHaveDuplicates();
    assertThat(Tree.text(Rules.podSpec(httpsDeployment()), "serviceAccountName"))
        .isEqualTo(Tree.text(Rules.podSpec(deploymentOf(spring)), "serviceAccountName"));
    for (Manifest serviceAccount : ofKind("ServiceAccount")) {
      assertThat(TerraformRules.check(terraform(), subject(serviceAccount), roleOf(serviceAccount),
          secretNames(serviceAccount), databaseSecretName())).as(serviceAccount.label()).isEmpty();
    }
  }

  @Test
  void noSecretInAnyEnvironmentVariableOrConfigMap() {
    Set<String> keys = allMountKeys();
    for (Manifest deployment : ofKind("Deployment")) {
      assertThat(Rules.noSecretInEnvironment(deployment, keys, ofKind("ConfigMap"))).isEmpty();
    }
    assertThat(Rules.noSecretInConfigMaps(ofKind("ConfigMap"), keys)).isEmpty();
    assertThat(ofKind("Secret")).as("Kubernetes Secrets in the manifests").isEmpty();
  }

  @Test
  void probesCallTheHealthEndpointsTheServicesServe() {
    for (ServiceConfig service : services()) {
      assertThat(Rules.probes(deploymentOf(service), service.health())).isEmpty();
    }
  }

  @Test
  void servicesSelectTheirDeploymentsPodsAndTargetTheApplicationPort() {
    for (ServiceConfig service : services()) {
      Manifest deployment = deploymentOf(service);
      List<Manifest> selecting = ofKind("Service").stream()
          .filter(s -> Objects.equals(s.name(), deployment.name())).toList();
      assertThat(selecting).as("Service " + deployment.name()).hasSize(1);
      // Without a profile the API and Actuator share one port, the one the probes call.
      assertThat(Rules.serviceTargets(selecting.get(0), deployment, service.health().port(), service.health().port()))
          .isEmpty();
    }
  }

  @Test
  void eachDeploymentMountsOnlyTheSecretsItsServiceReads() {
    for (ServiceConfig service : services()) {
      Manifest deployment = deploymentOf(service);
      assertThat(Rules.onlyObjectsRead(deployment, mountedWithVariants(deployment), service.mountKeys(),
          "the " + service.framework() + " service")).isEmpty();
    }
    Manifest https = httpsDeployment();
    assertThat(Rules.onlyObjectsRead(https, mountedWithVariants(https), httpsKeys(),
        "the Spring Boot service with profile https")).isEmpty();
    // The split is real: the Quarkus pods and the plain-HTTP Spring pods mount no TLS key.
    for (Manifest deployment : ofKind("Deployment")) {
      for (ProviderObjects objects : mountedWithVariants(deployment)) {
        assertThat(objects.files()).as(objects.providerClass().label())
            .doesNotContainAnyElementsOf(httpsProfile().tlsKeys());
      }
    }
  }

  // ---------------------------------------------------------------------------------------
  // The Spring Boot service's https profile

  @Test
  void theSpringServiceHasAnHttpsProfileServingACertificateFromTheMount() {
    ServiceConfig.Profile https = httpsProfile();
    assertThat(https.applicationTls()).as(https.file() + " serves the API over HTTPS").isTrue();
    assertThat(https.bundles()).as(https.file() + ": SSL bundles from the mount").isNotEmpty();
    assertThat(https.bundles().values()).allSatisfy(options ->
        assertThat(options).containsKeys("certificate", "private-key"));
    // Probes reach the same plain-HTTP endpoints with and without the profile, so the
    // Deployment's probes need no change when the profile is turned on.
    assertThat(https.health()).isEqualTo(spring.health());
  }

  @Test
  void theProviderClassesOfTheHttpsSpringDeploymentWriteTheHttpsFilesFromOneSecret() {
    List<ProviderObjects> classes = mountedWithVariants(httpsDeployment());
    assertThat(classes).extracting(o -> o.providerClass().source())
        .anyMatch(source -> source.startsWith("pod-identity")).anyMatch(source -> !source.startsWith("pod-identity"));
    for (ProviderObjects objects : classes) {
      assertThat(Rules.tlsFromOneSecret(objects, httpsProfile())).isEmpty();
    }
  }

  @Test
  void theSpringDeploymentTurnsHttpsOnWithItsMarkedLinesAndStaysValid() {
    Manifest plain = deploymentOf(spring);
    for (Map<?, ?> container : Rules.containers(plain)) {
      assertThat(Rules.environment(container)).as("HTTPS is off by default").doesNotContainKey("SPRING_PROFILES_ACTIVE");
    }
    Manifest https = httpsDeployment();
    assertThat(Rules.activatesHttpsProfile(https, spring.profiles())).isEmpty();
    List<String> violations = new ArrayList<>();
    List<ServiceConfig.Profile> active = Rules.activeProfiles(https, spring.profiles(), violations);
    assertThat(violations).isEmpty();
    Manifest service = httpsService();
    for (ServiceConfig.Profile profile : active) {
      assertThat(Rules.probes(https, profile.health())).isEmpty();
      assertThat(Rules.serviceTargets(service, https, profile.applicationPort(), profile.health().port())).isEmpty();
    }
    assertThat(Tree.maps(service.document(), "spec", "ports")).extracting(p -> Tree.text(p, "port"))
        .containsExactly("443");
    assertThat(Rules.providerClassesExist(List.of(https), ofKind("SecretProviderClass"))).isEmpty();
    assertThat(Rules.providerClassesUsed(https)).doesNotContainAnyElementsOf(Rules.providerClassesUsed(plain));
    assertThat(Rules.noSecretInEnvironment(https, allMountKeys(), ofKind("ConfigMap"))).isEmpty();
    assertThat(Rules.hardened(https)).isEmpty();
    assertThat(Rules.secretsVolume(https, spring.mountDirectory())).isEmpty();
    assertThat(PodIdentityRules.skipContainers(https)).isEmpty();
    assertThat(Schemas.validate(https)).isEmpty();
    assertThat(Schemas.validate(service)).isEmpty();
  }

  @Test
  void podsAreHardenedAndSized() {
    for (Manifest deployment : ofKind("Deployment")) {
      assertThat(Rules.hardened(deployment)).isEmpty();
    }
  }

  // ---------------------------------------------------------------------------------------
  // Helm, IAM, Terraform

  @Test
  void theDriverRotatesAndDoesNotSyncSecretsByDefault() {
    assertThat(Rules.driverValues(HELM_VALUES, Tree.map(helmValues(), "secrets-store-csi-driver"))).isEmpty();
    String script = read("helm/install.sh");
    assertThat(script).contains("aws-secrets-manager/secrets-store-csi-driver-provider-aws",
        "--values \"$here/secrets-store-csi-driver-provider-aws-values.yaml\"",
        "--set secrets-store-csi-driver.syncSecret.enabled=\"$sync\"")
        .doesNotContain("secrets-store-csi-driver.install=false");
  }

  @Test
  void theIamPoliciesGrantOnlyReadingTheExactSecrets() {
    for (Manifest serviceAccount : ofKind("ServiceAccount")) {
      assertThat(Rules.readerPolicy(policyFile(serviceAccount), json(policyFile(serviceAccount)), region(), account(),
          secretNames(serviceAccount))).isEmpty();
    }
  }

  @Test
  void eachTrustPolicyAdmitsOnlyItsOneServiceAccount() {
    for (Manifest serviceAccount : ofKind("ServiceAccount")) {
      JsonNode trust = json(trustFile(serviceAccount));
      assertThat(Rules.trustPolicy(trustFile(serviceAccount), trust, subject(serviceAccount))).isEmpty();
      assertThat(trust.toString()).contains("oidc.eks." + region() + ".amazonaws.com", ":" + account() + ":");
    }
  }

  @Test
  void oneRegionAndOneAccountEverywhere() {
    for (Manifest providerClass : ofKind("SecretProviderClass")) {
      assertThat(Tree.text(providerClass.document(), "spec", "parameters", "region"))
          .as(providerClass.label()).isEqualTo(region());
    }
    assertThat(read("terraform/terraform.tfvars.example"))
        .containsPattern("(?m)^region\\s*=\\s*\"" + Pattern.quote(region()) + "\"");
    for (Manifest deployment : ofKind("Deployment")) {
      for (Map<?, ?> container : Rules.containers(deployment)) {
        assertThat(Tree.text(container, "image")).as(deployment.label())
            .startsWith(account() + ".dkr.ecr." + region() + ".amazonaws.com/");
      }
    }
  }

  @Test
  void terraformHasNoWildcardInPoliciesAndManagesNoSecretValue() {
    Hcl hcl = terraform();
    for (String document : hcl.labelled("data", "aws_iam_policy_document").values()) {
      assertThat(Hcl.strings(document)).noneMatch(s -> s.contains("*"));
    }
    assertThat(hcl.labelled("resource", "aws_secretsmanager_secret_version"))
        .as("secret values in Terraform end up in its state file").isEmpty();
  }

  // ---------------------------------------------------------------------------------------
  // Each rule catches the mistake it is for

  @Nested
  class RulesCatchBrokenCopies {
    private final String springDeployment = read("manifests/10-orders-spring.yaml");
    private final String providerClass = read("manifests/02-secretproviderclass.yaml");
    private final String podIdentityProviderClass = read("manifests/pod-identity/02-secretproviderclass.yaml");
    private final String tlsObject = """
              - objectName: "prod/orders/tls"
                objectType: "secretsmanager"
                objectAlias: "orders-tls"
                jmesPath:
                  - path: "certificate"
                    objectAlias: "tls.crt"
                  - path: "privateKey"
                    objectAlias: "tls.key"
        """;

    @Test
    void aQuarkusClassThatCarriesTheSpringServicesTlsObject() {
      // The layout before the split: the TLS object in the class both services mount.
      String apiKey = "        objectAlias: \"API_KEY\"\n";
      for (String text : List.of(providerClass, podIdentityProviderClass)) {
        int shared = text.indexOf(apiKey) + apiKey.length();
        String broken = text.substring(0, shared) + tlsObject + text.substring(shared);
        ProviderObjects sharedClass = ProviderObjects.of(named(Manifest.parse("broken", broken), "orders-secrets"));
        Manifest quarkusDeployment = deploymentOf(quarkus);
        assertThat(Rules.providerClassesUsed(quarkusDeployment)).contains("orders-secrets");
        assertThat(Rules.onlyObjectsRead(quarkusDeployment, List.of(sharedClass), quarkus.mountKeys(),
            "the Quarkus service"))
            .singleElement().asString()
            .startsWith("broken: SecretProviderClass orders/orders-secrets, mounted by 11-orders-quarkus.yaml: "
                + "Deployment orders/orders-quarkus: object prod/orders/tls "
                + "(files [orders-tls, tls.crt, tls.key]) is read by no key of the Quarkus service");
        assertThat(Rules.onlyObjectsRead(deploymentOf(spring), List.of(sharedClass), spring.mountKeys(),
            "the Spring Boot service")).anyMatch(v -> v.contains("object prod/orders/tls"));
      }
    }

    @Test
    void aPlainHttpSpringDeploymentThatMountsTheHttpsClass() {
      Manifest broken = deployment(replace(springDeployment, "secretProviderClass: orders-secrets # plain-http",
          "secretProviderClass: orders-spring-https-secrets"));
      assertThat(Rules.onlyObjectsRead(broken, mounted(broken, ofKind("SecretProviderClass")), spring.mountKeys(),
          "the Spring Boot service")).anyMatch(v -> v.contains("object prod/orders/tls"));
      // And the other way round: HTTPS on, the volume left on the class without the TLS files.
      Manifest unswitched = deployment(Rules.httpsVariant(replace(springDeployment,
          "              #https secretProviderClass: orders-spring-https-secrets\n", "")
          .replace("secretProviderClass: orders-secrets # plain-http", "secretProviderClass: orders-secrets")));
      for (ProviderObjects objects : mounted(unswitched, ofKind("SecretProviderClass"))) {
        assertThat(Rules.tlsFromOneSecret(objects, httpsProfile()))
            .anyMatch(v -> v.contains("writes no file for key tls.crt"));
      }
    }

    @Test
    void aSubPathMountOfOneFile() {
      List<String> violations = secretsVolume(replace(springDeployment,
          "              mountPath: /mnt/secrets-store\n",
          "              mountPath: /mnt/secrets-store/DB_PASSWORD\n              subPath: DB_PASSWORD\n"));
      assertThat(violations).anyMatch(v -> v.contains("uses subPath"))
          .anyMatch(v -> v.contains("mountPath is /mnt/secrets-store/DB_PASSWORD"));
    }

    @Test
    void aWritableMount() {
      List<String> violations = secretsVolume(replace(springDeployment, "readOnly: true", "readOnly: false"));
      assertThat(violations).anyMatch(v -> v.contains("csi.readOnly: true"))
          .anyMatch(v -> v.contains("volumeMount secrets-store: readOnly must be true"));
    }

    @Test
    void aMountPathTheApplicationDoesNotRead() {
      assertThat(secretsVolume(replace(springDeployment, "mountPath: /mnt/secrets-store", "mountPath: /etc/secrets")))
          .anyMatch(v -> v.contains("mountPath is /etc/secrets but the application reads /mnt/secrets-store"));
      // The environment variable moves the directory the application reads.
      String moved = replace(springDeployment, "          volumeMounts:\n",
          "          env:\n            - name: " + spring.mountDirectory().environmentVariable()
              + "\n              value: /var/run/secrets\n          volumeMounts:\n");
      assertThat(secretsVolume(moved)).anyMatch(v -> v.contains("the application reads /var/run/secrets"));
    }

    @Test
    void aDeploymentWithoutTheCsiVolume() {
      assertThat(secretsVolume(replace(springDeployment, "driver: secrets-store.csi.k8s.io", "driver: other.csi.example.com")))
          .anyMatch(v -> v.contains("has no CSI volume of driver secrets-store.csi.k8s.io"));
    }

    @Test
    void aSecretProviderClassThatDoesNotExist() {
      List<Manifest> broken = Manifest.parse("broken", replace(springDeployment,
          "secretProviderClass: orders-secrets #", "secretProviderClass: orders-secret #"));
      assertThat(Rules.providerClassesExist(kind(broken, "Deployment"), ofKind("SecretProviderClass")))
          .anyMatch(v -> v.contains("uses SecretProviderClass orders-secret, which no manifest defines"));
    }

    @Test
    void aKeyTheServicesReadThatNoAliasWrites() {
      ProviderObjects renamed = ProviderObjects.of(named(Manifest.parse("broken",
          replace(providerClass, "objectAlias: \"DB_PASSWORD\"", "objectAlias: \"DB_PASS\"")), "orders-secrets"));
      assertThat(Rules.aliasesCover(renamed, spring.mountKeys(), "the Spring Boot service"))
          .anyMatch(v -> v.contains("writes no file for key DB_PASSWORD"));
      ProviderObjects unaliased = ProviderObjects.of(named(Manifest.parse("broken",
          replace(providerClass, "        objectAlias: \"prod-db\"\n", "")), "orders-secrets"));
      assertThat(unaliased.files()).contains("prod_orders_db");
      assertThat(Rules.aliasesCover(unaliased, quarkus.mountKeys(), "the Quarkus service"))
          .anyMatch(v -> v.contains("writes no file for key prod-db.host"));
    }

    @Test
    void anHttpsKeyThatNoAliasWritesOrThatComesFromAnotherSecret() {
      ProviderObjects renamed = ProviderObjects.of(named(Manifest.parse("broken",
          replace(providerClass, "objectAlias: \"tls.key\"", "objectAlias: \"tls-key\"")), HTTPS_CLASS));
      assertThat(Rules.tlsFromOneSecret(renamed, httpsProfile()))
          .anyMatch(v -> v.contains("writes no file for key tls.key that the Spring Boot service's profile https"));
      ProviderObjects split = ProviderObjects.of(named(Manifest.parse("broken", replace(providerClass,
          "          - path: \"privateKey\"\n            objectAlias: \"tls.key\"\n",
          "      - objectName: \"prod/orders/tls-key\"\n        objectType: \"secretsmanager\"\n"
              + "        objectAlias: \"tls.key\"\n")), HTTPS_CLASS));
      assertThat(split.files()).contains("tls.crt", "tls.key");
      assertThat(Rules.tlsFromOneSecret(split, httpsProfile()))
          .anyMatch(v -> v.contains("reads its certificate (tls.crt) from secret prod/orders/tls and its "
              + "private key (tls.key) from secret prod/orders/tls-key"));
      ServiceConfig.Profile otherKey = brokenHttpsProfile("private-key=tls.key", "private-key=tls.pem");
      assertThat(Rules.tlsFromOneSecret(ProviderObjects.of(named(Manifest.parse("real", providerClass), HTTPS_CLASS)),
          otherKey))
          .anyMatch(v -> v.contains("writes no file for key tls.pem"));
    }

    @Test
    void anHttpsProfileWhoseHealthEndpointsMoveOrSpeakTls() {
      String on = Rules.httpsVariant(springDeployment);
      ServiceConfig.Profile tlsManagement = brokenHttpsProfile("management.server.ssl.enabled=false\n", "");
      assertThat(tlsManagement.health().tls()).isTrue();
      assertThat(Rules.probes(deployment(on), tlsManagement.health()))
          .anyMatch(v -> v.contains("livenessProbe uses scheme HTTP but the application serves its health "
              + "endpoints over HTTPS on 8080"));
      ServiceConfig.Profile samePort = brokenHttpsProfile("management.server.port=8080\n", "");
      assertThat(Rules.probes(deployment(on), samePort.health()))
          .anyMatch(v -> v.contains("readinessProbe calls port http (8080) but the application serves its "
              + "health endpoints on 8443"));
      List<String> problems = new ArrayList<>();
      ServiceConfig.springProfile("https", Path.of("broken"), ServiceConfig.parse(read(SPRING_PROPERTIES)),
          ServiceConfig.parse(replace(read(SPRING_HTTPS_PROPERTIES), "server.ssl.bundle=web", "server.ssl.bundle=api")),
          problems);
      assertThat(problems).anyMatch(v -> v.contains("server.ssl.bundle=api but mounted-secrets.ssl.bundle.api"));
    }

    @Test
    void anHttpsSwitchThatNamesNoProfileOrAServiceWithTheWrongPorts() {
      assertThat(Rules.httpsVariant(springDeployment.replace(Rules.HTTPS_MARK, "# "))).isNull();
      Manifest unknown = deployment(Rules.httpsVariant(replace(springDeployment, "#https     value: https",
          "#https     value: tls")));
      assertThat(Rules.activatesHttpsProfile(unknown, spring.profiles()))
          .anyMatch(v -> v.contains("names profile tls, but the service has no application-tls.properties"));
      Manifest https = deployment(Rules.httpsVariant(springDeployment));
      assertThat(Rules.activatesHttpsProfile(https, List.of()))
          .anyMatch(v -> v.contains("names profile https, but the service has no application-https.properties"));
      int api = httpsProfile().applicationPort();
      int management = httpsProfile().health().port();
      // HTTPS on, but port 80 kept: Actuator over plain HTTP through the Service.
      String plainKept = Rules.httpsVariant(replace(springDeployment, """
              - name: http # plain-http
                port: 80 # plain-http
                targetPort: http # plain-http
                protocol: TCP # plain-http
          """, """
              - name: http
                port: 80
                targetPort: http
                protocol: TCP
          """));
      assertThat(Rules.serviceTargets(single(kind(Manifest.parse("broken", plainKept), "Service")),
          deployment(plainKept), api, management))
          .singleElement().asString().endsWith(": Service orders/orders-spring: port 80 (targetPort http) reaches only "
              + "Actuator on 8080, not the API on 8443; the probes call the pod directly, so the Service should "
              + "not expose it");
      // HTTPS on, but no port for it.
      String withoutHttpsPort = Rules.httpsVariant(replace(springDeployment, """
              #https - name: https
              #https   port: 443
              #https   targetPort: https
              #https   protocol: TCP
          """, ""));
      assertThat(Rules.serviceTargets(single(kind(Manifest.parse("broken", withoutHttpsPort), "Service")),
          deployment(withoutHttpsPort), api, management))
          .anyMatch(v -> v.contains("no port targets the application's API port 8443"));
      String withoutContainerPort = Rules.httpsVariant(replace(springDeployment,
          "            - name: https\n              containerPort: 8443\n              protocol: TCP\n", ""));
      assertThat(Rules.serviceTargets(single(kind(Manifest.parse("broken", withoutContainerPort), "Service")),
          deployment(withoutContainerPort), api, management))
          .anyMatch(v -> v.contains("port 443 (targetPort https) targets null, not the application's API port 8443"));
    }

    private ServiceConfig.Profile brokenHttpsProfile(String target, String replacement) {
      List<String> problems = new ArrayList<>();
      ServiceConfig.Profile profile = ServiceConfig.springProfile("https", Path.of("broken"),
          ServiceConfig.parse(read(SPRING_PROPERTIES)),
          ServiceConfig.parse(replace(read(SPRING_HTTPS_PROPERTIES), target, replacement)), problems);
      assertThat(problems).isEmpty();
      return profile;
    }

    @Test
    void aParameterThatIsNotAString() {
      Manifest broken = named(Manifest.parse("broken", replace(providerClass,
          "usePodIdentity: \"false\"", "usePodIdentity: false")), "orders-secrets");
      assertThat(Rules.parametersAreStrings(broken)).anyMatch(v -> v.contains("parameter usePodIdentity"));
    }

    @Test
    void aSecretInTheEnvironmentOrInAConfigMap() {
      String withEnv = replace(springDeployment, "          volumeMounts:\n", """
                    env:
                      - name: DB_PASSWORD
                        valueFrom:
                          secretKeyRef:
                            name: orders-db
                            key: password
                    envFrom:
                      - configMapRef:
                          name: orders-config
                    volumeMounts:
          """);
      List<Manifest> configMap = Manifest.parse("broken", """
          apiVersion: v1
          kind: ConfigMap
          metadata:
            name: orders-config
            namespace: orders
          data:
            API_KEY: not-a-place-for-it
          """);
      List<String> violations = Rules.noSecretInEnvironment(deployment(withEnv), allMountKeys(), configMap);
      assertThat(violations).anyMatch(v -> v.contains("env DB_PASSWORD comes from a Secret"))
          .anyMatch(v -> v.contains("env DB_PASSWORD is named like a secret"))
          .anyMatch(v -> v.contains("envFrom ConfigMap orders-config: key API_KEY"));
      assertThat(Rules.noSecretInConfigMaps(configMap, allMountKeys())).anyMatch(v -> v.contains("key API_KEY"));
    }

    @Test
    void aProbeOnAPathOrPortTheApplicationDoesNotServe() {
      assertThat(Rules.probes(deployment(replace(springDeployment,
          "path: /actuator/health/readiness", "path: /actuator/health")), spring.health()))
          .anyMatch(v -> v.contains("readinessProbe calls /actuator/health but the application serves "
              + spring.health().readiness()));
      assertThat(Rules.probes(deployment(springDeployment), quarkus.health()))
          .anyMatch(v -> v.contains("livenessProbe calls /actuator/health/liveness"));
      assertThat(Rules.probes(deployment(replace(springDeployment, "port: http", "port: 9090")), spring.health()))
          .anyMatch(v -> v.contains("calls port 9090"));
    }

    @Test
    void anotherServiceAccount() {
      assertThat(Rules.serviceAccount(deployment(replace(springDeployment,
          "serviceAccountName: orders-spring", "serviceAccountName: default")), ofKind("ServiceAccount")))
          .anyMatch(v -> v.contains("runs as service account default, which no manifest defines in namespace orders"));
    }

    @Test
    void aRootContainer() {
      assertThat(Rules.hardened(deployment(replace(springDeployment, "runAsNonRoot: true", "runAsNonRoot: false"))))
          .anyMatch(v -> v.contains("runAsNonRoot must be true"));
    }

    @Test
    void rotationDisabledInTheDriverOrSyncOnByDefault() {
      String values = read(HELM_VALUES);
      assertThat(Rules.driverValues("broken", Tree.map(single(Manifest.parse("broken",
          replace(values, "enableSecretRotation: true", "enableSecretRotation: false"))).document(),
          "secrets-store-csi-driver")))
          .anyMatch(v -> v.contains("enableSecretRotation must be true"));
      assertThat(Rules.driverValues("broken", Tree.map(single(Manifest.parse("broken",
          replace(values, "    enabled: false", "    enabled: true"))).document(), "secrets-store-csi-driver")))
          .anyMatch(v -> v.contains("syncSecret.enabled must be false"));
    }

    @Test
    void aWildcardAnExtraActionOrAnUnconditionedDecryptInTheIamPolicy() {
      String policy = read(policyFile(springServiceAccount()));
      assertThat(readerPolicy(replace(policy, "prod/orders/db-??????", "prod/orders/*")))
          .anyMatch(v -> v.contains("contains \"*\""));
      assertThat(readerPolicy(replace(policy, "\"secretsmanager:DescribeSecret\"",
          "\"secretsmanager:DescribeSecret\", \"secretsmanager:PutSecretValue\"")))
          .anyMatch(v -> v.contains("action secretsmanager:PutSecretValue is not needed"));
      assertThat(readerPolicy(replace(policy, "\"kms:ViaService\"", "\"kms:CallerAccount\"")))
          .anyMatch(v -> v.contains("kms:ViaService"));
      assertThat(readerPolicy(replace(policy, "prod/orders/api-key-??????", "prod/payments/api-key-??????")))
          .anyMatch(v -> v.contains("is not the exact ARN"))
          .anyMatch(v -> v.contains("prod/orders/api-key is granted []"));
      assertThat(readerPolicy(replace(policy, "\"Resource\": [", "\"NotResource\": [")))
          .anyMatch(v -> v.contains("uses NotResource"));
    }

    @Test
    void aTrustPolicyThatAdmitsOtherServiceAccounts() {
      String trust = read(trustFile(springServiceAccount()));
      assertThat(trustPolicy(replace(trust, "\"StringEquals\"", "\"StringLike\"")))
          .anyMatch(v -> v.contains("uses StringLike"));
      // The other service's account: its pods would get the Spring service's TLS key.
      assertThat(trustPolicy(replace(trust, "system:serviceaccount:orders:orders-spring", "system:serviceaccount:orders:orders-quarkus")))
          .anyMatch(v -> v.contains(":sub must be system:serviceaccount:orders:orders-spring, but is "
              + "system:serviceaccount:orders:orders-quarkus"));
      assertThat(trustPolicy(replace(trust, "\"sts.amazonaws.com\"", "\"sts.example.com\"")))
          .anyMatch(v -> v.contains(":aud must be sts.amazonaws.com"));
    }

    @Test
    void terraformThatDisagreesWithTheManifests() {
      String text = terraformText();
      assertThat(terraformViolations(replace(text, "\"system:serviceaccount:orders:orders-spring\"",
          "\"system:serviceaccount:orders:default\"")))
          .anyMatch(v -> v.contains("StringEquals on <issuer>:sub must be exactly [system:serviceaccount:orders:orders-spring]"));
      // The Spring role trusting the Quarkus service's account.
      assertThat(terraformViolations(replace(text, "values   = [local.spring_service_account_subject]",
          "values   = [local.quarkus_service_account_subject]")))
          .anyMatch(v -> v.contains("StringEquals on <issuer>:sub must be exactly [system:serviceaccount:orders:orders-spring], "
              + "but is [system:serviceaccount:orders:orders-quarkus]"));
      assertThat(terraformViolations(replace(text, "spring_role_name                = \"orders-spring-secrets-reader\"",
          "spring_role_name                = \"orders-reader\"")))
          .anyMatch(v -> v.contains("no aws_iam_role is named orders-spring-secrets-reader"));
      assertThat(terraformViolations(replace(text, "\"prod/orders/api-key\"", "\"prod/orders/apikey\"")))
          .anyMatch(v -> v.contains("no aws_secretsmanager_secret is named prod/orders/api-key"));
      assertThat(terraformViolations(replace(text, "private_dns_enabled = true", "private_dns_enabled = false")))
          .anyMatch(v -> v.contains("private_dns_enabled = true"));
      assertThat(terraformViolations(replace(text, "\"secretsmanager:DescribeSecret\",", "\"secretsmanager:*\",")))
          .anyMatch(v -> v.contains("action secretsmanager:* is not needed"))
          .anyMatch(v -> v.contains("contains \"*\""));
      assertThat(terraformViolations(replace(text, "variable = \"kms:ViaService\"", "variable = \"kms:CallerAccount\"")))
          .anyMatch(v -> v.contains("kms:Decrypt must have a StringEquals kms:ViaService"));
      assertThat(terraformViolations(replace(text, "test     = \"StringEquals\"\n      variable = \"${local.oidc_issuer}:sub\"",
          "test     = \"StringLike\"\n      variable = \"${local.oidc_issuer}:sub\"")))
          .anyMatch(v -> v.contains("uses StringLike"));
      assertThat(terraformViolations(replace(text, "secret_id           = aws_secretsmanager_secret.db.id",
          "secret_id           = aws_secretsmanager_secret.api_key.id")))
          .anyMatch(v -> v.contains("no aws_secretsmanager_secret_rotation rotates prod/orders/db"));
      // The Quarkus service's role granted the Spring service's TLS secret: more than its pods mount.
      Manifest quarkusAccount = serviceAccountOf(deploymentOf(quarkus));
      assertThat(TerraformRules.check(Hcl.of(replace(text, "      aws_secretsmanager_secret.api_key.arn,\n    ]\n",
          "      aws_secretsmanager_secret.api_key.arn,\n      aws_secretsmanager_secret.tls.arn,\n    ]\n")),
          subject(quarkusAccount), roleOf(quarkusAccount), secretNames(quarkusAccount), databaseSecretName()))
          .containsExactly("aws_iam_role.orders_quarkus_secrets_reader: its policies grant secret prod/orders/tls, "
              + "which no SecretProviderClass its service account's pods mount reads [prod/orders/db, "
              + "prod/orders/api-key]; remove it");
    }

    @Test
    void keysAreDerivedFromPlaceholdersWithoutDefaults() {
      Map<String, String> properties = ServiceConfig.parse("""
          spring.config.import=mounted-secrets:${MOUNT:/mnt/s}
          spring.datasource.url=jdbc:postgresql://${db.host}:${db.port}/app
          spring.datasource.username=${U}
          spring.datasource.password=${P:fallback}
          greeting=hello ${name}
          name=world
          server.port=${server.port.base}
          """);
      assertThat(ServiceConfig.placeholderKeys(properties, "spring.config.import"))
          .containsExactly("U", "db.host", "db.port");
      ServiceConfig.MountDirectory directory = ServiceConfig.directory(Path.of("p"), "spring.config.import",
          "${MOUNT:/mnt/s}", new ArrayList<>());
      assertThat(directory.in(Map.of())).isEqualTo("/mnt/s");
      assertThat(directory.in(Map.of("MOUNT", "/elsewhere"))).isEqualTo("/elsewhere");
    }

    private List<String> secretsVolume(String deploymentYaml) {
      return Rules.secretsVolume(deployment(deploymentYaml), spring.mountDirectory());
    }

    private List<String> readerPolicy(String policy) {
      return Rules.readerPolicy("broken", parseJson(policy), region(), account(), secretNames(springServiceAccount()));
    }

    private List<String> trustPolicy(String trust) {
      return Rules.trustPolicy("broken", parseJson(trust), subject(springServiceAccount()));
    }

    /** The Spring service's role, as the checks see it in the broken Terraform. */
    private List<String> terraformViolations(String text) {
      Manifest serviceAccount = springServiceAccount();
      return TerraformRules.check(Hcl.of(text), subject(serviceAccount), roleOf(serviceAccount),
          secretNames(serviceAccount), databaseSecretName());
    }
  }

  // ---------------------------------------------------------------------------------------
  // Helpers

  private static List<ServiceConfig> services() {
    return List.of(spring, quarkus);
  }

  private static ServiceConfig.Profile httpsProfile() {
    return spring.profiles().stream().filter(p -> p.name().equals("https")).findFirst()
        .orElseGet(() -> fail("the Spring Boot service has no application-https.properties"));
  }

  /** The Spring Deployment as the README's switch turns HTTPS on (Rules.httpsVariant). */
  private static Manifest httpsDeployment() {
    return single(kind(httpsVariantOfSpringFile(), "Deployment"));
  }

  /** The Spring Service as the README's switch turns HTTPS on. */
  private static Manifest httpsService() {
    return single(kind(httpsVariantOfSpringFile(), "Service"));
  }

  private static List<Manifest> httpsVariantOfSpringFile() {
    String on = Rules.httpsVariant(read("manifests/10-orders-spring.yaml"));
    assertThat(on).as("lines marked " + Rules.HTTPS_MARK + "in manifests/10-orders-spring.yaml").isNotNull();
    return Manifest.parse("10-orders-spring.yaml (https)", on);
  }

  /** Every key the Spring service reads with its https profile. */
  private static Set<String> httpsKeys() {
    Set<String> keys = new TreeSet<>(spring.mountKeys());
    keys.addAll(httpsProfile().tlsKeys());
    return keys;
  }

  /**
   * The classes the Deployment mounts, as the IRSA manifests and the EKS Pod Identity variant
   * (manifests/pod-identity/) define them.
   */
  private static List<ProviderObjects> mountedWithVariants(Manifest deployment) {
    List<Manifest> all = Manifest.loadAll(module.resolve("manifests")).stream()
        .filter(m -> "SecretProviderClass".equals(m.kind())).toList();
    List<ProviderObjects> mounted = mounted(deployment, all);
    assertThat(mounted).as(deployment.label() + ": its classes, IRSA and Pod Identity")
        .hasSize(2 * Rules.providerClassesUsed(deployment).size());
    return mounted;
  }

  /** The classes among the given ones that the Deployment mounts (same name and namespace). */
  private static List<ProviderObjects> mounted(Manifest deployment, List<Manifest> classes) {
    Set<String> used = Rules.providerClassesUsed(deployment);
    return classes.stream()
        .filter(m -> used.contains(m.name()) && Objects.equals(m.namespace(), deployment.namespace()))
        .map(ProviderObjects::of).toList();
  }

  private static Manifest named(List<Manifest> documents, String name) {
    return documents.stream().filter(m -> name.equals(m.name())).findFirst()
        .orElseGet(() -> fail("no document named " + name));
  }

  private static List<Manifest> ofKind(String kind) {
    return kind(manifests, kind);
  }

  private static List<Manifest> kind(List<Manifest> documents, String kind) {
    return documents.stream().filter(m -> kind.equals(m.kind())).toList();
  }

  private static Manifest single(List<Manifest> documents) {
    assertThat(documents).hasSize(1);
    return documents.get(0);
  }

  private static Manifest deployment(String yaml) {
    return single(kind(Manifest.parse("broken", yaml), "Deployment"));
  }

  private static Manifest deploymentOf(ServiceConfig service) {
    return ofKind("Deployment").stream().filter(d -> Objects.equals(d.name(), service.applicationName()))
        .findFirst().orElseGet(() -> fail("no Deployment named " + service.applicationName()
            + ", the application name in " + service.propertiesFile()));
  }

  private static Manifest providerClass(String name, String namespace) {
    return ofKind("SecretProviderClass").stream()
        .filter(s -> name.equals(s.name()) && Objects.equals(namespace, s.namespace()))
        .findFirst().orElseGet(() -> fail("no SecretProviderClass " + namespace + "/" + name));
  }

  /** The service account the Spring Deployment runs as. */
  private static Manifest springServiceAccount() {
    return serviceAccountOf(deploymentOf(spring));
  }

  private static Manifest serviceAccountOf(Manifest deployment) {
    String name = Tree.text(Rules.podSpec(deployment), "serviceAccountName");
    return ofKind("ServiceAccount").stream()
        .filter(a -> Objects.equals(name, a.name()) && Objects.equals(deployment.namespace(), a.namespace()))
        .findFirst().orElseGet(() -> fail(deployment.label() + " runs as service account " + name
            + ", which no manifest defines"));
  }

  /** The IAM role in the service account's eks.amazonaws.com/role-arn annotation. */
  private static String roleOf(Manifest serviceAccount) {
    String roleArn = Tree.text(serviceAccount.document(), "metadata", "annotations", Rules.IRSA_ANNOTATION);
    Matcher arn = Rules.ROLE_ARN.matcher(String.valueOf(roleArn));
    assertThat(arn.matches()).as(serviceAccount.label() + ": " + roleArn).isTrue();
    return arn.group(2);
  }

  /** The role's policy for the aws-cli path, named after the role. */
  private static String policyFile(Manifest serviceAccount) {
    return "iam/" + roleOf(serviceAccount) + "-policy.json";
  }

  /** The role's IRSA trust policy for the aws-cli path, named after the role. */
  private static String trustFile(Manifest serviceAccount) {
    return "iam/" + roleOf(serviceAccount) + "-trust-policy.json";
  }

  private static String subject(Manifest serviceAccount) {
    return "system:serviceaccount:" + serviceAccount.namespace() + ":" + serviceAccount.name();
  }

  /**
   * The secrets the SecretProviderClasses of the Deployments that run as the service account
   * read, with HTTPS off and on: what its role must be able to read, and no more.
   */
  private static Set<String> secretNames(Manifest serviceAccount) {
    Set<String> names = new LinkedHashSet<>();
    List<Manifest> deployments = new ArrayList<>(ofKind("Deployment"));
    deployments.add(httpsDeployment());
    for (Manifest deployment : deployments) {
      if (!Objects.equals(serviceAccount.name(), Tree.text(Rules.podSpec(deployment), "serviceAccountName"))
          || !Objects.equals(serviceAccount.namespace(), deployment.namespace())) {
        continue;
      }
      for (String used : Rules.providerClassesUsed(deployment)) {
        ProviderObjects.of(providerClass(used, deployment.namespace())).objects()
            .forEach(o -> names.add(o.objectName()));
      }
    }
    return names;
  }

  /** The secret holding the database credentials: the one the jmesPath aliases come from. */
  private static String databaseSecretName() {
    Manifest deployment = deploymentOf(spring);
    ProviderObjects objects = ProviderObjects.of(providerClass(
        Rules.providerClassesUsed(deployment).iterator().next(), deployment.namespace()));
    return objects.objects().stream().filter(o -> !o.jmesPath().isEmpty())
        .map(ProviderObjects.SecretObject::objectName).findFirst()
        .orElseGet(() -> fail(objects.providerClass().label() + " has no object with jmesPath"));
  }

  private static Set<String> allMountKeys() {
    Set<String> keys = new TreeSet<>(spring.mountKeys());
    keys.addAll(quarkus.mountKeys());
    return keys;
  }

  private static String region() {
    String region = Tree.text(providerClass(Rules.providerClassesUsed(deploymentOf(spring)).iterator().next(),
        deploymentOf(spring).namespace()).document(), "spec", "parameters", "region");
    assertThat(region).as("region parameter of the SecretProviderClass").isNotBlank();
    return region;
  }

  private static String account() {
    Matcher arn = Rules.ROLE_ARN.matcher(String.valueOf(Tree.text(springServiceAccount().document(), "metadata",
        "annotations", Rules.IRSA_ANNOTATION)));
    assertThat(arn.matches()).isTrue();
    return arn.group(1);
  }

  private static Map<?, ?> helmValues() {
    return single(Manifest.parse(HELM_VALUES, read(HELM_VALUES))).document();
  }

  private static Hcl terraform() {
    return Hcl.load(module.resolve("terraform"));
  }

  private static String terraformText() {
    StringBuilder all = new StringBuilder();
    try (Stream<Path> files = Files.list(module.resolve("terraform"))) {
      files.filter(p -> p.toString().endsWith(".tf")).sorted().forEach(p -> all.append(Manifest.read(p)).append('\n'));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return all.toString();
  }

  private static JsonNode json(String relative) {
    return parseJson(read(relative));
  }

  private static JsonNode parseJson(String text) {
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
