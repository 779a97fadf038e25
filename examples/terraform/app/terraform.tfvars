env        = "prod"
instances  = 2
public     = true
open_ports = [22, 443]
