package io.github.mountedsecrets.examples.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
import java.util.stream.Stream;

/**
 * Least privilege per service: the role a service account's pods get may read exactly the
 * secrets those pods mount, no more (another service's secret) and no less (a mount that fails
 * with AccessDeniedException), in every place that defines the role: the IRSA documents of
 * iam/, the IRSA roles of the Terraform, the EKS Pod Identity trust documents of iam/ and the
 * Pod Identity associations of the Terraform. "What the pods mount" is every object of every
 * SecretProviderClass a Deployment running as that account mounts, with its HTTPS switch off
 * and on (Rules.httpsVariant), since a switch is one edit of the Deployment and must not need
 * an IAM change to work.
 *
 * <p>A role belongs to a service account, not to a pod, so two Deployments that mount
 * different secrets must not share a service account: its one role would have to read what
 * either mounts. The documents of iam/ are named after the role in the service account's
 * annotation (iam/ROLE-policy.json, iam/ROLE-trust-policy.json,
 * iam/ROLE-pod-identity-trust-policy.json; the Pod Identity role ROLE-pod-identity has the
 * same policy), and iam/ holds no other document, so that no stale, broader one is left to
 * be used.
 */
final class LeastPrivilegeRules {
  static final String POD_IDENTITY = "pod-identity";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern ROLE_REF = Pattern.compile("aws_iam_role\\.([\\w-]+)(?:\\[0\\])?\\.(?:name|id|arn)");
  private static final Pattern POLICY_REF = Pattern.compile("aws_iam_policy\\.([\\w-]+)(?:\\[0\\])?\\.arn");
  private static final Pattern DOCUMENT_REF = Pattern.compile("data\\.aws_iam_policy_document\\.([\\w-]+)\\.json");
  private static final Pattern SECRET_REF = Pattern.compile("aws_secretsmanager_secret\\.([\\w-]+)\\.arn");

  private LeastPrivilegeRules() {
  }

  /**
   * One secret that a Deployment (or its HTTPS variant) mounts through one SecretProviderClass.
   *
   * @param deployment the Deployment or its variant
   * @param providerClass the class's name
   * @param secret the object's objectName
   */
  record Mount(Manifest deployment, String providerClass, String secret) {
    String serviceAccount() {
      return LeastPrivilegeRules.serviceAccount(deployment);
    }
  }

  // ---------------------------------------------------------------------------------------
  // The whole check, over a copy of the module's directories

  /**
   * Checks manifests/, iam/ and terraform/ of the module directory (the real one, or a broken
   * copy of it).
   */
  static List<String> check(Path module) {
    List<Manifest> all = Manifest.loadAll(module.resolve("manifests"));
    List<Manifest> deployments = deploymentsWithVariants(module.resolve("manifests"), all);
    List<Manifest> irsaClasses = kind(all, "SecretProviderClass", false);
    List<Manifest> podIdentityClasses = kind(all, "SecretProviderClass", true);
    List<Manifest> irsaAccounts = kind(all, "ServiceAccount", false);
    List<Manifest> podIdentityAccounts = kind(all, "ServiceAccount", true);
    List<Mount> irsaMounts = mounts(deployments, irsaClasses);
    List<Mount> podIdentityMounts = mounts(deployments, podIdentityClasses);
    String region = irsaClasses.stream().map(c -> Tree.text(c.document(), "spec", "parameters", "region"))
        .filter(Objects::nonNull).findFirst().orElse("<region>");

    List<String> violations = new ArrayList<>(ownServiceAccounts(deployments, irsaMounts));

    // IRSA: the annotation names the role; iam/ holds its documents, terraform/ creates it.
    Map<Path, Hcl> terraform = terraform(module.resolve("terraform"));
    Hcl hcl = Hcl.of(String.join("\n", terraform.values().stream().map(Hcl::text).toList()));
    Map<String, String> roles = new LinkedHashMap<>();
    Set<String> expectedDocuments = new TreeSet<>();
    for (String account : accounts(irsaAccounts, deployments)) {
      Manifest serviceAccount = find(irsaAccounts, account);
      if (serviceAccount == null) {
        violations.add("no ServiceAccount " + account + " in the IRSA manifests, though "
            + runningAs(deployments, account) + " run as it");
        continue;
      }
      String arn = Tree.text(serviceAccount.document(), "metadata", "annotations", Rules.IRSA_ANNOTATION);
      Matcher matcher = Rules.ROLE_ARN.matcher(String.valueOf(arn));
      if (!matcher.matches()) {
        continue;
      }
      String role = matcher.group(2);
      String other = roles.put(role, account);
      if (other != null) {
        violations.add(serviceAccount.label() + ": names role " + role + ", the role of service account " + other
            + " too; a role trusts one service account, give this one a role of its own");
      }
      String where = "role " + role + " of service account " + account + ", IRSA";
      String policyFile = "iam/" + role + "-policy.json";
      String trustFile = "iam/" + role + "-trust-policy.json";
      String podIdentityTrustFile = "iam/" + role + "-" + POD_IDENTITY + "-trust-policy.json";
      expectedDocuments.addAll(List.of(policyFile, trustFile, podIdentityTrustFile));
      JsonNode policy = json(module, policyFile, serviceAccount, violations);
      if (policy != null) {
        violations.addAll(grantsExactly(policyFile + " (policy of " + where + ")",
            grantedByJson(policy, region, matcher.group(1)), account, irsaMounts));
      }
      JsonNode trust = json(module, trustFile, serviceAccount, violations);
      if (trust != null) {
        violations.addAll(Rules.trustPolicy(trustFile, trust, subject(account)));
      }
      String label = roleNamed(hcl, role);
      if (label == null) {
        violations.add("terraform/: no aws_iam_role is named " + role + " (the role in the "
            + Rules.IRSA_ANNOTATION + " annotation of " + serviceAccount.label() + ")");
      } else {
        violations.addAll(grantsExactly(fileOf(module, terraform, "aws_iam_role", label) + ": aws_iam_role."
            + label + " (" + where + ")", grantedByTerraform(hcl, label), account, irsaMounts));
      }

      // EKS Pod Identity: the same account without annotation, its own trust document in
      // iam/ (the policy is the IRSA role's), and an association in terraform/.
      Manifest podIdentityAccount = find(podIdentityAccounts, account);
      if (podIdentityAccount == null) {
        violations.add("no ServiceAccount " + account + " in manifests/" + POD_IDENTITY + "/, though "
            + runningAs(deployments, account) + " run as it");
        continue;
      }
      JsonNode podIdentityTrust = json(module, podIdentityTrustFile, serviceAccount, violations);
      if (podIdentityTrust != null) {
        violations.addAll(PodIdentityRules.trustPolicy(podIdentityTrustFile, podIdentityTrust, podIdentityAccount));
      }
      violations.addAll(associations(module, terraform, hcl, account, podIdentityMounts));
    }

    // Nothing in iam/ that no role uses: a stale, broader document invites its use.
    for (String file : list(module.resolve("iam"))) {
      if (!expectedDocuments.contains("iam/" + file)) {
        violations.add("iam/" + file + " is the policy or trust document of no role that a service account names "
            + "(roles " + roles.keySet() + "); delete it, or name its role in a ServiceAccount's "
            + Rules.IRSA_ANNOTATION + " annotation (documents are iam/<role>-policy.json, "
            + "iam/<role>-trust-policy.json and iam/<role>-" + POD_IDENTITY + "-trust-policy.json)");
      }
    }
    return violations;
  }

  private static List<String> associations(Path module, Map<Path, Hcl> terraform, Hcl hcl, String account,
      List<Mount> mounts) {
    List<String> violations = new ArrayList<>();
    int found = 0;
    for (Map.Entry<String, String> association : hcl.labelled("resource", "aws_eks_pod_identity_association").entrySet()) {
      String body = association.getValue();
      String boundTo = hcl.resolve(Hcl.attribute(body, "namespace")) + "/"
          + hcl.resolve(Hcl.attribute(body, "service_account"));
      if (!account.equals(boundTo)) {
        continue;
      }
      found++;
      String where = fileOf(module, terraform, "aws_eks_pod_identity_association", association.getKey())
          + ": aws_eks_pod_identity_association." + association.getKey();
      String label = Rules.group(ROLE_REF, Hcl.attribute(body, "role_arn"));
      if (label == null || !hcl.labelled("resource", "aws_iam_role").containsKey(label)) {
        violations.add(where + ": role_arn " + Hcl.attribute(body, "role_arn") + " is not an aws_iam_role of "
            + "this configuration");
        continue;
      }
      String name = hcl.resolve(Hcl.attribute(hcl.labelled("resource", "aws_iam_role").get(label), "name"));
      violations.addAll(grantsExactly(where + " gives service account " + account + " aws_iam_role." + label
          + " (role " + name + ", EKS Pod Identity), which", grantedByTerraform(hcl, label), account, mounts));
      for (Map.Entry<String, String> other : hcl.labelled("resource", "aws_eks_pod_identity_association").entrySet()) {
        String otherAccount = hcl.resolve(Hcl.attribute(other.getValue(), "namespace")) + "/"
            + hcl.resolve(Hcl.attribute(other.getValue(), "service_account"));
        String otherRole = Rules.group(ROLE_REF, Hcl.attribute(other.getValue(), "role_arn"));
        if (!otherAccount.equals(account) && label.equals(otherRole)) {
          violations.add(where + ": aws_iam_role." + label + " is also the role of service account " + otherAccount
              + " (aws_eks_pod_identity_association." + other.getKey() + "); give each service account a role "
              + "of its own");
        }
      }
    }
    if (found > 1) {
      violations.add("terraform/: " + found + " aws_eks_pod_identity_association for service account " + account
          + "; EKS allows one, with the role of that account");
    }
    return violations;
  }

  // ---------------------------------------------------------------------------------------
  // The rules

  /**
   * No two Deployments share a service account unless they mount the same secrets: the one
   * role of a shared account would have to read what either mounts, more than one of them
   * needs.
   *
   * @param deployments the Deployments, with their HTTPS variants (same name and namespace)
   * @param mounts what they mount
   */
  static List<String> ownServiceAccounts(List<Manifest> deployments, List<Mount> mounts) {
    List<String> violations = new ArrayList<>();
    // service account -> Deployment (namespace/name) -> its label and the secrets any variant mounts
    Map<String, Map<String, String>> labels = new LinkedHashMap<>();
    Map<String, Set<String>> secrets = new LinkedHashMap<>();
    for (Manifest deployment : deployments) {
      String key = deployment.namespace() + "/" + deployment.name();
      labels.computeIfAbsent(serviceAccount(deployment), a -> new LinkedHashMap<>()).putIfAbsent(key, deployment.label());
      secrets.computeIfAbsent(key, k -> new TreeSet<>());
    }
    for (Mount mount : mounts) {
      secrets.get(mount.deployment().namespace() + "/" + mount.deployment().name()).add(mount.secret());
    }
    for (Map.Entry<String, Map<String, String>> account : labels.entrySet()) {
      List<String> keys = new ArrayList<>(account.getValue().keySet());
      for (int i = 0; i < keys.size(); i++) {
        for (int j = i + 1; j < keys.size(); j++) {
          Set<String> a = secrets.get(keys.get(i));
          Set<String> b = secrets.get(keys.get(j));
          if (!a.equals(b)) {
            String first = account.getValue().get(keys.get(i));
            String second = account.getValue().get(keys.get(j));
            violations.add(first + " and " + second + " both run as service account " + account.getKey()
                + " but mount different secrets (" + first + ": " + a + "; " + second + ": " + b + "), so its role "
                + "would have to read what either mounts; give each Deployment its own service account "
                + "(serviceAccountName) and role");
          }
        }
      }
    }
    return violations;
  }

  /**
   * A role may read exactly the secrets its service account's pods mount.
   *
   * @param role the role and where it is defined, for messages
   * @param granted the secrets its policies let it read (GetSecretValue), each with the place
   *     that grants it
   * @param account the service account, namespace/name
   * @param mounts what the Deployments mount (all of them; those of other accounts are ignored)
   */
  static List<String> grantsExactly(String role, Map<String, String> granted, String account, List<Mount> mounts) {
    List<String> violations = new ArrayList<>();
    List<Mount> own = mounts.stream().filter(m -> account.equals(m.serviceAccount())).toList();
    Map<String, Set<String>> byDeployment = new LinkedHashMap<>();
    for (Mount mount : own) {
      byDeployment.computeIfAbsent(mount.deployment().label(), d -> new TreeSet<>()).add(mount.secret());
    }
    Set<String> mounted = new LinkedHashSet<>();
    own.forEach(m -> mounted.add(m.secret()));
    for (Map.Entry<String, String> grant : granted.entrySet()) {
      if (!mounted.contains(grant.getKey())) {
        violations.add(role + " may read secret " + grant.getKey() + ", but no pod of service account " + account
            + " mounts it (" + (byDeployment.isEmpty() ? "none runs as it" : describe(byDeployment)) + "); remove it "
            + "from " + grant.getValue() + ", so that the role reads only what its pods mount");
      }
    }
    Set<String> reported = new LinkedHashSet<>();
    for (Mount mount : own) {
      if (!granted.containsKey(mount.secret()) && reported.add(mount.secret())) {
        violations.add(role + " may not read secret " + mount.secret() + ", which " + mount.deployment().label()
            + " mounts (SecretProviderClass " + mount.providerClass() + "); that mount would fail with "
            + "AccessDeniedException: grant secretsmanager:GetSecretValue and secretsmanager:DescribeSecret on it");
      }
    }
    return violations;
  }

  // ---------------------------------------------------------------------------------------
  // What the pods mount, what the roles may read

  /**
   * Returns the Deployments of the top-level manifests and, for a file with a HTTPS switch,
   * the Deployments of its switched variant (source "FILE (https)").
   */
  static List<Manifest> deploymentsWithVariants(Path manifests, List<Manifest> all) {
    List<Manifest> deployments = new ArrayList<>();
    Set<String> sources = new LinkedHashSet<>();
    for (Manifest manifest : all) {
      if ("Deployment".equals(manifest.kind()) && !manifest.source().contains("/")) {
        deployments.add(manifest);
        sources.add(manifest.source());
      }
    }
    for (String source : sources) {
      String on = Rules.httpsVariant(Manifest.read(manifests.resolve(source)));
      if (on != null) {
        Manifest.parse(source + " (https)", on).stream().filter(m -> "Deployment".equals(m.kind()))
            .forEach(deployments::add);
      }
    }
    return deployments;
  }

  /** Returns what the Deployments mount through the given classes (same name and namespace). */
  static List<Mount> mounts(List<Manifest> deployments, List<Manifest> providerClasses) {
    List<Mount> mounts = new ArrayList<>();
    for (Manifest deployment : deployments) {
      for (String used : Rules.providerClassesUsed(deployment)) {
        providerClasses.stream()
            .filter(c -> Objects.equals(used, c.name()) && Objects.equals(deployment.namespace(), c.namespace()))
            .findFirst()
            .ifPresent(c -> ProviderObjects.of(c).objects()
                .forEach(o -> mounts.add(new Mount(deployment, used, o.objectName()))));
      }
    }
    return mounts;
  }

  /** Returns the Deployment's service account, namespace/name (Kubernetes' "default" if unset). */
  static String serviceAccount(Manifest deployment) {
    String name = Tree.text(Rules.podSpec(deployment), "serviceAccountName");
    return deployment.namespace() + "/" + (name == null ? "default" : name);
  }

  /**
   * Returns the secrets a policy document lets its holder read (an Allow statement with
   * secretsmanager:GetSecretValue), each with the statement granting it; a resource that is
   * not an exact secret ARN of the region and account stands for itself.
   */
  static Map<String, String> grantedByJson(JsonNode policy, String region, String account) {
    Map<String, String> granted = new LinkedHashMap<>();
    for (JsonNode statement : Rules.statements(policy)) {
      if (!"Allow".equals(statement.path("Effect").asText()) || !reads(Rules.strings(statement.path("Action")))) {
        continue;
      }
      for (String resource : Rules.strings(statement.path("Resource"))) {
        String name = Rules.secretNameOf(resource, region, account);
        granted.putIfAbsent(name != null ? name : resource, "statement " + statement.path("Sid").asText("(no Sid)"));
      }
    }
    return granted;
  }

  /**
   * Returns the secrets the policies attached to a Terraform role let it read, each with the
   * policy document granting it; a resource that is not an aws_secretsmanager_secret of the
   * configuration stands for itself.
   */
  static Map<String, String> grantedByTerraform(Hcl hcl, String roleLabel) {
    Map<String, String> granted = new LinkedHashMap<>();
    Map<String, String> secrets = new LinkedHashMap<>();
    hcl.labelled("resource", "aws_secretsmanager_secret")
        .forEach((label, body) -> secrets.put(label, hcl.resolve(Hcl.attribute(body, "name"))));
    Map<String, String> policies = hcl.labelled("resource", "aws_iam_policy");
    Map<String, String> documents = hcl.labelled("data", "aws_iam_policy_document");
    for (String attachment : hcl.labelled("resource", "aws_iam_role_policy_attachment").values()) {
      if (!roleLabel.equals(Rules.group(ROLE_REF, Hcl.attribute(attachment, "role")))) {
        continue;
      }
      String policy = Rules.group(POLICY_REF, Hcl.attribute(attachment, "policy_arn"));
      String document = Rules.group(DOCUMENT_REF, Hcl.attribute(policies.get(policy), "policy"));
      String body = documents.get(document);
      if (body == null) {
        granted.put(String.valueOf(Hcl.attribute(attachment, "policy_arn")),
            "the attachment of a policy that is no data.aws_iam_policy_document of this configuration");
        continue;
      }
      for (String statement : Hcl.blocks(body, "statement\\s*\\{")) {
        List<String> actions = TerraformRules.list(statement, "actions").stream().map(a -> a.replace("\"", "")).toList();
        if ("\"Deny\"".equals(Hcl.attribute(statement, "effect")) || !reads(actions)) {
          continue;
        }
        for (String resource : TerraformRules.list(statement, "resources")) {
          String name = secrets.get(Rules.group(SECRET_REF, resource));
          granted.putIfAbsent(name != null ? name : resource, "data.aws_iam_policy_document." + document
              + " (aws_iam_policy." + policy + ")");
        }
      }
    }
    return granted;
  }

  private static boolean reads(List<String> actions) {
    return actions.stream().map(a -> a.toLowerCase(Locale.ROOT)).anyMatch(a ->
        a.equals("secretsmanager:getsecretvalue") || a.equals("secretsmanager:*") || a.equals("*"));
  }

  // ---------------------------------------------------------------------------------------
  // Helpers

  private static String describe(Map<String, Set<String>> byDeployment) {
    List<String> parts = new ArrayList<>();
    byDeployment.forEach((deployment, secrets) -> parts.add(deployment + " mounts " + secrets));
    return String.join("; ", parts);
  }

  /** The accounts the IRSA manifests define and the Deployments run as, in that order. */
  private static Set<String> accounts(List<Manifest> serviceAccounts, List<Manifest> deployments) {
    Set<String> accounts = new LinkedHashSet<>();
    serviceAccounts.forEach(a -> accounts.add(a.namespace() + "/" + a.name()));
    deployments.forEach(d -> accounts.add(serviceAccount(d)));
    return accounts;
  }

  private static String runningAs(List<Manifest> deployments, String account) {
    return deployments.stream().filter(d -> account.equals(serviceAccount(d))).map(Manifest::label)
        .distinct().toList().toString();
  }

  private static Manifest find(List<Manifest> serviceAccounts, String account) {
    return serviceAccounts.stream().filter(a -> account.equals(a.namespace() + "/" + a.name())).findFirst().orElse(null);
  }

  private static List<Manifest> kind(List<Manifest> all, String kind, boolean podIdentity) {
    return all.stream().filter(m -> kind.equals(m.kind())
        && m.source().startsWith(POD_IDENTITY + "/") == podIdentity).toList();
  }

  private static String subject(String account) {
    return "system:serviceaccount:" + account.replace('/', ':');
  }

  private static String roleNamed(Hcl hcl, String name) {
    for (Map.Entry<String, String> role : hcl.labelled("resource", "aws_iam_role").entrySet()) {
      if (name.equals(hcl.resolve(Hcl.attribute(role.getValue(), "name")))) {
        return role.getKey();
      }
    }
    return null;
  }

  private static JsonNode json(Path module, String file, Manifest serviceAccount, List<String> violations) {
    Path path = module.resolve(file);
    if (!Files.isRegularFile(path)) {
      violations.add(file + " does not exist: the document of the role that " + serviceAccount.label()
          + " names (iam/ names its documents after the role)");
      return null;
    }
    try {
      return JSON.readTree(Manifest.read(path));
    } catch (IOException e) {
      violations.add(file + " is not JSON: " + e.getMessage());
      return null;
    }
  }

  /** Every .tf file of the directory, parsed on its own, in name order. */
  private static Map<Path, Hcl> terraform(Path directory) {
    Map<Path, Hcl> files = new LinkedHashMap<>();
    try (Stream<Path> list = Files.list(directory)) {
      list.filter(p -> p.toString().endsWith(".tf")).sorted().forEach(p -> files.put(p, Hcl.of(Manifest.read(p))));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  /** Returns the file defining a resource, relative to the module (terraform/iam.tf). */
  private static String fileOf(Path module, Map<Path, Hcl> terraform, String type, String label) {
    for (Map.Entry<Path, Hcl> file : terraform.entrySet()) {
      if (file.getValue().labelled("resource", type).containsKey(label)) {
        return module.relativize(file.getKey()).toString().replace('\\', '/');
      }
    }
    return "terraform/";
  }

  private static List<String> list(Path directory) {
    try (Stream<Path> list = Files.list(directory)) {
      return list.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
