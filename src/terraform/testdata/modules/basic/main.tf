variable "name" {
  type = string
}

resource "terraform_data" "thing" {
  triggers_replace = [var.name]
}

output "name" {
  value = var.name
}

output "id" {
  value = terraform_data.thing.id
}

output "token" {
  value     = "secret-${var.name}"
  sensitive = true
}
