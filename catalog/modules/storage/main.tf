# An object storage bucket made only of Terraform built-ins; a platform team
# replaces the resource with its cloud's and keeps the variables and outputs.

terraform {
  required_version = ">= 1.5"
}

locals {
  endpoint = "https://${var.bucket}.${var.region}.${var.cloud_provider}.${var.domain}"
}

resource "terraform_data" "storage" {
  triggers_replace = {
    name           = var.name
    bucket         = var.bucket
    region         = var.region
    cloud_provider = var.cloud_provider
  }

  input = {
    created_at = plantimestamp()
    size_gb    = var.size_gb
    versioning = var.versioning
  }

  lifecycle {
    ignore_changes = [input["created_at"]]
  }
}
