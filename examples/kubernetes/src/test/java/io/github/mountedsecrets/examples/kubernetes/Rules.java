package io.github.mountedsecrets.examples.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rules the deployment material must follow. Each returns the violations it finds, as
 * messages naming the file and object, so that a test can assert both that the real files have
 * none and that a deliberately broken copy has the expected one.
 */
final class Rules {
  static final String CSI_DRIVER = "secrets-store.csi.k8s.io";
  static final String IRSA_ANNOTATION = "eks.amazonaws.com/role-arn";
  static final Pattern ROLE_ARN = Pattern.compile("arn:aws:iam::(\\d{12}):role/([\\w+=,.@-]+)");
  private static final Pattern SECRET_LIKE_NAME = Pattern.compile(
      "(?i).*(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|CREDENTIAL|PRIVATE_?KEY).*");
  private static final Set<String> READER_ACTIONS = Set.of(
      "secretsmanager:getsecretvalue", "secretsmanager:describesecret");
  private static final String KMS_DECRYPT = "kms:decrypt";
  static final String HTTPS_MARK = "#https ";
  static final String PLAIN_HTTP_MARK = "# plain-http";
  private static final Pattern HTTPS_LINE = Pattern.compile("(?m)^( *)" + HTTPS_MARK);
  private static final Pattern PLAIN_HTTP_LINE = Pattern.compile("(?m)^.*" + PLAIN_HTTP_MARK + "\\n");

  private Rules() {
  }

  // ---------------------------------------------------------------------------------------
  // Kubernetes

  /** Returns the pod spec of a Deployment. */
  static Map<?, ?> podSpec(Manifest deployment) {
    return Tree.map(deployment.document(), "spec", "template", "spec");
  }

  /** Returns the containers and init containers of a Deployment. */
  static List<Map<?, ?>> containers(Manifest deployment) {
    List<Map<?, ?>> containers = new ArrayList<>(Tree.maps(podSpec(deployment), "initContainers"));
    containers.addAll(Tree.maps(podSpec(deployment), "containers"));
    return containers;
  }

  /** Returns the volumes of the Secrets Store CSI driver, by volume name. */
  static Map<String, Map<?, ?>> secretsVolumes(Manifest deployment) {
    Map<String, Map<?, ?>> volumes = new LinkedHashMap<>();
    for (Map<?, ?> volume : Tree.maps(podSpec(deployment), "volumes")) {
      if (CSI_DRIVER.equals(Tree.text(volume, "csi", "driver"))) {
        volumes.put(Tree.text(volume, "name"), volume);
      }
    }
    return volumes;
  }

  /** Returns the SecretProviderClass names the Deployment's CSI volumes use. */
  static Set<String> providerClassesUsed(Manifest deployment) {
    Set<String> names = new LinkedHashSet<>();
    for (Map<?, ?> volume : secretsVolumes(deployment).values()) {
      names.add(Tree.text(volume, "csi", "volumeAttributes", "secretProviderClass"));
    }
    return names;
  }

  /** Returns a container's plain env values (valueFrom entries left out), by name. */
  static Map<String, String> environment(Map<?, ?> container) {
    Map<String, String> env = new LinkedHashMap<>();
    for (Map<?, ?> variable : Tree.maps(container, "env")) {
      String value = Tree.text(variable, "value");
      if (value != null) {
        env.put(Tree.text(variable, "name"), value);
      }
    }
    return env;
  }

  /**
   * The secrets volume: a CSI volume of the Secrets Store driver, read-only, mounted by the
   * containers at the directory the application reads, as a whole directory (no subPath).
   */
  static List<String> secretsVolume(Manifest deployment, ServiceConfig.MountDirectory directory) {
    List<String> violations = new ArrayList<>();
    Map<String, Map<?, ?>> volumes = secretsVolumes(deployment);
    if (volumes.isEmpty()) {
      violations.add(deployment.label() + " has no CSI volume of driver " + CSI_DRIVER);
    }
    for (Map.Entry<String, Map<?, ?>> volume : volumes.entrySet()) {
      String name = volume.getKey();
      if (!Boolean.TRUE.equals(Tree.at(volume.getValue(), "csi", "readOnly"))) {
        violations.add(deployment.label() + ": CSI volume " + name + " must set csi.readOnly: true "
            + "(the driver mounts Secrets Store volumes read-only only)");
      }
      String providerClass = Tree.text(volume.getValue(), "csi", "volumeAttributes", "secretProviderClass");
      if (providerClass == null || providerClass.isBlank()) {
        violations.add(deployment.label() + ": CSI volume " + name + " names no volumeAttributes.secretProviderClass");
      }
      boolean mounted = false;
      for (Map<?, ?> container : containers(deployment)) {
        for (Map<?, ?> mount : Tree.maps(container, "volumeMounts")) {
          if (!name.equals(Tree.text(mount, "name"))) {
            continue;
          }
          mounted = true;
          String where = deployment.label() + ", container " + Tree.text(container, "name")
              + ", volumeMount " + name;
          if (!Boolean.TRUE.equals(Tree.at(mount, "readOnly"))) {
            violations.add(where + ": readOnly must be true");
          }
          for (String subPath : List.of("subPath", "subPathExpr")) {
            if (Tree.at(mount, subPath) != null) {
              violations.add(where + ": uses " + subPath + "; a subPath mount never receives rotated "
                  + "content, mount the whole volume at a directory");
            }
          }
          String expected = directory.in(environment(container));
          if (!normalize(expected).equals(normalize(Tree.text(mount, "mountPath")))) {
            violations.add(where + ": mountPath is " + Tree.text(mount, "mountPath")
                + " but the application reads " + expected);
          }
        }
      }
      if (!mounted) {
        violations.add(deployment.label() + ": CSI volume " + name + " is mounted by no container");
      }
    }
    return violations;
  }

  /** Every SecretProviderClass a Deployment uses exists, in the Deployment's namespace. */
  static List<String> providerClassesExist(List<Manifest> deployments, List<Manifest> providerClasses) {
    List<String> violations = new ArrayList<>();
    for (Manifest deployment : deployments) {
      for (String used : providerClassesUsed(deployment)) {
        boolean exists = providerClasses.stream().anyMatch(spc -> Objects.equals(used, spc.name())
            && Objects.equals(deployment.namespace(), spc.namespace()));
        if (!exists) {
          violations.add(deployment.label() + " uses SecretProviderClass " + used
              + ", which no manifest defines in namespace " + deployment.namespace());
        }
      }
    }
    return violations;
  }

  /**
   * The files a SecretProviderClass writes hold every key an application reads: a key is a
   * file (an objectAlias or a jmesPath alias), or a field of a whole-secret JSON file
   * ({@code prod-db.host} of file {@code prod-db}).
   */
  static List<String> aliasesCover(ProviderObjects objects, Set<String> keys, String reader) {
    List<String> violations = new ArrayList<>();
    Set<String> files = objects.files();
    for (String key : keys) {
      boolean covered = files.contains(key) || objects.objects().stream()
          .anyMatch(o -> key.startsWith(o.fileName() + "."));
      if (!covered) {
        violations.add(objects.providerClass().label() + " writes no file for key " + key + " that "
            + reader + " reads (its files: " + files + ")");
      }
    }
    return violations;
  }

  /** Every parameter of a SecretProviderClass is a string (the CRD's map[string]string). */
  static List<String> parametersAreStrings(Manifest providerClass) {
    List<String> violations = new ArrayList<>();
    for (Map.Entry<?, ?> parameter : Tree.map(providerClass.document(), "spec", "parameters").entrySet()) {
      if (!(parameter.getValue() instanceof String)) {
        violations.add(providerClass.label() + ": parameter " + parameter.getKey() + " is "
            + parameter.getValue() + " (" + (parameter.getValue() == null ? "null"
            : parameter.getValue().getClass().getSimpleName()) + "), not a string; quote it");
      }
    }
    return violations;
  }

  /** Each secretObjects entry copies a file the class actually writes. */
  static List<String> secretObjectsReferToFiles(ProviderObjects objects) {
    List<String> violations = new ArrayList<>();
    for (Map<?, ?> secret : Tree.maps(objects.providerClass().document(), "spec", "secretObjects")) {
      for (Map<?, ?> data : Tree.maps(secret, "data")) {
        String file = Tree.text(data, "objectName");
        if (!objects.files().contains(file)) {
          violations.add(objects.providerClass().label() + ": secretObjects " + Tree.text(secret, "secretName")
              + " copies " + file + ", which the class does not write (its files: " + objects.files() + ")");
        }
      }
    }
    return violations;
  }

  /**
   * No secret travels through the environment or a ConfigMap: no env from a Secret, no
   * variable or ConfigMap key named like a secret or like a mount key.
   */
  static List<String> noSecretInEnvironment(Manifest deployment, Set<String> mountKeys,
      List<Manifest> configMaps) {
    List<String> violations = new ArrayList<>();
    for (Map<?, ?> container : containers(deployment)) {
      String where = deployment.label() + ", container " + Tree.text(container, "name");
      for (Map<?, ?> variable : Tree.maps(container, "env")) {
        String name = Tree.text(variable, "name");
        if (Tree.at(variable, "valueFrom", "secretKeyRef") != null) {
          violations.add(where + ": env " + name + " comes from a Secret (valueFrom.secretKeyRef)");
        }
        if (looksSecret(name, mountKeys)) {
          violations.add(where + ": env " + name + " is named like a secret; read it from the mount");
        }
        String configMap = Tree.text(variable, "valueFrom", "configMapKeyRef", "name");
        if (configMap != null) {
          violations.addAll(configMapViolations(find(configMaps, configMap, deployment.namespace()),
              where + ": env " + name + " from ConfigMap " + configMap, mountKeys));
        }
      }
      for (Map<?, ?> source : Tree.maps(container, "envFrom")) {
        if (Tree.at(source, "secretRef") != null) {
          violations.add(where + ": envFrom Secret " + Tree.text(source, "secretRef", "name"));
        }
        String configMap = Tree.text(source, "configMapRef", "name");
        if (configMap != null) {
          violations.addAll(configMapViolations(find(configMaps, configMap, deployment.namespace()),
              where + ": envFrom ConfigMap " + configMap, mountKeys));
        }
      }
    }
    return violations;
  }

  /** No ConfigMap holds a key named like a secret or like a mount key. */
  static List<String> noSecretInConfigMaps(List<Manifest> configMaps, Set<String> mountKeys) {
    List<String> violations = new ArrayList<>();
    for (Manifest configMap : configMaps) {
      violations.addAll(configMapViolations(configMap, configMap.label(), mountKeys));
    }
    return violations;
  }

  private static List<String> configMapViolations(Manifest configMap, String where, Set<String> mountKeys) {
    List<String> violations = new ArrayList<>();
    if (configMap == null) {
      return violations;
    }
    for (String section : List.of("data", "binaryData")) {
      for (Object key : Tree.map(configMap.document(), section).keySet()) {
        String name = String.valueOf(key);
        if (looksSecret(name, mountKeys)) {
          violations.add(where + ": key " + name + " is named like a secret; ConfigMaps are not "
              + "for secrets, read it from the mount");
        }
      }
    }
    return violations;
  }

  private static boolean looksSecret(String name, Set<String> mountKeys) {
    return name != null && (mountKeys.contains(name) || SECRET_LIKE_NAME.matcher(name).matches());
  }

  private static Manifest find(List<Manifest> manifests, String name, String namespace) {
    return manifests.stream()
        .filter(m -> name.equals(m.name()) && Objects.equals(namespace, m.namespace()))
        .findFirst().orElse(null);
  }

  /** Liveness, readiness (and startup) probes call the health endpoints the application serves. */
  static List<String> probes(Manifest deployment, ServiceConfig.HealthEndpoints health) {
    List<String> violations = new ArrayList<>();
    List<Map<?, ?>> containers = Tree.maps(podSpec(deployment), "containers");
    if (containers.isEmpty()) {
      return List.of(deployment.label() + " has no containers");
    }
    Map<?, ?> container = containers.get(0);
    String where = deployment.label() + ", container " + Tree.text(container, "name");
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("livenessProbe", health.liveness());
    expected.put("readinessProbe", health.readiness());
    expected.put("startupProbe", null);
    for (Map.Entry<String, String> probe : expected.entrySet()) {
      Map<?, ?> httpGet = Tree.map(container, probe.getKey(), "httpGet");
      if (httpGet.isEmpty()) {
        if (probe.getValue() != null) {
          violations.add(where + ": no " + probe.getKey() + " with httpGet");
        }
        continue;
      }
      String path = Tree.text(httpGet, "path");
      if (probe.getValue() != null ? !probe.getValue().equals(path)
          : !health.liveness().equals(path) && !health.readiness().equals(path)) {
        violations.add(where + ": " + probe.getKey() + " calls " + path + " but the application serves "
            + (probe.getValue() != null ? probe.getValue() : health.liveness() + " and " + health.readiness()));
      }
      Integer port = containerPort(container, Tree.at(httpGet, "port"));
      if (port == null || port != health.port()) {
        violations.add(where + ": " + probe.getKey() + " calls port " + Tree.text(httpGet, "port")
            + " (" + port + ") but the application serves its health endpoints on " + health.port());
      }
      String scheme = Objects.requireNonNullElse(Tree.text(httpGet, "scheme"), "HTTP");
      String served = health.tls() ? "HTTPS" : "HTTP";
      if (!scheme.equals(served)) {
        violations.add(where + ": " + probe.getKey() + " uses scheme " + scheme + " but the application "
            + "serves its health endpoints over " + served + " on " + health.port());
      }
    }
    return violations;
  }

  /**
   * Returns the file's HTTPS variant, as the README's {@code sed} makes it: every line ending in
   * {@value #PLAIN_HTTP_MARK} removed, every line starting (after its indentation) with
   * {@value #HTTPS_MARK} uncommented at that indentation; null if the file has no
   * {@value #HTTPS_MARK} line.
   */
  static String httpsVariant(String yaml) {
    Matcher on = HTTPS_LINE.matcher(yaml);
    if (!on.find()) {
      return null;
    }
    return HTTPS_LINE.matcher(PLAIN_HTTP_LINE.matcher(yaml).replaceAll("")).replaceAll("$1");
  }

  /**
   * The Spring profiles a container activates ({@code SPRING_PROFILES_ACTIVE}) exist in the
   * service, and at least one of them serves HTTPS from a bundle of the mount.
   */
  static List<String> activatesHttpsProfile(Manifest deployment, List<ServiceConfig.Profile> profiles) {
    List<String> violations = new ArrayList<>();
    List<ServiceConfig.Profile> active = activeProfiles(deployment, profiles, violations);
    if (violations.isEmpty() && active.stream().noneMatch(p -> p.applicationTls() && !p.bundles().isEmpty())) {
      violations.add(deployment.label() + ": SPRING_PROFILES_ACTIVE activates no profile that serves "
          + "HTTPS from the mount (profiles: " + profiles.stream().map(ServiceConfig.Profile::name).toList() + ")");
    }
    return violations;
  }

  /** The profiles named by the first container's SPRING_PROFILES_ACTIVE, in its order. */
  static List<ServiceConfig.Profile> activeProfiles(Manifest deployment, List<ServiceConfig.Profile> profiles,
      List<String> violations) {
    List<ServiceConfig.Profile> active = new ArrayList<>();
    String value = containers(deployment).stream().findFirst().map(c -> environment(c).get("SPRING_PROFILES_ACTIVE"))
        .orElse(null);
    if (value == null) {
      violations.add(deployment.label() + ": sets no SPRING_PROFILES_ACTIVE");
      return active;
    }
    for (String name : value.split(",")) {
      ServiceConfig.Profile profile = profiles.stream().filter(p -> p.name().equals(name.trim())).findFirst()
          .orElse(null);
      if (profile == null) {
        violations.add(deployment.label() + ": SPRING_PROFILES_ACTIVE names profile " + name.trim()
            + ", but the service has no application-" + name.trim() + ".properties");
      } else {
        active.add(profile);
      }
    }
    return active;
  }

  /**
   * Each SSL bundle of a profile reads its certificate and its private key from files the
   * class writes, and both from one secret: one version per driver poll, so a renewal never
   * pairs a new certificate with the old key in the mount.
   */
  static List<String> tlsFromOneSecret(ProviderObjects objects, ServiceConfig.Profile profile) {
    List<String> violations = new ArrayList<>();
    String reader = "the Spring Boot service's profile " + profile.name() + " (" + profile.file().getFileName() + ")";
    violations.addAll(aliasesCover(objects, profile.tlsKeys(), reader));
    for (Map.Entry<String, Map<String, String>> bundle : profile.bundles().entrySet()) {
      String certificate = bundle.getValue().get("certificate");
      String privateKey = bundle.getValue().get("private-key");
      ProviderObjects.SecretObject certificateFrom = certificate == null ? null : objects.objectReading(certificate);
      ProviderObjects.SecretObject keyFrom = privateKey == null ? null : objects.objectReading(privateKey);
      if (certificateFrom != null && keyFrom != null && !certificateFrom.objectName().equals(keyFrom.objectName())) {
        violations.add(objects.providerClass().label() + ": bundle " + bundle.getKey() + " of " + reader
            + " reads its certificate (" + certificate + ") from secret " + certificateFrom.objectName()
            + " and its private key (" + privateKey + ") from secret " + keyFrom.objectName()
            + "; keep both in one secret, so that a renewal writes them from one version");
      }
    }
    return violations;
  }

  /** Resolves a port given as a number or as the name of one of the container's ports. */
  static Integer containerPort(Map<?, ?> container, Object port) {
    if (port instanceof Integer) {
      return (Integer) port;
    }
    for (Map<?, ?> declared : Tree.maps(container, "ports")) {
      if (port != null && port.equals(Tree.at(declared, "name"))
          && Tree.at(declared, "containerPort") instanceof Integer) {
        return (Integer) Tree.at(declared, "containerPort");
      }
    }
    return null;
  }

  /**
   * A Service selects the Deployment's pods and targets exactly the application's API port: not
   * a separate management port (the probes call the pod directly; through the Service,
   * Actuator would be reachable in plain HTTP beside an HTTPS API), nothing else.
   *
   * @param apiPort the port the API listens on in this mode
   * @param managementPort the port Actuator listens on in this mode (the API's port if shared)
   */
  static List<String> serviceTargets(Manifest service, Manifest deployment, int apiPort, int managementPort) {
    List<String> violations = new ArrayList<>();
    Map<?, ?> selector = Tree.map(service.document(), "spec", "selector");
    Map<?, ?> labels = Tree.map(deployment.document(), "spec", "template", "metadata", "labels");
    if (selector.isEmpty() || !labels.entrySet().containsAll(selector.entrySet())) {
      violations.add(service.label() + ": selector " + selector + " does not select the pods of "
          + deployment.label() + " (labels " + labels + ")");
    }
    Map<?, ?> container = Tree.maps(podSpec(deployment), "containers").stream().findFirst().orElse(Map.of());
    boolean targeted = false;
    for (Map<?, ?> port : Tree.maps(service.document(), "spec", "ports")) {
      Integer target = containerPort(container, Tree.at(port, "targetPort"));
      String what = service.label() + ": port " + Tree.text(port, "port") + " (targetPort "
          + Tree.text(port, "targetPort") + ")";
      if (target != null && target == apiPort) {
        targeted = true;
      } else if (target != null && target == managementPort) {
        violations.add(what + " reaches only Actuator on " + managementPort + ", not the API on " + apiPort
            + "; the probes call the pod directly, so the Service should not expose it");
      } else {
        violations.add(what + " targets " + target + ", not the application's API port " + apiPort);
      }
    }
    if (!targeted) {
      violations.add(service.label() + ": no port targets the application's API port " + apiPort
          + " (a container port of " + deployment.label() + ")");
    }
    return violations;
  }

  /**
   * A Deployment mounts only secrets its service reads: each object of each SecretProviderClass
   * it mounts writes at least one file (or JSON field) among the keys the service reads in this
   * mode. Another service's object would put that service's secret in this pod and make this
   * pod's start depend on it (one object the driver cannot fetch fails the whole mount).
   *
   * @param deployment the Deployment (for messages)
   * @param mounted the classes it mounts
   * @param keys the mount keys its service reads in this mode
   * @param reader the service and mode, for messages
   */
  static List<String> onlyObjectsRead(Manifest deployment, List<ProviderObjects> mounted, Set<String> keys,
      String reader) {
    List<String> violations = new ArrayList<>();
    for (ProviderObjects objects : mounted) {
      for (ProviderObjects.SecretObject object : objects.objects()) {
        Set<String> files = new LinkedHashSet<>();
        files.add(object.fileName());
        object.jmesPath().forEach(p -> files.add(p.objectAlias()));
        boolean read = keys.stream().anyMatch(k -> object.equals(objects.objectReading(k)));
        if (!read) {
          violations.add(objects.providerClass().label() + ", mounted by " + deployment.label() + ": object "
              + object.objectName() + " (files " + files + ") is read by no key of " + reader + " " + keys
              + "; mount it only in the pods that read it");
        }
      }
    }
    return violations;
  }

  /**
   * Pods run as non-root without privilege escalation, drop every capability, use the
   * runtime's seccomp profile and declare memory requests and limits.
   */
  static List<String> hardened(Manifest deployment) {
    List<String> violations = new ArrayList<>();
    Map<?, ?> pod = podSpec(deployment);
    if (!Boolean.TRUE.equals(Tree.at(pod, "securityContext", "runAsNonRoot"))) {
      violations.add(deployment.label() + ": securityContext.runAsNonRoot must be true");
    }
    if (!"RuntimeDefault".equals(Tree.text(pod, "securityContext", "seccompProfile", "type"))) {
      violations.add(deployment.label() + ": securityContext.seccompProfile.type must be RuntimeDefault");
    }
    for (Map<?, ?> container : containers(deployment)) {
      String where = deployment.label() + ", container " + Tree.text(container, "name");
      if (!Boolean.FALSE.equals(Tree.at(container, "securityContext", "allowPrivilegeEscalation"))) {
        violations.add(where + ": securityContext.allowPrivilegeEscalation must be false");
      }
      Object drop = Tree.at(container, "securityContext", "capabilities", "drop");
      if (!(drop instanceof List<?>) || !((List<?>) drop).contains("ALL")) {
        violations.add(where + ": securityContext.capabilities.drop must contain ALL");
      }
      for (String part : List.of("requests", "limits")) {
        if (Tree.text(container, "resources", part, "memory") == null) {
          violations.add(where + ": resources." + part + ".memory is not set");
        }
      }
    }
    return violations;
  }

  /**
   * The Deployment runs as one of the ServiceAccounts (same namespace), and that account
   * carries an IRSA role annotation.
   */
  static List<String> serviceAccount(Manifest deployment, List<Manifest> serviceAccounts) {
    List<String> violations = new ArrayList<>();
    String used = Tree.text(podSpec(deployment), "serviceAccountName");
    Manifest serviceAccount = serviceAccounts.stream().filter(a -> Objects.equals(used, a.name())
        && Objects.equals(deployment.namespace(), a.namespace())).findFirst().orElse(null);
    if (serviceAccount == null) {
      violations.add(deployment.label() + " runs as service account " + used + ", which no manifest defines in "
          + "namespace " + deployment.namespace() + " (the accounts whose roles can read the secrets: "
          + serviceAccounts.stream().map(Manifest::name).toList() + ")");
      return violations;
    }
    String role = Tree.text(serviceAccount.document(), "metadata", "annotations", IRSA_ANNOTATION);
    if (role == null || !ROLE_ARN.matcher(role).matches()) {
      violations.add(serviceAccount.label() + ": annotation " + IRSA_ANNOTATION + " is " + role
          + ", not an IAM role ARN");
    }
    return violations;
  }

  // ---------------------------------------------------------------------------------------
  // Helm

  /** The driver's values: rotation on with a poll interval, syncing to Kubernetes Secrets off. */
  static List<String> driverValues(String source, Map<?, ?> values) {
    List<String> violations = new ArrayList<>();
    if (!Boolean.TRUE.equals(Tree.at(values, "enableSecretRotation"))) {
      violations.add(source + ": enableSecretRotation must be true, else the mount never changes after pod start");
    }
    String interval = Tree.text(values, "rotationPollInterval");
    if (interval == null || !interval.matches("(\\d+(\\.\\d+)?(h|m|s|ms))+")) {
      violations.add(source + ": rotationPollInterval must be a duration such as 2m, but is " + interval);
    }
    if (!Boolean.FALSE.equals(Tree.at(values, "syncSecret", "enabled"))) {
      violations.add(source + ": syncSecret.enabled must be false by default; enable it only for "
          + "the secretObjects variant");
    }
    return violations;
  }

  // ---------------------------------------------------------------------------------------
  // IAM policy documents

  /**
   * The reader policy: only GetSecretValue and DescribeSecret on the exact secret ARNs (name,
   * "-" and the 6 characters Secrets Manager appends), and kms:Decrypt only via Secrets
   * Manager; no "*" in any action or resource, no NotAction or NotResource.
   */
  static List<String> readerPolicy(String source, JsonNode policy, String region, String account,
      Collection<String> secretNames) {
    List<String> violations = new ArrayList<>();
    Map<String, Set<String>> grantedActions = new LinkedHashMap<>();
    boolean decrypt = false;
    for (JsonNode statement : statements(policy)) {
      String sid = statement.path("Sid").asText("(no Sid)");
      String where = source + ", statement " + sid;
      for (String negated : List.of("NotAction", "NotResource", "NotPrincipal")) {
        if (statement.has(negated)) {
          violations.add(where + ": uses " + negated + ", which grants everything not listed");
        }
      }
      if (!"Allow".equals(statement.path("Effect").asText())) {
        continue;
      }
      List<String> actions = strings(statement.path("Action"));
      List<String> resources = strings(statement.path("Resource"));
      for (String value : concat(actions, resources)) {
        if (value.contains("*")) {
          violations.add(where + ": " + value + " contains \"*\"");
        }
      }
      Set<String> kinds = new TreeSet<>();
      for (String action : actions) {
        String lower = action.toLowerCase(Locale.ROOT);
        if (READER_ACTIONS.contains(lower)) {
          kinds.add("secretsmanager");
        } else if (lower.equals(KMS_DECRYPT)) {
          kinds.add("kms");
        } else {
          violations.add(where + ": action " + action + " is not needed to read the secrets");
        }
      }
      if (kinds.size() > 1) {
        violations.add(where + ": mixes Secrets Manager and KMS actions; keep kms:Decrypt in its own "
            + "statement with its kms:ViaService condition");
      }
      if (kinds.contains("secretsmanager")) {
        for (String resource : resources) {
          String name = secretNameOf(resource, region, account);
          if (name == null || !secretNames.contains(name)) {
            violations.add(where + ": resource " + resource + " is not the exact ARN of one of "
                + secretNames + " (arn:aws:secretsmanager:" + region + ":" + account
                + ":secret:<name>-??????)");
          } else {
            for (String action : actions) {
              grantedActions.computeIfAbsent(name, n -> new TreeSet<>()).add(action.toLowerCase(Locale.ROOT));
            }
          }
        }
      }
      if (kinds.contains("kms")) {
        decrypt = true;
        String via = statement.path("Condition").path("StringEquals").path("kms:ViaService").asText(null);
        if (!("secretsmanager." + region + ".amazonaws.com").equals(via)) {
          violations.add(where + ": kms:Decrypt must be limited with Condition StringEquals kms:ViaService "
              + "= secretsmanager." + region + ".amazonaws.com, but is " + via);
        }
        for (String resource : resources) {
          if (!resource.startsWith("arn:aws:kms:" + region + ":" + account + ":key/")) {
            violations.add(where + ": kms:Decrypt resource " + resource + " is not a key of account "
                + account + " in " + region);
          }
        }
      }
    }
    for (String name : secretNames) {
      Set<String> granted = grantedActions.getOrDefault(name, Set.of());
      if (!granted.containsAll(READER_ACTIONS)) {
        violations.add(source + ": " + name + " is granted " + granted + ", the provider needs "
            + "GetSecretValue (to read) and DescribeSecret (at every rotation poll)");
      }
    }
    if (!decrypt) {
      violations.add(source + ": no kms:Decrypt statement; secrets encrypted with a customer managed key cannot be read");
    }
    return violations;
  }

  /** Returns the secret name of {@code arn:aws:secretsmanager:<region>:<account>:secret:<name>-??????}. */
  static String secretNameOf(String arn, String region, String account) {
    String prefix = "arn:aws:secretsmanager:" + region + ":" + account + ":secret:";
    if (!arn.startsWith(prefix) || !arn.endsWith("-??????")) {
      return null;
    }
    return arn.substring(prefix.length(), arn.length() - "-??????".length());
  }

  /**
   * The role's trust policy: web identity of the cluster's OIDC provider, for exactly one
   * service account (StringEquals on :sub) and the STS audience (StringEquals on :aud).
   */
  static List<String> trustPolicy(String source, JsonNode trust, String subject) {
    List<String> violations = new ArrayList<>();
    List<JsonNode> statements = statements(trust);
    if (statements.size() != 1) {
      violations.add(source + ": expected one statement, found " + statements.size());
    }
    for (JsonNode statement : statements) {
      String where = source + ", statement " + statement.path("Sid").asText("(no Sid)");
      if (!strings(statement.path("Action")).equals(List.of("sts:AssumeRoleWithWebIdentity"))) {
        violations.add(where + ": Action must be sts:AssumeRoleWithWebIdentity only");
      }
      String provider = statement.path("Principal").path("Federated").asText("");
      int slash = provider.indexOf(":oidc-provider/");
      if (slash < 0) {
        violations.add(where + ": Principal.Federated " + provider + " is not an OIDC provider ARN");
        continue;
      }
      String issuer = provider.substring(slash + ":oidc-provider/".length());
      JsonNode condition = statement.path("Condition");
      condition.fieldNames().forEachRemaining(test -> {
        if (!test.equals("StringEquals")) {
          violations.add(where + ": a condition uses " + test + "; use StringEquals only, so that "
              + "no other service account matches");
        }
      });
      JsonNode equals = condition.path("StringEquals");
      if (!subject.equals(equals.path(issuer + ":sub").asText(null))) {
        violations.add(where + ": StringEquals " + issuer + ":sub must be " + subject + ", but is "
            + equals.path(issuer + ":sub").asText("<missing>"));
      }
      if (!"sts.amazonaws.com".equals(equals.path(issuer + ":aud").asText(null))) {
        violations.add(where + ": StringEquals " + issuer + ":aud must be sts.amazonaws.com, but is "
            + equals.path(issuer + ":aud").asText("<missing>"));
      }
    }
    return violations;
  }

  static List<JsonNode> statements(JsonNode policy) {
    List<JsonNode> statements = new ArrayList<>();
    JsonNode node = policy.path("Statement");
    if (node.isArray()) {
      node.forEach(statements::add);
    } else if (node.isObject()) {
      statements.add(node);
    }
    return statements;
  }

  static List<String> strings(JsonNode node) {
    List<String> values = new ArrayList<>();
    if (node.isArray()) {
      node.forEach(element -> values.add(element.asText()));
    } else if (!node.isMissingNode() && !node.isNull()) {
      values.add(node.asText());
    }
    return values;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static String normalize(String path) {
    if (path == null) {
      return "";
    }
    return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
  }

  /** Returns the first group of the pattern in the text, or null. */
  static String group(Pattern pattern, String text) {
    Matcher matcher = pattern.matcher(text == null ? "" : text);
    return matcher.find() ? matcher.group(1) : null;
  }
}
