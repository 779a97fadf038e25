variable "name" {
  type = string
}

variable "ingress_ports" {
  type = list(number)
}

resource "aws_security_group" "this" {
  name        = var.name
  description = "ingress for ${var.name}"

  dynamic "ingress" {
    for_each = var.ingress_ports
    content {
      description = "port ${ingress.value}"
      from_port   = ingress.value
      to_port     = ingress.value
      protocol    = "tcp"
      cidr_blocks = ["0.0.0.0/0"]
    }
  }
}

output "id" {
  value = aws_security_group.this.id
}
