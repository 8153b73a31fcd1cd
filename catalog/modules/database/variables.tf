variable "name" {
  description = "The resource's name, given by the platform: a DNS label."
  type        = string
}

variable "region" {
  description = "Where it runs, e.g. eastus2."
  type        = string
}

variable "cloud_provider" {
  description = "The cloud it runs in: azure, aws or gcp."
  type        = string

  validation {
    condition     = contains(["azure", "aws", "gcp"], var.cloud_provider)
    error_message = "The cloud_provider must be azure, aws or gcp."
  }
}

variable "environment" {
  description = "The environment it belongs to."
  type        = string
}

variable "engine" {
  description = "postgres or mysql."
  type        = string

  validation {
    condition     = contains(["postgres", "mysql"], var.engine)
    error_message = "The engine must be postgres or mysql."
  }
}

variable "engine_version" {
  description = "The engine's major version."
  type        = string
  default     = "16"
}

variable "size" {
  description = "small, medium or large."
  type        = string
  default     = "small"
}

variable "domain" {
  description = "The DNS zone its host lives under."
  type        = string
  default     = "db.example.internal"
}
