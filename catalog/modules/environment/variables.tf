variable "name" {
  description = "The environment's name: a DNS label (lowercase letters, digits and '-', at most 63 characters)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$", var.name))
    error_message = "The name must be a DNS label: lowercase letters, digits and '-', starting with a letter, ending with a letter or digit, at most 63 characters."
  }
}

variable "region" {
  description = "Where the environment runs, e.g. eastus2."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][-a-z0-9]*$", var.region))
    error_message = "The region must be non-empty and made of lowercase letters, digits and '-', e.g. eastus2."
  }
}

variable "team" {
  description = "The team that owns the environment."
  type        = string
  default     = ""
}

variable "domain" {
  description = "The DNS zone the environment's URL lives under."
  type        = string
  default     = "apps.example.internal"

  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", var.domain))
    error_message = "The domain must be a DNS name such as apps.example.internal."
  }
}
