# An environment made only of Terraform built-ins, so it plans and applies on a
# machine without a cloud account. A platform team replaces this resource with
# its own cloud resources and keeps the same variables and outputs.

terraform {
  required_version = ">= 1.5"
}

locals {
  namespace = "env-${var.name}"
  url       = "https://${var.name}.${var.region}.${var.domain}"
}

resource "terraform_data" "environment" {
  # Renaming or moving an environment makes a new one.
  triggers_replace = {
    name   = var.name
    region = var.region
  }

  # plantimestamp() differs at every plan; ignoring later changes keeps the
  # creation time of the first apply.
  input = {
    created_at = plantimestamp()
  }

  lifecycle {
    ignore_changes = [input]
  }
}
