//! ARM templates: names, expressions, copy loops (resource and property) and linked templates.

use super::*;
use serde_json::json;

#[test]
fn parameter_and_variable_names_are_case_insensitive() {
    let t = json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "parameters": {"httpsOnly": {"type": "bool", "defaultValue": true}},
        "variables": {"minTls": "TLS1_2"},
        "resources": [{"type": "Microsoft.Web/sites", "name": "app",
            "properties": {"httpsOnly": "[parameters('HttpsOnly')]", "tls": "[variables('MINTLS')]"}}]
    });
    let r = resources(&t, &Map::new(), None).unwrap();
    assert_eq!(r[0].doc["properties"]["httpsOnly"], true);
    assert_eq!(r[0].doc["properties"]["tls"], "TLS1_2");
}

#[test]
fn expressions_are_evaluated_where_known() {
    let t = json!({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "parameters": {"prefix": {"type": "string", "defaultValue": "Web"}, "https": {"type": "bool", "defaultValue": true}, "open": {"type": "string"}},
        "variables": {"name": "[toLower(concat(parameters('prefix'), 'sa'))]", "rules": {"ssh": 22}},
        "resources": [{
            "type": "Microsoft.Storage/storageAccounts",
            "name": "[variables('name')]",
            "location": "[resourceGroup().location]",
            "properties": {
                "supportsHttpsTrafficOnly": "[parameters('https')]",
                "label": "[format('{0}-{1}', variables('name'), variables('rules').ssh)]",
                "flag": "[if(equals(parameters('prefix'), 'Web'), 'on', 'off')]",
                "both": "[and(parameters('https'), not(equals(parameters('open'), 'x')))]",
                "id": "[resourceId('Microsoft.Network/virtualNetworks', 'v')]",
                "literal": "[[not an expression]",
                "quoted": "[replace('it''s', 's', 'S')]"
            },
            "resources": [{"type": "blobServices", "name": "default", "properties": {}}]
        }, {
            "type": "Microsoft.Web/sites",
            "name": "[concat(parameters('open'), uniqueString(resourceGroup().id))]"
        }]
    });
    let r = resources(&t, &Map::new(), None).unwrap();
    assert_eq!(r.len(), 3);
    let d = &r[0].doc;
    assert_eq!(d["name"], "websa");
    assert!(is_unknown(&d["location"]));
    let p = &d["properties"];
    assert_eq!(p["supportsHttpsTrafficOnly"], true);
    assert_eq!(p["label"], "websa-22");
    assert_eq!(p["flag"], "on");
    assert!(is_unknown(&p["both"]), "{}", p["both"]);
    assert!(is_unknown(&p["id"]));
    assert_eq!(p["literal"], "[not an expression]");
    assert_eq!(p["quoted"], "it'S");
    assert_eq!(
        r[1].doc["type"],
        "Microsoft.Storage/storageAccounts/blobServices"
    );
    assert_eq!(r[1].doc["name"], "websa/default");
    assert_eq!(r[1].pointer, "/resources/0/resources/0");
    // An unknown name keeps its expression, so the resource is still identified.
    assert_eq!(
        r[2].doc["name"],
        "[concat(parameters('open'), uniqueString(resourceGroup().id))]"
    );
    // Declared without properties: rules see an empty `properties`.
    assert_eq!(r[2].doc["properties"], json!({}));
    assert!(parse("concat('a'").is_none());
    // Inline nested deployments: outer scope sees the parent's parameters, inner scope the
    // values passed in.
    let t = json!({
        "parameters": {"tls": {"defaultValue": "TLS1_2"}},
        "resources": [{
            "type": "Microsoft.Resources/deployments", "name": "outer",
            "properties": {"template": {"resources": [{"type": "Microsoft.Storage/storageAccounts", "name": "a",
                "properties": {"minimumTlsVersion": "[parameters('tls')]"}}]}}
        }, {
            "type": "Microsoft.Resources/deployments", "name": "inner",
            "properties": {
                "expressionEvaluationOptions": {"scope": "inner"},
                "parameters": {"v": {"value": "[toLower(parameters('tls'))]"}},
                "template": {"parameters": {"v": {"type": "string"}}, "resources": [{"type": "Microsoft.Storage/storageAccounts", "name": "b",
                    "properties": {"minimumTlsVersion": "[parameters('v')]"}}]}
            }
        }]
    });
    let r = resources(&t, &Map::new(), None).unwrap();
    assert_eq!(r.len(), 4);
    assert_eq!(r[1].doc["properties"]["minimumTlsVersion"], "TLS1_2");
    assert_eq!(r[1].pointer, "/resources/0/properties/template/resources/0");
    assert_eq!(r[3].doc["properties"]["minimumTlsVersion"], "tls1_2");
    assert_eq!(
        format_text("{0}{{x}}{1:N}", &[json!("a"), json!(2)]).as_deref(),
        Some("a{x}2")
    );
}

#[test]
fn copy_loops_give_one_resource_per_iteration() {
    let t = json!({
        "parameters": {"count": {"type": "int", "defaultValue": 3}, "unset": {"type": "int"}},
        "resources": [
            {"type": "Microsoft.Network/networkSecurityGroups", "name": "[concat('nsg-', copyIndex(1))]",
             "copy": {"name": "nsgs", "count": "[parameters('count')]"},
             "properties": {"securityRules": [{"name": "ssh", "properties": {"priority": "[add(100, copyIndex())]", "at": "[copyIndex('nsgs', 10)]"}}]}},
            {"type": "Microsoft.Storage/storageAccounts", "name": "none", "copy": {"name": "z", "count": 0}},
            {"type": "Microsoft.Storage/storageAccounts", "name": "[concat('st', copyIndex())]",
             "copy": {"name": "u", "count": "[parameters('unset')]"}}
        ]
    });
    let r = resources(&t, &Map::new(), None).unwrap();
    let names: Vec<&str> = r.iter().filter_map(|a| a.doc["name"].as_str()).collect();
    // Three iterations; a count of 0 deploys none; an unknown count is one resource whose
    // name keeps its expression.
    assert_eq!(
        names,
        ["nsg-1", "nsg-2", "nsg-3", "[concat('st', copyIndex())]"]
    );
    assert_eq!(
        r[2].doc["properties"]["securityRules"][0]["properties"]["at"],
        12
    );
    assert!(is_unknown(
        &r[0].doc["properties"]["securityRules"][0]["properties"]["priority"]
    ));
    assert_eq!(
        r[0].pointer, r[2].pointer,
        "every iteration points at the loop's object"
    );
}

#[test]
fn linked_templates_in_the_repository_are_expanded() {
    let dir = std::env::temp_dir().join(format!("tenet-arm-linked-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("nested")).unwrap();
    std::fs::write(
        dir.join("nested/storage.json"),
        json!({
            "parameters": {"tls": {"type": "string", "defaultValue": "TLS1_0"}},
            "resources": [{"type": "Microsoft.Storage/storageAccounts", "name": "linked",
                "properties": {"minimumTlsVersion": "[parameters('tls')]"}}]
        })
        .to_string(),
    )
    .unwrap();
    std::fs::write(dir.join("outside.json"), "{\"resources\": []}").unwrap();
    let deployment = |path: &str| {
        json!({"type": "Microsoft.Resources/deployments", "name": path,
            "properties": {"templateLink": {"relativePath": path},
                "parameters": {"tls": {"value": "TLS1_2"}}}})
    };
    let t = json!({"resources": [deployment("nested/storage.json"), deployment("../outside.json"), deployment("nested/none.json")]});
    let r = resources(&t, &Map::new(), Some(&dir.join("nested").join(".."))).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let names: Vec<&str> = r.iter().filter_map(|a| a.doc["name"].as_str()).collect();
    // The linked file's resource, with the value passed in; a path out of the folder and a
    // missing file are not read.
    assert_eq!(
        names,
        [
            "nested/storage.json",
            "linked",
            "../outside.json",
            "nested/none.json"
        ]
    );
    assert_eq!(r[1].doc["properties"]["minimumTlsVersion"], "TLS1_2");
    assert_eq!(r[1].pointer, "/resources/0", "located at the deployment");
}

#[test]
fn property_copy_loops_build_their_arrays() {
    let t = json!({
        "parameters": {"ports": {"type": "array", "defaultValue": ["22", "443"]}, "n": {"type": "int"}},
        "resources": [{"type": "Microsoft.Network/networkSecurityGroups", "name": "nsg",
            "properties": {
                "copy": [{"name": "securityRules", "count": "[length(parameters('ports'))]",
                    "input": {"name": "[concat('rule-', copyIndex('securityRules'))]",
                        "properties": {"destinationPortRange": "[parameters('ports')[copyIndex('securityRules')]]",
                            "priority": "[copyIndex('securityRules', 100)]"}}},
                    {"name": "other", "count": "[parameters('n')]", "input": {}}],
                "flowLogs": true}}]
    });
    let r = resources(&t, &Map::new(), None).unwrap();
    let p = &r[0].doc["properties"];
    assert_eq!(
        p["securityRules"],
        json!([
            {"name": "rule-0", "properties": {"destinationPortRange": "22", "priority": 100}},
            {"name": "rule-1", "properties": {"destinationPortRange": "443", "priority": 101}}
        ])
    );
    assert!(
        is_unknown(&p["other"]),
        "an unknown count builds an unknown array"
    );
    assert_eq!(p["flowLogs"], true);
    assert!(p.get("copy").is_none());
}
