variable "name" {
  description = "The resource's name, given by the platform: a DNS label."
  type        = string

  validation {
    condition     = can(regex("^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$", var.name))
    error_message = "The name must be a DNS label: lowercase letters, digits and '-', at most 63 characters."
  }
}

variable "region" {
  description = "Where it runs, e.g. eastus2."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][-a-z0-9]*$", var.region))
    error_message = "The region must be made of lowercase letters, digits and '-', e.g. eastus2."
  }
}

variable "cloud_provider" {
  description = "The cloud it runs in: azure, aws or gcp."
  type        = string

  validation {
    condition     = contains(["azure", "aws", "gcp"], var.cloud_provider)
    error_message = "The cloud_provider must be azure, aws or gcp."
  }
}

variable "resource_type" {
  description = "What to provision: kubernetes or vm."
  type        = string

  validation {
    condition     = contains(["kubernetes", "vm"], var.resource_type)
    error_message = "The resource_type must be kubernetes or vm."
  }
}

variable "environment" {
  description = "The environment it belongs to."
  type        = string
}

variable "requester_name" {
  description = "Who asked for it."
  type        = string
  default     = ""
}

variable "requester_email" {
  description = "Where to reach the requester."
  type        = string
  default     = ""
}

variable "domain" {
  description = "The DNS zone its endpoint lives under."
  type        = string
  default     = "compute.example.internal"
}
