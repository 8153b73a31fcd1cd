output "id" {
  description = "A unique id, new each time the database is (re)created."
  value       = terraform_data.database.id
}

output "name" {
  description = "The resource's name."
  value       = var.name
}

output "region" {
  description = "Where it runs."
  value       = var.region
}

output "provider" {
  description = "The cloud it runs in."
  value       = var.cloud_provider
}

output "engine" {
  description = "postgres or mysql, with its version."
  value       = "${var.engine}-${var.engine_version}"
}

output "host" {
  description = "The database's host name."
  value       = local.host
}

output "port" {
  description = "The database's port."
  value       = local.port
}

output "endpoint" {
  description = "A connection URL without credentials."
  value       = "${var.engine}://${local.host}:${local.port}/${var.environment}"
}
