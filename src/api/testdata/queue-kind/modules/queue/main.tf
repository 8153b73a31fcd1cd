# A message queue made of Terraform's built-ins only.
terraform {
  required_version = ">= 1.5"
}

variable "name" {
  type = string
}

variable "environment" {
  type    = string
  default = ""
}

variable "retention_hours" {
  type    = number
  default = 24
}

resource "terraform_data" "queue" {
  triggers_replace = { name = var.name }
  input            = { environment = var.environment, retention_hours = var.retention_hours }
}

output "id" {
  value = terraform_data.queue.id
}

output "url" {
  value = "amqp://queues.${var.environment}.internal/${var.name}"
}

output "retention_hours" {
  value = terraform_data.queue.output.retention_hours
}
