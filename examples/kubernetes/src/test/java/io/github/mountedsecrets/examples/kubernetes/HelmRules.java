package io.github.mountedsecrets.examples.kubernetes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rules for the Helm values of the AWS provider's chart (which installs the driver's chart as
 * its dependency, under the key {@code secrets-store-csi-driver}), checked against the two
 * charts' own default values as vendored: neither chart ships a {@code values.schema.json},
 * so a key the defaults do not have is one the templates never read.
 */
final class HelmRules {
  /** The key under which the provider chart passes values to the driver chart. */
  static final String DRIVER_KEY = "secrets-store-csi-driver";
  /** The token audience of IRSA (the provider's utils.IRSAAudience). */
  static final String IRSA_AUDIENCE = "sts.amazonaws.com";
  /** The token audience of EKS Pod Identity (the provider's utils.PodIdentityAudience). */
  static final String POD_IDENTITY_AUDIENCE = "pods.eks.amazonaws.com";

  private HelmRules() {
  }

  /**
   * Checks that every key of the values is one the charts define: top-level keys against the
   * provider chart's defaults, keys under {@code secrets-store-csi-driver} against the driver
   * chart's defaults and the provider chart's additions there ({@code install}, its defaults).
   */
  static List<String> knownKeys(String source, Map<?, ?> values, Map<?, ?> providerDefaults,
      Map<?, ?> driverDefaults) {
    List<String> violations = new ArrayList<>();
    for (Map.Entry<?, ?> entry : values.entrySet()) {
      String key = String.valueOf(entry.getKey());
      if (key.equals(DRIVER_KEY)) {
        Map<String, Object> driver = new LinkedHashMap<>();
        driverDefaults.forEach((k, v) -> driver.put(String.valueOf(k), v));
        Tree.map(providerDefaults, DRIVER_KEY).forEach((k, v) -> driver.putIfAbsent(String.valueOf(k), v));
        known(source, DRIVER_KEY, entry.getValue(), driver, violations);
      } else {
        known(source, "", Map.of(key, entry.getValue()), providerDefaults, violations);
      }
    }
    return violations;
  }

  private static void known(String source, String path, Object value, Object defaults, List<String> violations) {
    if (value instanceof Map<?, ?> map && defaults instanceof Map<?, ?> known) {
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        String key = String.valueOf(entry.getKey());
        String at = path.isEmpty() ? key : path + "." + key;
        if (!known.containsKey(key)) {
          violations.add(source + ": " + at + " is not a value of the chart (not in its default values)");
        } else {
          known(source, at, entry.getValue(), known.get(key), violations);
        }
      }
    } else if (value instanceof List<?> list && defaults instanceof List<?> knownList && !knownList.isEmpty()) {
      for (Object element : list) {
        known(source, path + "[]", element, knownList.get(0), violations);
      }
    }
    // A value whose default is a scalar, null or an empty list: the chart passes it on as it is
    // (the CSIDriver's tokenRequests are checked against the Kubernetes schema instead).
  }

  /**
   * The values the driver chart renders with: its defaults, overlaid by the provider chart's
   * values for it, overlaid by ours (maps merge, anything else replaces, as Helm does).
   */
  static Map<?, ?> effectiveDriverValues(Map<?, ?> values, Map<?, ?> providerDefaults, Map<?, ?> driverDefaults) {
    return merge(merge(driverDefaults, Tree.map(providerDefaults, DRIVER_KEY)), Tree.map(values, DRIVER_KEY));
  }

  private static Map<?, ?> merge(Map<?, ?> base, Map<?, ?> over) {
    Map<Object, Object> merged = new LinkedHashMap<>(base);
    for (Map.Entry<?, ?> entry : over.entrySet()) {
      Object old = merged.get(entry.getKey());
      if (old instanceof Map<?, ?> oldMap && entry.getValue() instanceof Map<?, ?> newMap) {
        merged.put(entry.getKey(), merge(oldMap, newMap));
      } else {
        merged.put(entry.getKey(), entry.getValue());
      }
    }
    return merged;
  }

  /**
   * The CSIDriver object the driver chart's templates/csidriver.yaml renders from the values
   * (this mirrors the template's fields; {@link #templateMirrored} checks the template still
   * has them).
   */
  static Map<String, Object> csiDriver(Map<?, ?> driverValues) {
    Map<String, Object> spec = new LinkedHashMap<>();
    spec.put("podInfoOnMount", true);
    spec.put("attachRequired", false);
    spec.put("volumeLifecycleModes", List.of("Ephemeral"));
    spec.put("requiresRepublish", Tree.at(driverValues, "enableSecretRotation"));
    Object tokenRequests = Tree.at(driverValues, "tokenRequests");
    if (tokenRequests instanceof List<?> list && !list.isEmpty()) {
      spec.put("tokenRequests", tokenRequests);
    }
    Map<String, Object> csiDriver = new LinkedHashMap<>();
    csiDriver.put("apiVersion", "storage.k8s.io/v1");
    csiDriver.put("kind", "CSIDriver");
    csiDriver.put("metadata", Map.of("name", Rules.CSI_DRIVER));
    csiDriver.put("spec", spec);
    return csiDriver;
  }

  /** Checks that the vendored template renders the fields {@link #csiDriver} mirrors. */
  static List<String> templateMirrored(String template) {
    List<String> violations = new ArrayList<>();
    for (String line : List.of("kind: CSIDriver", "podInfoOnMount: true", "attachRequired: false", "- Ephemeral",
        "requiresRepublish: {{ .Values.enableSecretRotation }}", "{{- if .Values.tokenRequests }}",
        "toYaml .Values.tokenRequests")) {
      if (!template.contains(line)) {
        violations.add("the driver chart's csidriver.yaml no longer has \"" + line + "\"; update HelmRules.csiDriver");
      }
    }
    return violations;
  }

  /**
   * The token requests: the values file itself must install the driver with the provider and
   * list both audiences (a values file that sets tokenRequests replaces the chart's list, and
   * one that leaves the driver out leaves the CSIDriver without them), and the rendered
   * CSIDriver must request them with rotation on.
   */
  static List<String> tokenRequests(String source, Map<?, ?> values, Map<?, ?> csiDriver) {
    List<String> violations = new ArrayList<>();
    if (!Boolean.TRUE.equals(Tree.at(values, DRIVER_KEY, "install"))) {
      violations.add(source + ": " + DRIVER_KEY + ".install must be true: the driver installed with the "
          + "provider gets the tokenRequests below; a driver installed apart has none unless set there");
    }
    List<String> own = audiences(Tree.at(values, DRIVER_KEY, "tokenRequests"));
    List<String> rendered = audiences(Tree.at(csiDriver, "spec", "tokenRequests"));
    for (String audience : List.of(IRSA_AUDIENCE, POD_IDENTITY_AUDIENCE)) {
      if (!own.contains(audience)) {
        violations.add(source + ": " + DRIVER_KEY + ".tokenRequests must request audience " + audience
            + ", else the provider fails with \"serviceAccount.tokens not provided - ensure tokenRequests is "
            + "configured in CSIDriver\" (or \"token for audience ... not found\"), but it has " + own);
      }
      if (!rendered.contains(audience)) {
        violations.add("rendered CSIDriver " + Rules.CSI_DRIVER + ": spec.tokenRequests has no audience " + audience);
      }
    }
    if (!Boolean.TRUE.equals(Tree.at(csiDriver, "spec", "requiresRepublish"))) {
      violations.add("rendered CSIDriver " + Rules.CSI_DRIVER + ": spec.requiresRepublish must be true "
          + "(enableSecretRotation), else kubelet never republishes and the mount never rotates");
    }
    return violations;
  }

  private static List<String> audiences(Object tokenRequests) {
    List<String> audiences = new ArrayList<>();
    if (tokenRequests instanceof List<?> list) {
      for (Object request : list) {
        String audience = Tree.text(request, "audience");
        if (audience != null) {
          audiences.add(audience);
        }
      }
    }
    return audiences;
  }

  /**
   * The install script: one pinned release of the provider chart with our values, and no
   * driver installed from its own chart.
   */
  static List<String> installScript(String source, String script, String valuesFile, String pinnedVersion) {
    List<String> violations = new ArrayList<>();
    Matcher version = Pattern.compile("(?m)^PROVIDER_CHART_VERSION=(\\S+)$").matcher(script);
    if (!version.find() || !version.group(1).equals(pinnedVersion)) {
      violations.add(source + ": PROVIDER_CHART_VERSION must pin the vendored chart version " + pinnedVersion);
    }
    String command = script.replaceAll("\\\\\\n\\s*", " ");
    Matcher install = Pattern.compile("(?m)^helm upgrade --install .*$").matcher(command);
    List<String> installs = new ArrayList<>();
    while (install.find()) {
      installs.add(install.group());
    }
    if (installs.size() != 1 || !installs.get(0).contains("aws-secrets-manager/secrets-store-csi-driver-provider-aws")) {
      violations.add(source + ": expected one helm install, of the provider chart, but found " + installs);
    } else {
      String line = installs.get(0);
      if (!line.contains("--version \"$PROVIDER_CHART_VERSION\"")) {
        violations.add(source + ": the helm install has no --version \"$PROVIDER_CHART_VERSION\"");
      }
      if (!line.contains("--values \"$here/" + valuesFile + "\"")) {
        violations.add(source + ": the helm install does not use " + valuesFile);
      }
      if (line.contains(DRIVER_KEY + ".install=false")) {
        violations.add(source + ": the helm install switches the bundled driver off");
      }
    }
    return violations;
  }
}
