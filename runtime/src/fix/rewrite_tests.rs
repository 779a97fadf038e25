//! Fixes written back to files: every byte outside the changed values is kept.

use super::*;
use crate::inventory::{read_bytes, Inventory};

fn edit(name: &str, text: &str, set: (&str, Value)) -> String {
    let mut inv = Inventory::default();
    let ext = name.rsplit('.').next();
    read_bytes(name, text.as_bytes(), ext, &mut inv).unwrap();
    let r = &inv.resources[1];
    let mut after = r.doc.clone();
    let ops = vec![json!({"op": "set", "path": set.0, "value": set.1})];
    apply(&mut after, &json_patch(&r.doc, &ops).unwrap()).unwrap();
    rewrite(name, text, ext, None, &[(r, &after)]).unwrap()
}

#[test]
fn a_resource_changed_since_it_was_read_is_not_rewritten() {
    let text = "[{\"type\": \"a\", \"n\": 1}, {\"type\": \"a\", \"n\": 2}]";
    let mut inv = Inventory::default();
    read_bytes("f.json", text.as_bytes(), Some("json"), &mut inv).unwrap();
    let r = &inv.resources[1];
    let after = json!({"type": "a", "n": 3});
    // Someone set n to 5 while the fix was computed: the fix must not revert that.
    let edited = text.replace("\"n\": 2", "\"n\": 5");
    let e = rewrite("f.json", &edited, Some("json"), None, &[(r, &after)]).unwrap_err();
    assert!(e.0.contains("changed since it was read"), "{e}");
    assert!(rewrite("f.json", text, Some("json"), None, &[(r, &after)]).is_ok());
}

#[test]
fn only_the_changed_resource_changes() {
    let json = "{\n  \"resources\": [\n    {\"type\": \"a\", \"name\": \"x\"},\n    {\n      \"type\": \"a\",\n      \"name\": \"y\"\n    }\n  ]\n}\n";
    assert_eq!(
        edit("f.json", json, ("/https", json!(true))),
        "{\n  \"resources\": [\n    {\"type\": \"a\", \"name\": \"x\"},\n    {\n      \"type\": \"a\",\n      \"name\": \"y\",\n      \"https\": true\n    }\n  ]\n}\n"
    );
    let lines = "{\"type\":\"a\"}\n{\"type\":\"b\", \"n\": 1}\n";
    assert_eq!(
        edit("f.jsonl", lines, ("/n", json!(2))),
        "{\"type\":\"a\"}\n{\"type\":\"b\",\"n\":2}\n"
    );
    let yaml = "# first\napiVersion: v1\nkind: Pod\nmetadata: {name: a}   # kept\n---\n# kept too\napiVersion: v1\nkind: Pod\nmetadata:\n  name: b\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: c}\n";
    assert_eq!(
        edit("f.yaml", yaml, ("/spec", json!({"hostPID": false}))),
        "# first\napiVersion: v1\nkind: Pod\nmetadata: {name: a}   # kept\n---\n# kept too\napiVersion: v1\nkind: Pod\nmetadata:\n  name: b\nspec:\n  hostPID: false\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: c}\n"
    );
}

/// The file after the fix operations `ops` (as a module gives them) on resource `k`.
fn fix(name: &str, text: &str, k: usize, ops: Value) -> Result<String, FixError> {
    let mut inv = Inventory::default();
    let ext = name.rsplit('.').next();
    read_bytes(name, text.as_bytes(), ext, &mut inv).unwrap();
    let r = &inv.resources[k];
    let mut after = r.doc.clone();
    let ops = ops.as_array().unwrap().clone();
    apply(&mut after, &json_patch(&r.doc, &ops).unwrap()).unwrap();
    rewrite(name, text, ext, None, &[(r, &after)])
}

const POD: &str = "\
# The web tier. Reviewed by security, 2026-11.
apiVersion: v1
kind: Pod
metadata:
  name: web   # the name the service selects
  labels: {app: web, tier: 'front'}
spec:
  hostPID: true   # needed once for debugging
  containers:
    # the application
    - name: app
      image: \"registry.example/app:1.2\"
      securityContext:
        privileged: true
      args: [--port, '8080']
    - name: sidecar   # logs
      image: registry.example/log:3
      command: |
        run --fast
  volumes:
  - name: data
    hostPath: {path: /var/data}
  - name: tmp
    emptyDir: {}
";

#[test]
fn yaml_fixes_keep_comments_quoting_and_layout() {
    let ops = json!([
        {"op": "set", "path": "/spec/hostPID", "value": false},
        {"op": "set", "path": "/spec/containers/0/securityContext/privileged", "value": false},
        {"op": "set", "path": "/spec/containers/0/securityContext/runAsNonRoot", "value": true},
        {"op": "set", "path": "/spec/containers/1/securityContext", "value": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}},
        {"op": "set", "path": "/spec/containers/0/image", "value": "registry.example/app:1.3"},
        {"op": "append", "path": "/spec/containers/0/args", "value": "--tls"},
        {"op": "remove", "path": "/spec/volumes/0"},
        {"op": "set", "path": "/metadata/labels/owner", "value": "team-a"},
        {"op": "set", "path": "/metadata/labels/tier", "value": "edge"},
    ]);
    let out = fix("pod.yaml", POD, 0, ops).unwrap();
    assert_eq!(
        out,
        "\
# The web tier. Reviewed by security, 2026-11.
apiVersion: v1
kind: Pod
metadata:
  name: web   # the name the service selects
  labels: {app: web, tier: 'edge', owner: team-a}
spec:
  hostPID: false   # needed once for debugging
  containers:
    # the application
    - name: app
      image: \"registry.example/app:1.3\"
      securityContext:
        privileged: false
        runAsNonRoot: true
      args: [--port, '8080', \"--tls\"]
    - name: sidecar   # logs
      image: registry.example/log:3
      command: |
        run --fast
      securityContext:
        allowPrivilegeEscalation: false
        capabilities:
          drop:
          - ALL
  volumes:
  - name: tmp
    emptyDir: {}
"
    );
}

#[test]
fn yaml_members_and_items_are_removed_with_their_lines() {
    let ops = json!([
        {"op": "remove", "path": "/spec/hostPID"},
        {"op": "remove", "path": "/spec/containers/0/name"},
        {"op": "remove", "path": "/spec/containers/1/command"},
        {"op": "remove", "path": "/metadata/labels/tier"},
    ]);
    let out = fix("pod.yaml", POD, 0, ops).unwrap();
    assert!(out.contains("spec:\n  containers:\n    # the application\n    - image: \"registry.example/app:1.2\"\n"), "{out}");
    assert!(out.contains("  labels: {app: web}\n"), "{out}");
    assert!(
        out.contains("      image: registry.example/log:3\n  volumes:\n"),
        "{out}"
    );
    // Every line the fix does not touch is there, in order.
    let kept: Vec<&str> = POD
        .lines()
        .filter(|l| {
            !l.contains("hostPID")
                && !l.contains("- name: app")
                && !l.contains("app:1.2")
                && !l.contains("labels")
                && !l.contains("command")
                && !l.contains("run --fast")
        })
        .collect();
    let got: Vec<&str> = out.lines().collect();
    let mut it = got.iter();
    for l in kept {
        assert!(it.any(|g| *g == l), "line lost: {l}\n{out}");
    }
}

#[test]
fn a_scalar_becomes_a_block_and_a_block_a_scalar() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  securityContext: null  # unset\n  volumes:\n    - name: x\n";
    let ops = json!([
        {"op": "set", "path": "/spec/securityContext", "value": {"runAsNonRoot": true}},
        {"op": "set", "path": "/spec/volumes", "value": []},
    ]);
    assert_eq!(
        fix("p.yaml", text, 0, ops).unwrap(),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  securityContext:\n    runAsNonRoot: true  # unset\n  volumes: []\n"
    );
}

#[test]
fn yaml_tags_and_aliases_are_written_whole_at_their_parent() {
    // The alias `*ctx` stands for another node: it is replaced, the anchor left as it is.
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nx-base: &ctx {privileged: true}\nspec:\n  securityContext: *ctx   # shared\n";
    let ops = json!([{"op": "set", "path": "/spec/securityContext/privileged", "value": false}]);
    assert_eq!(
        fix("p.yaml", text, 0, ops).unwrap(),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nx-base: &ctx {privileged: true}\nspec:\n  securityContext:\n    privileged: false   # shared\n"
    );
}

#[test]
fn json_fixes_keep_the_layout_of_the_rest() {
    let text = "{\n    \"type\": \"Microsoft.Storage/storageAccounts\",\n    \"name\": \"st\",\n    \"tags\": {\"env\": \"prod\"},\n    \"properties\": {\n        \"minimumTlsVersion\": \"TLS1_0\",\n        \"ipRules\": [1, 2]\n    }\n}\n";
    let ops = json!([
        {"op": "set", "path": "/properties/minimumTlsVersion", "value": "TLS1_2"},
        {"op": "set", "path": "/properties/supportsHttpsTrafficOnly", "value": true},
        {"op": "remove", "path": "/tags/env"},
    ]);
    assert_eq!(
        fix("a.json", text, 0, ops).unwrap(),
        "{\n    \"type\": \"Microsoft.Storage/storageAccounts\",\n    \"name\": \"st\",\n    \"tags\": {},\n    \"properties\": {\n        \"minimumTlsVersion\": \"TLS1_2\",\n        \"ipRules\": [1, 2],\n        \"supportsHttpsTrafficOnly\": true\n    }\n}\n"
    );
}

const CFN: &str = "\
AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Name: {Type: String, Default: logs}
Resources:
  # Access logs; kept a year.
  Logs:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub '${Name}-bucket'   # from the parameter
      Tags:
        - {Key: team, Value: a}
";

#[test]
fn template_fixes_are_written_to_the_declaration() {
    let ops = json!([{"op": "set", "path": "/Properties/VersioningConfiguration/Status", "value": "Enabled"}]);
    assert_eq!(
        fix("t.yaml", CFN, 0, ops).unwrap(),
        CFN.to_string() + "      VersioningConfiguration:\n        Status: Enabled\n"
    );
    // A value the template computes is not replaced by its evaluation.
    let ops = json!([{"op": "set", "path": "/Properties/BucketName", "value": "other"}]);
    let e = fix("t.yaml", CFN, 0, ops).unwrap_err();
    assert!(
        e.0.contains("`Properties.BucketName` is written in the template as"),
        "{e}"
    );
    let arm = "{\n  \"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\",\n  \"parameters\": {\"tls\": {\"type\": \"string\", \"defaultValue\": \"TLS1_0\"}},\n  \"resources\": [\n    {\n      \"type\": \"Microsoft.Storage/storageAccounts\",\n      \"name\": \"[concat('st', 'x')]\",\n      \"properties\": {\"minimumTlsVersion\": \"TLS1_0\", \"allowBlobPublicAccess\": \"[parameters('tls')]\"}\n    }\n  ]\n}\n";
    let ops = json!([{"op": "set", "path": "/properties/minimumTlsVersion", "value": "TLS1_2"}]);
    assert_eq!(
        fix("t.json", arm, 0, ops).unwrap(),
        arm.replace(
            "\"minimumTlsVersion\": \"TLS1_0\"",
            "\"minimumTlsVersion\": \"TLS1_2\""
        )
    );
    let ops = json!([{"op": "set", "path": "/properties/allowBlobPublicAccess", "value": false}]);
    assert!(fix("t.json", arm, 0, ops).is_err());
}

/// Cases the property test below once found: each is written and reads back as patched.
#[test]
fn awkward_changes_are_written_correctly() {
    let cases = [
        // The first two members of `- key: v` go: the item is rewritten.
        (
            "type: T\nspec:\n- a: 1\n  c: 2\n  d: 3\n",
            json!({"type": "T", "spec": [{"d": 3}]}),
            "type: T\nspec:\n- d: 3\n",
        ),
        // The first two items of `[…]` go.
        (
            "type: T\nspec: [1, 2, 3]\n",
            json!({"type": "T", "spec": [3]}),
            "type: T\nspec: [3]\n",
        ),
        // Two members added to `{}`.
        (
            "type: T\nspec: {}   # c\n",
            json!({"type": "T", "spec": {"a": 1, "b": [1]}}),
            "type: T\nspec: {\"a\": 1, \"b\": [1]}   # c\n",
        ),
        // An indentless sequence becomes a mapping: indented past its key.
        (
            "type: T\nspec:   # c\n- 1\n",
            json!({"type": "T", "spec": {"a": 1}}),
            "type: T\nspec:   # c\n  a: 1\n",
        ),
        // The last member goes and another comes, in JSON.
        (
            "{\"type\": \"T\", \"spec\": {\"a\": 1}}",
            json!({"type": "T", "spec": {"b": 2}}),
            "{\"type\": \"T\", \"spec\": {\"b\": 2}}",
        ),
    ];
    for (text, after, want) in cases {
        let name = if text.starts_with('{') {
            "f.json"
        } else {
            "f.yaml"
        };
        let mut inv = Inventory::default();
        read_bytes(name, text.as_bytes(), name.rsplit('.').next(), &mut inv).unwrap();
        let r = &inv.resources[0];
        let out = rewrite(name, text, name.rsplit('.').next(), None, &[(r, &after)]);
        assert_eq!(out.unwrap(), want, "{text}");
    }
}

/// A file with Windows line breaks gets them on the lines a fix adds too.
#[test]
fn crlf_files_keep_their_line_breaks() {
    let text = POD.replace('\n', "\r\n");
    let ops = json!([
        {"op": "set", "path": "/spec/hostPID", "value": false},
        {"op": "set", "path": "/spec/containers/1/securityContext", "value": {"runAsNonRoot": true, "capabilities": {"drop": ["ALL"]}}},
        {"op": "remove", "path": "/spec/volumes/0"},
    ]);
    let out = fix("pod.yaml", &text, 0, ops).unwrap();
    assert!(
        out.contains("      securityContext:\r\n        runAsNonRoot: true\r\n"),
        "{out:?}"
    );
    assert_eq!(
        out.matches('\n').count(),
        out.matches("\r\n").count(),
        "{out:?}"
    );
    let json = "{\r\n  \"type\": \"T\",\r\n  \"a\": 1\r\n}\r\n";
    let out = fix(
        "f.json",
        json,
        0,
        json!([{"op": "set", "path": "/b", "value": {"c": 1}}]),
    )
    .unwrap();
    assert_eq!(
        out,
        "{\r\n  \"type\": \"T\",\r\n  \"a\": 1,\r\n  \"b\": {\r\n    \"c\": 1\r\n  }\r\n}\r\n"
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Small documents: mappings, sequences and scalars a few levels deep.
    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            any::<bool>().prop_map(Value::from),
            (0i64..1000).prop_map(Value::from),
            r#"[a-z :#'"{,-]{0,6}"#.prop_map(Value::from),
            Just(Value::Null),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map("[a-d]", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    /// Writes `v` as YAML, block or flow by `flow`, with a comment after each line.
    fn yaml_text(v: &Value, flow: bool) -> String {
        let body = if flow {
            format!("{}\n", serde_json::to_string(v).unwrap())
        } else {
            crate::input::yaml::to_string(v)
        };
        body.lines()
            .map(|l| format!("{l}   # note\n"))
            .collect::<String>()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Any change to any document is written so that the file reads back as patched
        /// (the read-back inside `rewrite` is the proof), and the comments of lines the change
        /// does not reach are kept.
        #[test]
        fn every_change_reads_back(spec in value(), flow in any::<bool>(), json in any::<bool>(),
                                   crlf in any::<bool>(),
                                   changes in prop::collection::vec((any::<prop::sample::Index>(), prop::option::of(value())), 1..4)) {
            let mut doc = serde_json::Map::new();
            doc.insert("type".into(), json!("T"));
            doc.insert("spec".into(), spec);
            let doc = Value::Object(doc);
            // Every node of the spec, and a member that is not there yet.
            let mut paths = vec!["/spec/new".to_string()];
            fn walk(v: &Value, p: String, out: &mut Vec<String>) {
                match v {
                    Value::Object(m) => for (k, c) in m {
                        walk(c, format!("{p}/{k}"), out);
                    },
                    Value::Array(a) => for (i, c) in a.iter().enumerate() {
                        walk(c, format!("{p}/{i}"), out);
                    },
                    _ => {}
                }
                out.push(p);
            }
            walk(&doc["spec"], "/spec".into(), &mut paths);
            let mut after = doc.clone();
            for (pick, new) in changes {
                let path = pick.get(&paths).clone();
                let parent = path.rsplit_once('/').map_or("", |p| p.0).to_string();
                if path == "/spec" || after.pointer(&parent).is_none_or(|p| !p.is_object() && !p.is_array()) {
                    continue;
                }
                match (new, after.pointer_mut(&parent)) {
                    // Removed: a member, or an item.
                    (None, Some(Value::Object(m))) => {
                        m.remove(path.rsplit('/').next().unwrap_or_default());
                    }
                    (None, Some(Value::Array(a))) => {
                        let i: usize = path.rsplit('/').next().unwrap_or_default().parse().unwrap_or(0);
                        if i < a.len() {
                            a.remove(i);
                        }
                    }
                    (Some(new), _) => match after.pointer_mut(&path) {
                        Some(slot) => *slot = new,
                        None => {
                            if let Some(Value::Object(m)) = after.pointer_mut(&parent) {
                                m.insert("new".into(), new);
                            }
                        }
                    },
                    _ => {}
                }
            }
            let (name, text) = if json {
                ("f.json", serde_json::to_string_pretty(&doc).unwrap())
            } else {
                ("f.yaml", yaml_text(&doc, flow))
            };
            let text = if crlf { text.replace('\n', "\r\n") } else { text };
            let mut inv = Inventory::default();
            read_bytes(name, text.as_bytes(), name.rsplit('.').next(), &mut inv).unwrap();
            let r = &inv.resources[0];
            prop_assert_eq!(&r.doc, &doc);
            let out = rewrite(name, &text, name.rsplit('.').next(), None, &[(r, &after)]);
            let out = out.map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
            // The `type` line is never reached by a change of the spec, and line breaks stay
            // the file's own.
            if !json && !flow {
                prop_assert!(out.contains("type: T   # note"), "{}", out);
            }
            if crlf {
                prop_assert_eq!(out.matches('\n').count(), out.matches("\r\n").count());
            }
        }
    }
}

#[test]
fn terraform_plans_are_not_written() {
    let plan = r#"{"format_version": "1.2", "planned_values": {"root_module": {"resources": [
        {"address": "aws_s3_bucket.b", "mode": "managed", "type": "aws_s3_bucket", "name": "b",
         "provider_name": "registry.terraform.io/hashicorp/aws", "values": {"bucket": "x"}}]}}}"#;
    let ops = json!([{"op": "set", "path": "/values/acl", "value": "private"}]);
    let e = fix("plan.json", plan, 0, ops).unwrap_err();
    assert!(e.0.contains("fix the `.tf` files"), "{e}");
}
