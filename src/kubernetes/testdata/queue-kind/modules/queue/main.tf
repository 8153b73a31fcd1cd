variable "name" {
  type = string
}

variable "region" {
  type = string
}

resource "terraform_data" "queue" {
  input = { name = var.name, region = var.region }
}

output "url" {
  value = "amqp://${var.name}.${var.region}.queues.example.internal"
}
