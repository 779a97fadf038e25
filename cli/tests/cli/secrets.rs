//! Exposed secrets: the built-in recommendations of category `exposed-secret` find credentials
//! written in templates, and no report shows them.

use crate::common::*;

/// An ARM template: a password from a securestring parameter without a default is not written;
/// one from a parameter's default, or written in the resource, is, and shows only as a mask.
#[test]
fn arm_templates_with_written_administrator_passwords() {
    let template = write(
        "written-passwords.json",
        br#"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {
    "fromVault": {"type": "securestring"},
    "defaulted": {"type": "securestring", "defaultValue": "Pa55w0rd-Default!"}
  },
  "resources": [
    {"type": "Microsoft.Compute/virtualMachines", "apiVersion": "2023-03-01", "name": "vm-vault",
     "properties": {"osProfile": {"adminUsername": "azureuser", "adminPassword": "[parameters('fromVault')]"}}},
    {"type": "Microsoft.Compute/virtualMachines", "apiVersion": "2023-03-01", "name": "vm-default",
     "properties": {"osProfile": {"adminUsername": "azureuser", "adminPassword": "[parameters('defaulted')]"}}},
    {"type": "Microsoft.Sql/servers", "apiVersion": "2022-05-01-preview", "name": "sql-literal",
     "properties": {"administratorLogin": "sqladmin", "administratorLoginPassword": "Literal-Passw0rd!"}}
  ]}"#,
    );
    let o = tenet(&[
        "check",
        "--standard",
        "azure-security-baseline",
        template.to_str().unwrap(),
        "--format",
        "json",
        "--all",
        "--category",
        "exposed-secret",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = stdout(&o);
    for secret in ["Pa55w0rd-Default!", "Literal-Passw0rd!"] {
        assert!(!text.contains(secret), "{secret} shown");
    }
    let r: serde_json::Value = serde_json::from_str(&text).unwrap();
    let state = |name: &str| -> String {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| {
                f["recommendation"] == "az-no-written-credentials" && f["resource"]["name"] == name
            })
            .map(|f| f["state"].as_str().unwrap().to_string())
            .unwrap_or_default()
    };
    assert_eq!(state("vm-vault"), "compliant");
    assert_eq!(state("vm-default"), "not_compliant");
    assert_eq!(state("sql-literal"), "not_compliant");
}
