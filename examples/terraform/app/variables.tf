variable "env" {
  type    = string
  default = "dev"
}

variable "instances" {
  type    = number
  default = 1
}

variable "public" {
  type    = bool
  default = false
}

variable "open_ports" {
  type    = list(number)
  default = [443]
}
