# Interface endpoints so that the AWS provider on the nodes reaches Secrets Manager, and STS
# for the IRSA token exchange, without leaving the VPC (no NAT gateway or internet gateway in
# the path). With private DNS the public names (secretsmanager.<region>.amazonaws.com,
# sts.<region>.amazonaws.com) resolve to the endpoints' private addresses inside the VPC, so
# the provider needs no configuration. The provider uses STS' regional endpoint; KMS is
# called by Secrets Manager itself and needs no endpoint for this. With EKS Pod Identity the
# agent needs the eks-auth endpoint instead of STS (pod-identity.tf).

data "aws_vpc" "cluster" {
  id = var.vpc_id
}

resource "aws_security_group" "aws_api_endpoints" {
  name_prefix = "orders-aws-api-endpoints-"
  description = "HTTPS from the cluster VPC to the Secrets Manager and STS interface endpoints"
  vpc_id      = var.vpc_id
  tags        = var.tags

  ingress {
    description = "HTTPS from inside the VPC"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = [data.aws_vpc.cluster.cidr_block]
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_endpoint" "secretsmanager" {
  vpc_id              = var.vpc_id
  service_name        = "com.amazonaws.${var.region}.secretsmanager"
  vpc_endpoint_type   = "Interface"
  subnet_ids          = var.subnet_ids
  security_group_ids  = [aws_security_group.aws_api_endpoints.id]
  private_dns_enabled = true
  tags                = merge(var.tags, { Name = "secretsmanager" })
}

resource "aws_vpc_endpoint" "sts" {
  vpc_id              = var.vpc_id
  service_name        = "com.amazonaws.${var.region}.sts"
  vpc_endpoint_type   = "Interface"
  subnet_ids          = var.subnet_ids
  security_group_ids  = [aws_security_group.aws_api_endpoints.id]
  private_dns_enabled = true
  tags                = merge(var.tags, { Name = "sts" })
}
