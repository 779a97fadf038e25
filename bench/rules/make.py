#!/usr/bin/env python3
"""Writes the 10 benchmark rules in tenet (x1 and x10 copies), with the semantics of the shared
benchmark's rules/README.md: a missing property is non-compliant; string comparisons are exact."""
import sys

RULES = {
    "storage_https_only": ('azure "Microsoft.Storage/storageAccounts"', 'properties.supportsHttpsTrafficOnly == true'),
    "storage_min_tls12": ('azure "Microsoft.Storage/storageAccounts"', 'properties.minimumTlsVersion in ["TLS1_2", "TLS1_3"]'),
    "storage_no_public_blob": ('azure "Microsoft.Storage/storageAccounts"', 'properties.allowBlobPublicAccess == false'),
    "nsg_no_internet_ssh_rdp": ('azure "Microsoft.Network/networkSecurityGroups"',
        'none rule in properties.securityRules ?? [] { bad_rule(rule.properties) }'),
    "keyvault_recoverable": ('azure "Microsoft.KeyVault/vaults"',
        'properties.enableSoftDelete == true and properties.enablePurgeProtection == true'),
    "sql_auditing_enabled": ('azure "Microsoft.Sql/servers"',
        'any c in resources ?? [] { c.type in ["auditingSettings", "Microsoft.Sql/servers/auditingSettings"] and c.properties.state == "Enabled" }'),
    "vm_encryption_at_host": ('azure "Microsoft.Compute/virtualMachines"', 'properties.securityProfile.encryptionAtHost == true'),
    "tag_owner_present": ('azure all_types', '"owner" in tags'),
    "location_allowed": ('azure all_types', 'location in ["westeurope", "northeurope", "germanywestcentral", "swedencentral", "francecentral"]'),
    "name_convention": ('azure all_types', 'matches(name, "^[a-z][a-z0-9-]{1,38}[a-z0-9]$")'),
}
ALL = '["Microsoft.Storage/storageAccounts", "Microsoft.Compute/virtualMachines", "Microsoft.Network/networkSecurityGroups", "Microsoft.KeyVault/vaults", "Microsoft.Sql/servers"]'

HEAD = '''standard bench "Benchmark rules" { version "1" }

const internet = ["*", "0.0.0.0/0", "Internet", "Any"]

fn admin_port(spec) = spec in ["*", "22", "3389"] or port_in(spec, 22) or port_in(spec, 3389)

fn bad_rule(p) =
  p.access == "Allow" and p.direction == "Inbound" and p.protocol in ["Tcp", "*"]
  and ((p.sourceAddressPrefix ?? "") in internet or any s in p.sourceAddressPrefixes ?? [] { s in internet })
  and (admin_port(p.destinationPortRange ?? "") or any d in p.destinationPortRanges ?? [] { admin_port(d) })
'''

def write(copies, path):
    out = [HEAD]
    for c in range(copies):
        for name, (applies, cond) in RULES.items():
            rid = name if copies == 1 else f"{name}_c{c:02d}"
            applies = applies.replace("all_types", ALL)
            out.append(f'recommendation {rid} "{name}" {{\n  severity high\n  applies {applies}\n  compliant when {cond}\n}}\n')
    open(path, "w").write("\n".join(out))

write(1, sys.argv[1] if len(sys.argv) > 1 else "rules/x1.tenet")
write(10, sys.argv[2] if len(sys.argv) > 2 else "rules/x10.tenet")
