# A root module: its variables come from terraform.tfvars, its firewall from a local module.

locals {
  name = "web-${var.env}"
}

resource "aws_instance" "web" {
  count                       = var.instances
  ami                         = data.aws_ami.base.id
  instance_type               = "t3.micro"
  associate_public_ip_address = var.public

  metadata_options {
    http_tokens = "required"
  }

  tags = {
    Name = "${local.name}-${count.index}"
  }
}

data "aws_ami" "base" {
  most_recent = true
}

module "firewall" {
  source        = "../modules/firewall"
  name          = local.name
  ingress_ports = var.open_ports
}

module "logs" {
  source = "../modules/bucket"
  name   = "${local.name}-logs"
}
