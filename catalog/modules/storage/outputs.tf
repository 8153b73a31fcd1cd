output "id" {
  description = "A unique id, new each time the bucket is (re)created."
  value       = terraform_data.storage.id
}

output "name" {
  description = "The resource's name."
  value       = var.name
}

output "bucket" {
  description = "The bucket's name."
  value       = var.bucket
}

output "region" {
  description = "Where it lives."
  value       = var.region
}

output "provider" {
  description = "The cloud it lives in."
  value       = var.cloud_provider
}

output "endpoint" {
  description = "The bucket's URL."
  value       = local.endpoint
}

output "size_gb" {
  description = "Its quota in GiB."
  value       = var.size_gb
}

output "versioning" {
  description = "Whether objects keep their earlier versions."
  value       = var.versioning
}
