# The three secrets of the orders service, the KMS key that encrypts them and the rotation
# schedule. No secret VALUE is managed here: a value in Terraform would also sit in the state
# file in plain text. The first values are put with "aws secretsmanager put-secret-value"
# (README, step 3); after that the rotation function writes them.

locals {
  # Fixed by manifests/: the SecretProviderClass' objectName entries, the ServiceAccounts (one
  # per service) and their eks.amazonaws.com/role-arn annotations.
  namespace                       = "orders"
  spring_service_account          = "orders-spring"
  spring_service_account_subject  = "system:serviceaccount:orders:orders-spring"
  spring_role_name                = "orders-spring-secrets-reader"
  quarkus_service_account         = "orders-quarkus"
  quarkus_service_account_subject = "system:serviceaccount:orders:orders-quarkus"
  quarkus_role_name               = "orders-quarkus-secrets-reader"
  db_secret_name                  = "prod/orders/db"
  api_key_secret_name             = "prod/orders/api-key"
  tls_secret_name                 = "prod/orders/tls"

  # IAM condition keys use the issuer without its scheme.
  oidc_issuer = trimprefix(var.oidc_provider_url, "https://")
}

# A customer managed key rather than aws/secretsmanager: its use can be limited to calls made
# through Secrets Manager (kms:ViaService in iam.tf) and audited separately in CloudTrail.
# The default key policy (account root) lets IAM policies grant its use; the rotation
# function's role needs kms:Decrypt and kms:GenerateDataKey on it as well.
resource "aws_kms_key" "orders_secrets" {
  description             = "Encrypts the orders service's secrets in Secrets Manager"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  tags                    = var.tags
}

resource "aws_kms_alias" "orders_secrets" {
  name          = "alias/orders-secrets"
  target_key_id = aws_kms_key.orders_secrets.key_id
}

# RDS-style JSON: engine, host, port, dbname, username, password (and, for the alternating-users
# rotation function, masterarn: the ARN of the secret holding the superuser that sets the
# passwords). The SecretProviderClass mounts it as prod-db, plus DB_USER and DB_PASSWORD.
resource "aws_secretsmanager_secret" "db" {
  name                    = local.db_secret_name
  description             = "Database credentials of the orders service (RDS-style JSON)"
  kms_key_id              = aws_kms_key.orders_secrets.arn
  recovery_window_in_days = 30
  tags                    = var.tags
}

# A plain string, mounted as API_KEY.
resource "aws_secretsmanager_secret" "api_key" {
  name                    = local.api_key_secret_name
  description             = "API key clients of the orders service send as X-Api-Key"
  kms_key_id              = aws_kms_key.orders_secrets.arn
  recovery_window_in_days = 30
  tags                    = var.tags
}

# JSON with "certificate" (the PEM chain, leaf first) and "privateKey" (the PEM private key).
# Only the SecretProviderClass orders-spring-https-secrets mounts it (as orders-tls, plus
# tls.crt and tls.key, which the Spring service's https profile serves HTTPS from), and only
# the Spring pods with HTTPS turned on use that class: it needs a value before HTTPS is turned
# on, not before. Only the Spring service's roles may read it (iam.tf, pod-identity.tf). Renew
# by putting a new version with both fields (README, "HTTPS"): the pods present the new
# certificate after the next driver poll, without a restart.
resource "aws_secretsmanager_secret" "tls" {
  name                    = local.tls_secret_name
  description             = "TLS certificate and private key of the orders service's HTTPS endpoint (JSON: certificate, privateKey)"
  kms_key_id              = aws_kms_key.orders_secrets.arn
  recovery_window_in_days = 30
  tags                    = var.tags
}

# Rotation needs a current value: apply this after the first put-secret-value (README,
# step 9). By default it also rotates once right away.
#
# With the alternating-users strategy (AWS's multi-user rotation function: the user in the
# secret, e.g. orders_app, and orders_app_clone, which the function creates at the first
# rotation) each rotation sets a new password on the OTHER database user and makes that user
# current; the previous user keeps working until the following rotation gives it a new
# password, so pods that have not yet seen the new version (the driver rewrites the mount at
# kubelet's first republish after its rotationPollInterval) keep connecting. With single-user
# rotation they would fail to open new connections until then.
resource "aws_secretsmanager_secret_rotation" "db" {
  secret_id           = aws_secretsmanager_secret.db.id
  rotation_lambda_arn = var.rotation_lambda_arn

  rotation_rules {
    schedule_expression = var.rotation_schedule
    duration            = var.rotation_window
  }
}

resource "aws_secretsmanager_secret_rotation" "api_key" {
  count = var.api_key_rotation_lambda_arn == null ? 0 : 1

  secret_id           = aws_secretsmanager_secret.api_key.id
  rotation_lambda_arn = var.api_key_rotation_lambda_arn

  rotation_rules {
    schedule_expression = var.api_key_rotation_schedule
  }
}
