# EKS Pod Identity, the alternative to IRSA (README, "EKS Pod Identity instead of IRSA"):
# created only with use_pod_identity = true. Then the pods use manifests/pod-identity/
# (the service accounts without the IRSA annotation, SecretProviderClasses with
# usePodIdentity: "true"), and the AWS provider gets the role's credentials from the Pod
# Identity agent on the node, which asks the EKS Auth API (eks-auth) for them.
#
# As with IRSA, one role per service account: orders/orders-spring gets
# orders-spring-secrets-reader-pod-identity with the Spring service's policy,
# orders/orders-quarkus gets orders-quarkus-secrets-reader-pod-identity with the Quarkus
# service's (iam.tf), so the Quarkus pods cannot read prod/orders/tls this way either.

# The agent: a DaemonSet on every node that the provider calls at 169.254.170.23.
resource "aws_eks_addon" "pod_identity_agent" {
  count = var.use_pod_identity ? 1 : 0

  cluster_name = var.cluster_name
  addon_name   = "eks-pod-identity-agent"
  tags         = var.tags
}

# Trust: only the EKS Pod Identity service, and only for sessions it tags with this
# cluster, the orders namespace and the orders-spring service account (EKS Pod Identity sets
# these session tags, hence sts:TagSession besides sts:AssumeRole). The association below is
# what binds the role to the service account; the conditions keep any other association in
# the account, the Quarkus service's included, from using this role.
data "aws_iam_policy_document" "orders_spring_secrets_reader_pod_identity_trust" {
  statement {
    sid     = "OnlyTheOrdersSpringServiceAccountThroughPodIdentity"
    effect  = "Allow"
    actions = ["sts:AssumeRole", "sts:TagSession"]

    principals {
      type        = "Service"
      identifiers = ["pods.eks.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/eks-cluster-name"
      values   = [var.cluster_name]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/kubernetes-namespace"
      values   = [local.namespace]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/kubernetes-service-account"
      values   = [local.spring_service_account]
    }
  }
}

# Roles of their own, so that each IRSA role's trust stays exactly one OIDC subject; each gets
# the least-privilege policy of its service (iam.tf).
resource "aws_iam_role" "orders_spring_secrets_reader_pod_identity" {
  count = var.use_pod_identity ? 1 : 0

  name                 = "${local.spring_role_name}-pod-identity"
  description          = "Read the Spring orders service's secrets, for pods of service account ${local.namespace}/${local.spring_service_account} (EKS Pod Identity)"
  assume_role_policy   = data.aws_iam_policy_document.orders_spring_secrets_reader_pod_identity_trust.json
  max_session_duration = 3600
  tags                 = var.tags
}

resource "aws_iam_role_policy_attachment" "orders_spring_secrets_reader_pod_identity" {
  count = var.use_pod_identity ? 1 : 0

  role       = aws_iam_role.orders_spring_secrets_reader_pod_identity[0].name
  policy_arn = aws_iam_policy.orders_spring_secrets_reader.arn
}

# The binding Kubernetes does not see: pods of orders/orders-spring get this role.
resource "aws_eks_pod_identity_association" "orders_spring" {
  count = var.use_pod_identity ? 1 : 0

  cluster_name    = var.cluster_name
  namespace       = local.namespace
  service_account = local.spring_service_account
  role_arn        = aws_iam_role.orders_spring_secrets_reader_pod_identity[0].arn
  tags            = var.tags

  depends_on = [aws_eks_addon.pod_identity_agent]
}

# The same for orders/orders-quarkus and only it, with the Quarkus service's policy.
data "aws_iam_policy_document" "orders_quarkus_secrets_reader_pod_identity_trust" {
  statement {
    sid     = "OnlyTheOrdersQuarkusServiceAccountThroughPodIdentity"
    effect  = "Allow"
    actions = ["sts:AssumeRole", "sts:TagSession"]

    principals {
      type        = "Service"
      identifiers = ["pods.eks.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/eks-cluster-name"
      values   = [var.cluster_name]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/kubernetes-namespace"
      values   = [local.namespace]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/kubernetes-service-account"
      values   = [local.quarkus_service_account]
    }
  }
}

resource "aws_iam_role" "orders_quarkus_secrets_reader_pod_identity" {
  count = var.use_pod_identity ? 1 : 0

  name                 = "${local.quarkus_role_name}-pod-identity"
  description          = "Read the Quarkus orders service's secrets, for pods of service account ${local.namespace}/${local.quarkus_service_account} (EKS Pod Identity)"
  assume_role_policy   = data.aws_iam_policy_document.orders_quarkus_secrets_reader_pod_identity_trust.json
  max_session_duration = 3600
  tags                 = var.tags
}

resource "aws_iam_role_policy_attachment" "orders_quarkus_secrets_reader_pod_identity" {
  count = var.use_pod_identity ? 1 : 0

  role       = aws_iam_role.orders_quarkus_secrets_reader_pod_identity[0].name
  policy_arn = aws_iam_policy.orders_quarkus_secrets_reader.arn
}

resource "aws_eks_pod_identity_association" "orders_quarkus" {
  count = var.use_pod_identity ? 1 : 0

  cluster_name    = var.cluster_name
  namespace       = local.namespace
  service_account = local.quarkus_service_account
  role_arn        = aws_iam_role.orders_quarkus_secrets_reader_pod_identity[0].arn
  tags            = var.tags

  depends_on = [aws_eks_addon.pod_identity_agent]
}

# For nodes without a way out of the VPC: the agent calls the EKS Auth API
# (eks-auth.<region>.api.aws, AssumeRoleForPodIdentity) instead of STS.
resource "aws_vpc_endpoint" "eks_auth" {
  count = var.use_pod_identity ? 1 : 0

  vpc_id              = var.vpc_id
  service_name        = "com.amazonaws.${var.region}.eks-auth"
  vpc_endpoint_type   = "Interface"
  subnet_ids          = var.subnet_ids
  security_group_ids  = [aws_security_group.aws_api_endpoints.id]
  private_dns_enabled = true
  tags                = merge(var.tags, { Name = "eks-auth" })
}
