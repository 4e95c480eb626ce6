# The roles the AWS provider assumes (IRSA) to fetch the secrets of the orders pods, and the
# only permissions they have: one role per service, because each service runs as its own
# service account (manifests/01-serviceaccount.yaml) and a role is bound to a service account,
# not to a pod. Each role may read exactly the secrets its service's SecretProviderClasses
# read:
#   orders-spring-secrets-reader   (orders/orders-spring)  prod/orders/db, prod/orders/api-key
#                                                          and prod/orders/tls
#   orders-quarkus-secrets-reader  (orders/orders-quarkus) prod/orders/db, prod/orders/api-key
# so the Spring service's TLS private key is out of the Quarkus pods' mounts and out of their
# role's reach. ManifestConsistencyTest fails if a role may read more or less than the classes
# its account's pods mount. iam/*.json are the same documents for review and for the aws-cli
# path (iam/<role>-policy.json, iam/<role>-trust-policy.json; with the ARN suffixes as
# wildcards, since they are known only after creation).

# Trust: only tokens that the cluster's OIDC issuer signed for the one service account
# orders/orders-spring, with audience sts.amazonaws.com (the audience the AWS provider
# requests). StringEquals, not StringLike: no other service account or namespace matches, the
# Quarkus service's included.
data "aws_iam_policy_document" "orders_spring_secrets_reader_trust" {
  statement {
    sid     = "OnlyTheOrdersSpringServiceAccount"
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_issuer}:sub"
      values   = [local.spring_service_account_subject]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "orders_spring_secrets_reader" {
  name                 = local.spring_role_name
  description          = "Read the Spring orders service's secrets, for pods of service account ${local.namespace}/${local.spring_service_account} (IRSA)"
  assume_role_policy   = data.aws_iam_policy_document.orders_spring_secrets_reader_trust.json
  max_session_duration = 3600
  tags                 = var.tags
}

# The same for orders/orders-quarkus and only it.
data "aws_iam_policy_document" "orders_quarkus_secrets_reader_trust" {
  statement {
    sid     = "OnlyTheOrdersQuarkusServiceAccount"
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_issuer}:sub"
      values   = [local.quarkus_service_account_subject]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "orders_quarkus_secrets_reader" {
  name                 = local.quarkus_role_name
  description          = "Read the Quarkus orders service's secrets, for pods of service account ${local.namespace}/${local.quarkus_service_account} (IRSA)"
  assume_role_policy   = data.aws_iam_policy_document.orders_quarkus_secrets_reader_trust.json
  max_session_duration = 3600
  tags                 = var.tags
}

# Least privilege: read (GetSecretValue) and check the current version (DescribeSecret, which
# the provider calls at every remount after the first) of exactly the secrets the service's
# pods mount. Their ARNs end in "-" and 6 random characters that Secrets Manager appends; here
# they are the real ARNs. No PutSecretValue, no ListSecrets, no wildcard. kms:Decrypt only on
# the secrets' key and only when Secrets Manager makes the call on the role's behalf
# (kms:ViaService), so the role cannot decrypt anything with that key directly.
#
# The Spring service: orders-secrets' objects and prod/orders/tls, which only its class
# orders-spring-https-secrets reads. The role includes prod/orders/tls whether or not the
# HTTPS switch of manifests/10-orders-spring.yaml is on, so that turning HTTPS on (or off) is a
# change of the Deployment only, never of IAM; a role that lagged behind the switch would fail
# every new pod's mount with AccessDeniedException. The secret has no value until HTTPS is
# turned on, so until then there is nothing to read.
data "aws_iam_policy_document" "orders_spring_secrets_reader" {
  statement {
    sid    = "ReadTheSpringServicesSecretsOnly"
    effect = "Allow"
    actions = [
      "secretsmanager:GetSecretValue",
      "secretsmanager:DescribeSecret",
    ]
    resources = [
      aws_secretsmanager_secret.db.arn,
      aws_secretsmanager_secret.api_key.arn,
      aws_secretsmanager_secret.tls.arn,
    ]
  }

  statement {
    sid       = "DecryptOnlyThroughSecretsManager"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.orders_secrets.arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${var.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_policy" "orders_spring_secrets_reader" {
  name        = local.spring_role_name
  description = "GetSecretValue and DescribeSecret on prod/orders/db, prod/orders/api-key and prod/orders/tls; kms:Decrypt via Secrets Manager only"
  policy      = data.aws_iam_policy_document.orders_spring_secrets_reader.json
  tags        = var.tags
}

resource "aws_iam_role_policy_attachment" "orders_spring_secrets_reader" {
  role       = aws_iam_role.orders_spring_secrets_reader.name
  policy_arn = aws_iam_policy.orders_spring_secrets_reader.arn
}

# The Quarkus service: orders-secrets' objects only. No prod/orders/tls: its pods never mount
# it, so its role may not read it either. The key is shared (one KMS key encrypts all three
# secrets), but kms:ViaService lets the role use it only through Secrets Manager, where the
# secret statement above decides which secrets it may decrypt.
data "aws_iam_policy_document" "orders_quarkus_secrets_reader" {
  statement {
    sid    = "ReadTheQuarkusServicesSecretsOnly"
    effect = "Allow"
    actions = [
      "secretsmanager:GetSecretValue",
      "secretsmanager:DescribeSecret",
    ]
    resources = [
      aws_secretsmanager_secret.db.arn,
      aws_secretsmanager_secret.api_key.arn,
    ]
  }

  statement {
    sid       = "DecryptOnlyThroughSecretsManager"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.orders_secrets.arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["secretsmanager.${var.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_policy" "orders_quarkus_secrets_reader" {
  name        = local.quarkus_role_name
  description = "GetSecretValue and DescribeSecret on prod/orders/db and prod/orders/api-key; kms:Decrypt via Secrets Manager only"
  policy      = data.aws_iam_policy_document.orders_quarkus_secrets_reader.json
  tags        = var.tags
}

resource "aws_iam_role_policy_attachment" "orders_quarkus_secrets_reader" {
  role       = aws_iam_role.orders_quarkus_secrets_reader.name
  policy_arn = aws_iam_policy.orders_quarkus_secrets_reader.arn
}
