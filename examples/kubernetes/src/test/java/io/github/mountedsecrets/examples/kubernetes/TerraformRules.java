package io.github.mountedsecrets.examples.kubernetes;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Text-level checks of the Terraform configuration against the manifests: the role a
 * ServiceAccount names, its trust bound to that one service account, the least-privilege
 * policy attached to it, exactly the secrets the SecretProviderClasses of that account's pods
 * read, their rotation and the Secrets Manager VPC endpoint.
 */
final class TerraformRules {
  private static final Set<String> ALLOWED_ACTIONS = Set.of(
      "secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "kms:Decrypt");
  private static final Pattern DOCUMENT_REF = Pattern.compile("data\\.aws_iam_policy_document\\.([\\w-]+)\\.json");
  private static final Pattern SECRET_REF = Pattern.compile("aws_secretsmanager_secret\\.([\\w-]+)\\.(?:arn|id)");

  private TerraformRules() {
  }

  /**
   * Checks the configuration.
   *
   * @param hcl the configuration
   * @param subject the service account subject, system:serviceaccount:NAMESPACE:NAME
   * @param roleName the role name in the ServiceAccount's annotation
   * @param secretNames the secret names the SecretProviderClasses of that account's pods read
   * @param rotatedSecret the secret that must have a rotation schedule
   * @return the violations
   */
  static List<String> check(Hcl hcl, String subject, String roleName, Set<String> secretNames,
      String rotatedSecret) {
    List<String> violations = new ArrayList<>();
    Map<String, String> documents = hcl.labelled("data", "aws_iam_policy_document");

    // The role and its trust policy.
    String roleLabel = null;
    for (Map.Entry<String, String> role : hcl.labelled("resource", "aws_iam_role").entrySet()) {
      if (roleName.equals(hcl.resolve(Hcl.attribute(role.getValue(), "name")))) {
        roleLabel = role.getKey();
        String trust = document(documents, Hcl.attribute(role.getValue(), "assume_role_policy"));
        if (trust == null) {
          violations.add("aws_iam_role." + roleLabel + ": assume_role_policy is not a "
              + "data.aws_iam_policy_document in this configuration");
        } else {
          violations.addAll(trust(hcl, "trust policy of aws_iam_role." + roleLabel, trust, subject));
        }
      }
    }
    if (roleLabel == null) {
      violations.add("no aws_iam_role is named " + roleName + " (the role in the ServiceAccount's annotation)");
    }

    // The secrets, by name.
    Map<String, String> secretLabels = new LinkedHashMap<>();
    for (Map.Entry<String, String> secret : hcl.labelled("resource", "aws_secretsmanager_secret").entrySet()) {
      String name = hcl.resolve(Hcl.attribute(secret.getValue(), "name"));
      secretLabels.put(secret.getKey(), name);
      if (Hcl.attribute(secret.getValue(), "kms_key_id") == null) {
        violations.add("aws_secretsmanager_secret." + secret.getKey() + " sets no kms_key_id");
      }
    }
    for (String name : secretNames) {
      if (!secretLabels.containsValue(name)) {
        violations.add("no aws_secretsmanager_secret is named " + name + " (an objectName of the SecretProviderClass)");
      }
    }

    // The policies attached to the role.
    if (roleLabel != null) {
      List<String> attached = new ArrayList<>();
      Map<String, String> policies = hcl.labelled("resource", "aws_iam_policy");
      for (String attachment : hcl.labelled("resource", "aws_iam_role_policy_attachment").values()) {
        String role = Hcl.attribute(attachment, "role");
        if (role != null && role.matches("aws_iam_role\\." + Pattern.quote(roleLabel) + "\\.(name|id)")) {
          String policy = Rules.group(Pattern.compile("aws_iam_policy\\.([\\w-]+)\\.arn"),
              Hcl.attribute(attachment, "policy_arn"));
          String body = policy == null ? null : document(documents, Hcl.attribute(policies.get(policy), "policy"));
          if (body == null) {
            violations.add("a policy attached to aws_iam_role." + roleLabel + " is not a "
                + "data.aws_iam_policy_document in this configuration");
          } else {
            attached.add(body);
          }
        }
      }
      if (attached.isEmpty()) {
        violations.add("no policy is attached to aws_iam_role." + roleLabel);
      }
      Set<String> covered = new LinkedHashSet<>();
      for (String body : attached) {
        violations.addAll(permissions(body, secretLabels, covered));
      }
      for (String name : secretNames) {
        if (!covered.contains(name)) {
          violations.add("the role's policies grant nothing on secret " + name);
        }
      }
      // And nothing more: a secret of another service is not for this role.
      for (String name : covered) {
        if (!secretNames.contains(name)) {
          violations.add("aws_iam_role." + roleLabel + ": its policies grant secret " + name + ", which no "
              + "SecretProviderClass its service account's pods mount reads " + secretNames + "; remove it");
        }
      }
    }

    // Rotation of the secret holding the database credentials.
    boolean rotated = false;
    for (Map.Entry<String, String> rotation : hcl.labelled("resource", "aws_secretsmanager_secret_rotation").entrySet()) {
      String label = Rules.group(SECRET_REF, Hcl.attribute(rotation.getValue(), "secret_id"));
      if (!Objects.equals(rotatedSecret, secretLabels.get(label))) {
        continue;
      }
      rotated = true;
      List<String> rules = Hcl.blocks(rotation.getValue(), "rotation_rules\\s*\\{");
      boolean scheduled = rules.stream().anyMatch(r -> Hcl.attribute(r, "schedule_expression") != null
          || Hcl.attribute(r, "automatically_after_days") != null);
      if (!scheduled || Hcl.attribute(rotation.getValue(), "rotation_lambda_arn") == null) {
        violations.add("aws_secretsmanager_secret_rotation." + rotation.getKey()
            + " needs rotation_lambda_arn and rotation_rules with a schedule");
      }
    }
    if (!rotated) {
      violations.add("no aws_secretsmanager_secret_rotation rotates " + rotatedSecret);
    }

    // The Secrets Manager interface endpoint with private DNS.
    boolean endpoint = hcl.labelled("resource", "aws_vpc_endpoint").values().stream().anyMatch(body ->
        String.valueOf(Hcl.attribute(body, "service_name")).endsWith(".secretsmanager\"")
            && "\"Interface\"".equals(Hcl.attribute(body, "vpc_endpoint_type"))
            && "true".equals(Hcl.attribute(body, "private_dns_enabled")));
    if (!endpoint) {
      violations.add("no aws_vpc_endpoint for com.amazonaws.<region>.secretsmanager with "
          + "vpc_endpoint_type = \"Interface\" and private_dns_enabled = true");
    }

    // No wildcard in any IAM document or role.
    for (Map.Entry<String, String> document : documents.entrySet()) {
      for (String value : Hcl.strings(document.getValue())) {
        if (value.contains("*")) {
          violations.add("data.aws_iam_policy_document." + document.getKey() + ": \"" + value + "\" contains \"*\"");
        }
      }
    }
    return violations;
  }

  private static String document(Map<String, String> documents, String reference) {
    String label = Rules.group(DOCUMENT_REF, reference);
    return label == null ? null : documents.get(label);
  }

  private static List<String> trust(Hcl hcl, String where, String body, String subject) {
    List<String> violations = new ArrayList<>();
    List<String> statements = Hcl.blocks(body, "statement\\s*\\{");
    if (statements.size() != 1) {
      violations.add(where + ": expected one statement, found " + statements.size());
    }
    for (String statement : statements) {
      if (!list(statement, "actions").equals(List.of("\"sts:AssumeRoleWithWebIdentity\""))) {
        violations.add(where + ": actions must be [\"sts:AssumeRoleWithWebIdentity\"]");
      }
      boolean federated = Hcl.blocks(statement, "principals\\s*\\{").stream()
          .anyMatch(p -> "\"Federated\"".equals(Hcl.attribute(p, "type")));
      if (!federated) {
        violations.add(where + ": the principal must be the cluster's OIDC provider (type Federated)");
      }
      Map<String, List<String>> equals = new LinkedHashMap<>();
      for (String condition : Hcl.blocks(statement, "condition\\s*\\{")) {
        String test = hcl.resolve(Hcl.attribute(condition, "test"));
        String variable = String.valueOf(Hcl.attribute(condition, "variable"));
        if (!"StringEquals".equals(test)) {
          violations.add(where + ": condition on " + variable + " uses " + test + "; use StringEquals "
              + "only, so that no other service account matches");
          continue;
        }
        List<String> values = new ArrayList<>();
        for (String item : list(condition, "values")) {
          values.add(hcl.resolve(item));
        }
        equals.put(variable.replace("\"", ""), values);
      }
      if (!List.of(subject).equals(suffixed(equals, ":sub"))) {
        violations.add(where + ": StringEquals on <issuer>:sub must be exactly [" + subject + "], but is "
            + suffixed(equals, ":sub"));
      }
      if (!List.of("sts.amazonaws.com").equals(suffixed(equals, ":aud"))) {
        violations.add(where + ": StringEquals on <issuer>:aud must be exactly [sts.amazonaws.com], but is "
            + suffixed(equals, ":aud"));
      }
    }
    return violations;
  }

  private static List<String> suffixed(Map<String, List<String>> conditions, String suffix) {
    return conditions.entrySet().stream().filter(e -> e.getKey().endsWith(suffix))
        .map(Map.Entry::getValue).findFirst().orElse(null);
  }

  private static List<String> permissions(String body, Map<String, String> secretLabels, Set<String> covered) {
    List<String> violations = new ArrayList<>();
    for (String statement : Hcl.blocks(body, "statement\\s*\\{")) {
      for (String negated : List.of("not_actions", "not_resources")) {
        if (Hcl.attribute(statement, negated) != null) {
          violations.add("reader policy: " + negated + " grants everything not listed");
        }
      }
      if ("\"Deny\"".equals(Hcl.attribute(statement, "effect"))) {
        continue;
      }
      List<String> actions = new ArrayList<>();
      for (String action : list(statement, "actions")) {
        actions.add(action.replace("\"", ""));
      }
      for (String action : actions) {
        if (!ALLOWED_ACTIONS.contains(action)) {
          violations.add("reader policy: action " + action + " is not needed to read the secrets");
        }
      }
      if (actions.stream().anyMatch(a -> a.startsWith("secretsmanager:"))) {
        for (String resource : list(statement, "resources")) {
          String name = secretLabels.get(Rules.group(SECRET_REF, resource));
          if (name == null) {
            violations.add("reader policy: Secrets Manager resource " + resource
                + " is not the ARN of an aws_secretsmanager_secret of this configuration");
          } else if (actions.containsAll(List.of("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"))) {
            covered.add(name);
          }
        }
      }
      if (actions.contains("kms:Decrypt")) {
        boolean viaSecretsManager = Hcl.blocks(statement, "condition\\s*\\{").stream().anyMatch(c ->
            "\"StringEquals\"".equals(Hcl.attribute(c, "test"))
                && "\"kms:ViaService\"".equals(Hcl.attribute(c, "variable"))
                && list(c, "values").stream().allMatch(v -> v.matches("\"secretsmanager\\.[^\"]+\\.amazonaws\\.com\"")));
        if (!viaSecretsManager) {
          violations.add("reader policy: kms:Decrypt must have a StringEquals kms:ViaService "
              + "condition naming secretsmanager.<region>.amazonaws.com");
        }
      }
    }
    return violations;
  }

  /** Returns the items of a list attribute ({@code name = [a, b]}, over several lines too). */
  static List<String> list(String body, String name) {
    Matcher matcher = Pattern.compile("(?m)^\\s*" + Pattern.quote(name) + "\\s*=\\s*\\[").matcher(Hcl.topLevel(body));
    List<String> items = new ArrayList<>();
    if (!matcher.find()) {
      return items;
    }
    String rest = Hcl.topLevel(body).substring(matcher.end());
    int end = rest.indexOf(']');
    for (String item : rest.substring(0, end < 0 ? rest.length() : end).split("[,\\n]")) {
      if (!item.isBlank()) {
        items.add(item.trim());
      }
    }
    return items;
  }
}
