output "orders_spring_role_arn" {
  description = "The value of the eks.amazonaws.com/role-arn annotation of ServiceAccount orders-spring (manifests/01-serviceaccount.yaml)."
  value       = aws_iam_role.orders_spring_secrets_reader.arn
}

output "orders_quarkus_role_arn" {
  description = "The value of the eks.amazonaws.com/role-arn annotation of ServiceAccount orders-quarkus (manifests/01-serviceaccount.yaml)."
  value       = aws_iam_role.orders_quarkus_secrets_reader.arn
}

output "orders_spring_pod_identity_role_arn" {
  description = "The role of the EKS Pod Identity association of orders/orders-spring (null unless use_pod_identity)."
  value       = var.use_pod_identity ? aws_iam_role.orders_spring_secrets_reader_pod_identity[0].arn : null
}

output "orders_quarkus_pod_identity_role_arn" {
  description = "The role of the EKS Pod Identity association of orders/orders-quarkus (null unless use_pod_identity)."
  value       = var.use_pod_identity ? aws_iam_role.orders_quarkus_secrets_reader_pod_identity[0].arn : null
}

output "orders_spring_policy_arn" {
  description = "The least-privilege policy of the Spring service's roles: prod/orders/db, prod/orders/api-key, prod/orders/tls."
  value       = aws_iam_policy.orders_spring_secrets_reader.arn
}

output "orders_quarkus_policy_arn" {
  description = "The least-privilege policy of the Quarkus service's roles: prod/orders/db, prod/orders/api-key."
  value       = aws_iam_policy.orders_quarkus_secrets_reader.arn
}

output "db_secret_arn" {
  description = "ARN of prod/orders/db, including the 6-character suffix Secrets Manager appended."
  value       = aws_secretsmanager_secret.db.arn
}

output "api_key_secret_arn" {
  description = "ARN of prod/orders/api-key, including the 6-character suffix Secrets Manager appended."
  value       = aws_secretsmanager_secret.api_key.arn
}

output "tls_secret_arn" {
  description = "ARN of prod/orders/tls, including the 6-character suffix Secrets Manager appended."
  value       = aws_secretsmanager_secret.tls.arn
}

output "kms_key_arn" {
  description = "The key that encrypts the secrets."
  value       = aws_kms_key.orders_secrets.arn
}

output "vpc_endpoint_ids" {
  description = "The Secrets Manager and STS interface endpoints."
  value = {
    secretsmanager = aws_vpc_endpoint.secretsmanager.id
    sts            = aws_vpc_endpoint.sts.id
    eks_auth       = var.use_pod_identity ? aws_vpc_endpoint.eks_auth[0].id : null
  }
}
