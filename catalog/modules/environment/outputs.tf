output "name" {
  description = "The environment's name."
  value       = var.name
}

output "region" {
  description = "The environment's region."
  value       = var.region
}

output "team" {
  description = "The team that owns the environment."
  value       = var.team
}

output "namespace" {
  description = "The Kubernetes namespace applications of this environment deploy to."
  value       = local.namespace
}

output "url" {
  description = "The base URL of the environment's applications."
  value       = local.url
}

output "id" {
  description = "A unique id, new each time the environment is (re)created."
  value       = terraform_data.environment.id
}

output "created_at" {
  description = "When the environment was first applied (RFC 3339)."
  value       = terraform_data.environment.output.created_at
}
