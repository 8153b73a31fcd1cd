variable "name" {
  description = "The resource's name, given by the platform: a DNS label."
  type        = string
}

variable "region" {
  description = "Where it lives, e.g. eastus2."
  type        = string
}

variable "cloud_provider" {
  description = "The cloud it lives in: azure, aws or gcp."
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

variable "bucket" {
  description = "The bucket's name."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{1,61}[a-z0-9])$", var.bucket))
    error_message = "The bucket must be 3 to 63 lowercase letters, digits and '-'."
  }
}

variable "size_gb" {
  description = "Its quota in GiB."
  type        = number
  default     = 10
}

variable "versioning" {
  description = "Whether objects keep their earlier versions."
  type        = bool
  default     = false
}

variable "domain" {
  description = "The DNS zone its endpoint lives under."
  type        = string
  default     = "storage.example.internal"
}
