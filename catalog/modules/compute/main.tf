# A compute resource made only of Terraform built-ins, so it plans and applies
# on a machine without a cloud account. A platform team replaces the resource
# with its cloud's (azurerm_kubernetes_cluster, aws_instance, ...) and keeps
# the same variables and outputs.

terraform {
  required_version = ">= 1.5"
}

locals {
  host = var.resource_type == "kubernetes" ? "api.${var.name}" : var.name
  endpoint = var.resource_type == "kubernetes" ? "https://${local.host}.${var.region}.${var.cloud_provider}.${var.domain}:6443" : "ssh://${local.host}.${var.region}.${var.cloud_provider}.${var.domain}:22"
}

resource "terraform_data" "compute" {
  # Moving it to another region, cloud or type makes a new one.
  triggers_replace = {
    name           = var.name
    region         = var.region
    cloud_provider = var.cloud_provider
    resource_type  = var.resource_type
  }

  input = {
    created_at = plantimestamp()
  }

  lifecycle {
    ignore_changes = [input]
  }
}
