# The role the AWS provider assumes (IRSA) to fetch the secrets of the orders pods, and the
# only permissions it has. Both Deployments run as the one service account orders-service, so
# this one role serves both services and may read all three secrets, prod/orders/tls included,
# though only the Spring pods with HTTPS mount it (manifests/02-secretproviderclass.yaml): the
# separate SecretProviderClasses keep the private key out of the other pods' mounts, not out
# of the role's reach. Keeping it from the Quarkus pods' role too takes a service account and
# a role per service. iam/*.json are the same two documents for review and for the
# aws-cli path (with the ARN suffixes as wildcards, since they are known only after creation).

# Trust: only tokens that the cluster's OIDC issuer signed for the one service account
# orders/orders-service, with audience sts.amazonaws.com (the audience the AWS provider
# requests). StringEquals, not StringLike: no other service account or namespace matches.
data "aws_iam_policy_document" "orders_secrets_reader_trust" {
  statement {
    sid     = "OnlyTheOrdersServiceAccount"
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [var.oidc_provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_issuer}:sub"
      values   = [local.service_account_subject]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "orders_secrets_reader" {
  name                 = local.role_name
  description          = "Read the orders service's secrets, for pods of service account ${local.namespace}/${local.service_account} (IRSA)"
  assume_role_policy   = data.aws_iam_policy_document.orders_secrets_reader_trust.json
  max_session_duration = 3600
  tags                 = var.tags
}

# Least privilege: read (GetSecretValue) and check the current version (DescribeSecret, which
# the provider calls at every remount after the first) of exactly these three secrets. Their ARNs end in
# "-" and 6 random characters that Secrets Manager appends; here they are the real ARNs. No
# PutSecretValue, no ListSecrets, no wildcard. kms:Decrypt only on the secrets' key and only
# when Secrets Manager makes the call on the role's behalf (kms:ViaService), so the role
# cannot decrypt anything with that key directly.
data "aws_iam_policy_document" "orders_secrets_reader" {
  statement {
    sid    = "ReadTheOrdersSecretsOnly"
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

resource "aws_iam_policy" "orders_secrets_reader" {
  name        = local.role_name
  description = "GetSecretValue and DescribeSecret on prod/orders/db, prod/orders/api-key and prod/orders/tls; kms:Decrypt via Secrets Manager only"
  policy      = data.aws_iam_policy_document.orders_secrets_reader.json
  tags        = var.tags
}

resource "aws_iam_role_policy_attachment" "orders_secrets_reader" {
  role       = aws_iam_role.orders_secrets_reader.name
  policy_arn = aws_iam_policy.orders_secrets_reader.arn
}
