# What differs between accounts and clusters. The names the Kubernetes manifests rely on
# (namespace, service accounts, role names, secret names) are fixed in locals (main.tf) instead,
# so that they cannot drift from manifests/ by a tfvars change; ManifestConsistencyTest checks
# that both sides agree.

variable "region" {
  description = "AWS region of the EKS cluster and the secrets (also in the SecretProviderClass' region parameter)."
  type        = string
}

variable "cluster_name" {
  description = "Name of the EKS cluster (for the Pod Identity add-on, association and trust conditions)."
  type        = string
}

variable "use_pod_identity" {
  description = "Whether to create the EKS Pod Identity resources (pod-identity.tf: agent add-on, a role and an association per service account, eks-auth endpoint) for manifests/pod-identity/; the IRSA roles are created either way."
  type        = bool
  default     = false
}

variable "oidc_provider_arn" {
  description = "ARN of the cluster's IAM OIDC identity provider, e.g. arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:oidc-provider/", var.oidc_provider_arn))
    error_message = "oidc_provider_arn must be an IAM OIDC provider ARN (arn:aws:iam::<account>:oidc-provider/...)."
  }
}

variable "oidc_provider_url" {
  description = "The cluster's OIDC issuer URL (aws eks describe-cluster --query cluster.identity.oidc.issuer), with or without https://."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the cluster's nodes; the interface endpoints are created in it."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets of the nodes (one per availability zone) that get an endpoint network interface."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) > 0
    error_message = "subnet_ids must name at least one subnet."
  }
}

variable "rotation_lambda_arn" {
  description = "ARN of the Lambda function that rotates prod/orders/db, e.g. one deployed from the Secrets Manager rotation template for PostgreSQL, alternating users (multi-user). It must allow secretsmanager.amazonaws.com to invoke it and be able to reach the database and Secrets Manager."
  type        = string
}

variable "rotation_schedule" {
  description = "Rotation schedule of prod/orders/db: a rate() or cron() expression."
  type        = string
  default     = "rate(30 days)"
}

variable "rotation_window" {
  description = "Length of the rotation window, e.g. 3h."
  type        = string
  default     = "3h"
}

variable "api_key_rotation_lambda_arn" {
  description = "ARN of a Lambda function that rotates prod/orders/api-key; null leaves the API key without automatic rotation (rotate it with put-secret-value)."
  type        = string
  default     = null
}

variable "api_key_rotation_schedule" {
  description = "Rotation schedule of prod/orders/api-key when api_key_rotation_lambda_arn is set."
  type        = string
  default     = "rate(90 days)"
}

variable "tags" {
  description = "Tags for every resource created here."
  type        = map(string)
  default     = {}
}
