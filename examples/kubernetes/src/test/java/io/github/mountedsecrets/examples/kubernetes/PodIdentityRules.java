package io.github.mountedsecrets.examples.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Rules for the EKS Pod Identity variant (manifests/pod-identity/, the Pod Identity trust
 * policy, terraform/pod-identity.tf) and for keeping the role's credentials out of the
 * application containers, whichever way the pods authenticate.
 */
final class PodIdentityRules {
  static final String SKIP_CONTAINERS = "eks.amazonaws.com/skip-containers";
  private static final String SERVICE = "pods.eks.amazonaws.com";
  private static final Pattern ROLE_REF = Pattern.compile("aws_iam_role\\.([\\w-]+)(?:\\[0\\])?\\.arn");
  private static final Pattern DOCUMENT_REF = Pattern.compile("data\\.aws_iam_policy_document\\.([\\w-]+)\\.json");

  private PodIdentityRules() {
  }

  /**
   * The Pod Identity classes replace the IRSA classes one for one: each IRSA class has a Pod
   * Identity class of the same name (checked with {@link #providerClass}) and there is no other.
   */
  static List<String> providerClasses(List<Manifest> irsa, List<Manifest> podIdentity) {
    List<String> violations = new ArrayList<>();
    for (Manifest irsaClass : irsa) {
      List<Manifest> same = podIdentity.stream().filter(p -> Objects.equals(p.name(), irsaClass.name())
          && Objects.equals(p.namespace(), irsaClass.namespace())).toList();
      if (same.size() != 1) {
        violations.add(irsaClass.label() + ": the EKS Pod Identity variant must define it once, but has "
            + same.size() + " SecretProviderClasses " + irsaClass.namespace() + "/" + irsaClass.name());
      } else {
        violations.addAll(providerClass(irsaClass, same.get(0)));
      }
    }
    for (Manifest podIdentityClass : podIdentity) {
      if (irsa.stream().noneMatch(i -> Objects.equals(i.name(), podIdentityClass.name())
          && Objects.equals(i.namespace(), podIdentityClass.namespace()))) {
        violations.add(podIdentityClass.label() + ": replaces no SecretProviderClass of the IRSA manifests");
      }
    }
    return violations;
  }

  /** The Pod Identity class: the IRSA class's name, files and region, with usePodIdentity "true". */
  static List<String> providerClass(Manifest irsa, Manifest podIdentity) {
    List<String> violations = new ArrayList<>();
    if (!Objects.equals(irsa.name(), podIdentity.name()) || !Objects.equals(irsa.namespace(), podIdentity.namespace())) {
      violations.add(podIdentity.label() + ": must replace " + irsa.label() + " (same name and namespace), "
          + "so that the Deployments need no change");
    }
    if (!"true".equals(Tree.at(podIdentity.document(), "spec", "parameters", "usePodIdentity"))) {
      violations.add(podIdentity.label() + ": parameter usePodIdentity must be \"true\"");
    }
    if (!"false".equals(Tree.at(irsa.document(), "spec", "parameters", "usePodIdentity"))) {
      violations.add(irsa.label() + ": parameter usePodIdentity must be \"false\"");
    }
    for (String parameter : List.of("region", "objects")) {
      Object a = Tree.at(irsa.document(), "spec", "parameters", parameter);
      Object b = Tree.at(podIdentity.document(), "spec", "parameters", parameter);
      if (!Objects.equals(parameter.equals("objects") ? Manifest.parseValue("objects", String.valueOf(a)) : a,
          parameter.equals("objects") ? Manifest.parseValue("objects", String.valueOf(b)) : b)) {
        violations.add(podIdentity.label() + ": parameter " + parameter + " differs from " + irsa.label()
            + (parameter.equals("objects") ? " (objects differ, so the pods would see other files)" : ""));
      }
    }
    return violations;
  }

  /**
   * The Pod Identity service accounts replace the IRSA ones one for one: each IRSA account has
   * a Pod Identity account of the same name (checked with {@link #serviceAccount}) and there is
   * no other, so that every Deployment runs as the same account either way.
   */
  static List<String> serviceAccounts(List<Manifest> irsa, List<Manifest> podIdentity) {
    List<String> violations = new ArrayList<>();
    for (Manifest irsaAccount : irsa) {
      List<Manifest> same = podIdentity.stream().filter(p -> Objects.equals(p.name(), irsaAccount.name())
          && Objects.equals(p.namespace(), irsaAccount.namespace())).toList();
      if (same.size() != 1) {
        violations.add(irsaAccount.label() + ": the EKS Pod Identity variant must define it once, but has "
            + same.size() + " ServiceAccounts " + irsaAccount.namespace() + "/" + irsaAccount.name());
      } else {
        violations.addAll(serviceAccount(irsaAccount, same.get(0)));
      }
    }
    for (Manifest podIdentityAccount : podIdentity) {
      if (irsa.stream().noneMatch(i -> Objects.equals(i.name(), podIdentityAccount.name())
          && Objects.equals(i.namespace(), podIdentityAccount.namespace()))) {
        violations.add(podIdentityAccount.label() + ": replaces no ServiceAccount of the IRSA manifests");
      }
    }
    return violations;
  }

  /** The Pod Identity service account: the IRSA one's name and namespace, without its annotation. */
  static List<String> serviceAccount(Manifest irsa, Manifest podIdentity) {
    List<String> violations = new ArrayList<>();
    if (!Objects.equals(irsa.name(), podIdentity.name()) || !Objects.equals(irsa.namespace(), podIdentity.namespace())) {
      violations.add(podIdentity.label() + ": must replace " + irsa.label() + " (same name and namespace)");
    }
    if (Tree.at(podIdentity.document(), "metadata", "annotations", Rules.IRSA_ANNOTATION) != null) {
      violations.add(podIdentity.label() + ": must not carry the IRSA annotation " + Rules.IRSA_ANNOTATION
          + " (the webhook would inject the IRSA role as well)");
    }
    if (Tree.at(irsa.document(), "metadata", "annotations", Rules.IRSA_ANNOTATION) == null) {
      violations.add(irsa.label() + ": has no " + Rules.IRSA_ANNOTATION + " annotation");
    }
    return violations;
  }

  /**
   * The Pod Identity trust policy: the service pods.eks.amazonaws.com only, sts:AssumeRole and
   * sts:TagSession only, and StringEquals on the session tags naming the namespace and the
   * service account.
   */
  static List<String> trustPolicy(String source, JsonNode trust, Manifest serviceAccount) {
    List<String> violations = new ArrayList<>();
    JsonNode statements = trust.path("Statement");
    if (statements.size() != 1) {
      violations.add(source + ": expected one statement, found " + statements.size());
    }
    for (JsonNode statement : statements) {
      if (!SERVICE.equals(statement.path("Principal").path("Service").asText(null))
          || statement.path("Principal").size() != 1) {
        violations.add(source + ": the principal must be the service " + SERVICE + " only");
      }
      List<String> actions = new ArrayList<>();
      statement.path("Action").forEach(a -> actions.add(a.asText()));
      if (!new TreeSet<>(actions).equals(new TreeSet<>(List.of("sts:AssumeRole", "sts:TagSession")))) {
        violations.add(source + ": actions must be [sts:AssumeRole, sts:TagSession] (EKS Pod Identity tags "
            + "the session), but are " + actions);
      }
      JsonNode conditions = statement.path("Condition");
      for (Map.Entry<String, String> tag : Map.of("aws:RequestTag/kubernetes-namespace", serviceAccount.namespace(),
          "aws:RequestTag/kubernetes-service-account", serviceAccount.name()).entrySet()) {
        JsonNode value = conditions.path("StringEquals").path(tag.getKey());
        if (!tag.getValue().equals(value.isArray() && value.size() == 1 ? value.get(0).asText() : value.asText(null))) {
          violations.add(source + ": StringEquals " + tag.getKey() + " must be " + tag.getValue() + ", but is " + value);
        }
      }
      conditions.fieldNames().forEachRemaining(test -> {
        if (!test.equals("StringEquals")) {
          violations.add(source + ": condition " + test + "; use StringEquals only");
        }
      });
    }
    return violations;
  }

  /**
   * The Terraform of Pod Identity for one service account: the agent add-on, the association,
   * a trust of the associated role that names this service account and namespace, the eks-auth
   * endpoint.
   */
  static List<String> terraform(Hcl hcl, Manifest serviceAccount) {
    List<String> violations = new ArrayList<>();
    boolean agent = hcl.labelled("resource", "aws_eks_addon").values().stream()
        .anyMatch(body -> "eks-pod-identity-agent".equals(hcl.resolve(Hcl.attribute(body, "addon_name"))));
    if (!agent) {
      violations.add("no aws_eks_addon eks-pod-identity-agent (the agent the provider asks for credentials)");
    }
    boolean association = hcl.labelled("resource", "aws_eks_pod_identity_association").values().stream()
        .anyMatch(body -> Objects.equals(serviceAccount.namespace(), hcl.resolve(Hcl.attribute(body, "namespace")))
            && Objects.equals(serviceAccount.name(), hcl.resolve(Hcl.attribute(body, "service_account")))
            && String.valueOf(Hcl.attribute(body, "role_arn")).startsWith("aws_iam_role."));
    if (!association) {
      violations.add("no aws_eks_pod_identity_association for " + serviceAccount.namespace() + "/"
          + serviceAccount.name() + " with a role_arn of this configuration");
    }
    for (Map.Entry<String, String> bound : hcl.labelled("resource", "aws_eks_pod_identity_association").entrySet()) {
      String body = bound.getValue();
      if (!Objects.equals(serviceAccount.namespace(), hcl.resolve(Hcl.attribute(body, "namespace")))
          || !Objects.equals(serviceAccount.name(), hcl.resolve(Hcl.attribute(body, "service_account")))) {
        continue;
      }
      String role = Rules.group(ROLE_REF, Hcl.attribute(body, "role_arn"));
      String trust = Rules.group(DOCUMENT_REF,
          Hcl.attribute(hcl.labelled("resource", "aws_iam_role").get(role), "assume_role_policy"));
      String document = trust == null ? null : hcl.labelled("data", "aws_iam_policy_document").get(trust);
      String where = "aws_iam_role." + role + " (aws_eks_pod_identity_association." + bound.getKey() + ")";
      if (document == null) {
        violations.add(where + ": assume_role_policy is not a data.aws_iam_policy_document in this configuration");
        continue;
      }
      Map<String, List<String>> tags = new LinkedHashMap<>();
      for (String statement : Hcl.blocks(document, "statement\\s*\\{")) {
        for (String condition : Hcl.blocks(statement, "condition\\s*\\{")) {
          if ("StringEquals".equals(hcl.resolve(Hcl.attribute(condition, "test")))) {
            tags.put(hcl.resolve(Hcl.attribute(condition, "variable")), TerraformRules.list(condition, "values")
                .stream().map(v -> String.valueOf(hcl.resolve(v))).toList());
          }
        }
      }
      for (Map.Entry<String, String> tag : Map.of("aws:RequestTag/kubernetes-namespace", serviceAccount.namespace(),
          "aws:RequestTag/kubernetes-service-account", serviceAccount.name()).entrySet()) {
        if (!List.of(tag.getValue()).equals(tags.get(tag.getKey()))) {
          violations.add(where + ", the role of " + serviceAccount.namespace() + "/" + serviceAccount.name()
              + ": its trust (data.aws_iam_policy_document." + trust + ") must have StringEquals " + tag.getKey()
              + " = [" + tag.getValue() + "], but has " + tags.get(tag.getKey()));
        }
      }
    }
    boolean endpoint = hcl.labelled("resource", "aws_vpc_endpoint").values().stream().anyMatch(body ->
        String.valueOf(Hcl.attribute(body, "service_name")).endsWith(".eks-auth\"")
            && "true".equals(Hcl.attribute(body, "private_dns_enabled")));
    if (!endpoint) {
      violations.add("no aws_vpc_endpoint for com.amazonaws.<region>.eks-auth with private_dns_enabled = true "
          + "(the agent's calls from private nodes)");
    }
    return violations;
  }

  /** A Deployment's pods keep the role's credentials out of every application container. */
  static List<String> skipContainers(Manifest deployment) {
    List<String> containers = Rules.containers(deployment).stream().map(c -> Tree.text(c, "name")).toList();
    String annotation = Tree.text(deployment.document(), "spec", "template", "metadata", "annotations", SKIP_CONTAINERS);
    List<String> skipped = annotation == null ? List.of()
        : Arrays.stream(annotation.split(",")).map(String::trim).toList();
    if (!skipped.containsAll(containers)) {
      return List.of(deployment.label() + ": pod annotation " + SKIP_CONTAINERS + " must list its containers "
          + containers + " (else the webhook gives them the role's credentials), but is " + annotation);
    }
    return List.of();
  }
}
