output "id" {
  description = "A unique id, new each time the resource is (re)created."
  value       = terraform_data.compute.id
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

output "type" {
  description = "kubernetes or vm."
  value       = var.resource_type
}

output "environment" {
  description = "The environment it belongs to."
  value       = var.environment
}

output "endpoint" {
  description = "Where to reach it: the cluster's API server or the machine's SSH address."
  value       = local.endpoint
}

output "owner" {
  description = "Who asked for it."
  value       = var.requester_email
}

output "created_at" {
  description = "When it was first applied (RFC 3339)."
  value       = terraform_data.compute.output.created_at
}
