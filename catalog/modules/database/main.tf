# A managed database made only of Terraform built-ins; a platform team
# replaces the resource with its cloud's and keeps the variables and outputs.

terraform {
  required_version = ">= 1.5"
}

locals {
  port = var.engine == "postgres" ? 5432 : 3306
  host = "${var.name}.${var.region}.${var.cloud_provider}.${var.domain}"
}

resource "terraform_data" "database" {
  triggers_replace = {
    name           = var.name
    region         = var.region
    cloud_provider = var.cloud_provider
    engine         = var.engine
  }

  input = {
    created_at     = plantimestamp()
    engine_version = var.engine_version
    size           = var.size
  }

  lifecycle {
    ignore_changes = [input["created_at"]]
  }
}
