#!/usr/bin/env bash
# Inputs for pair_shapes.py in /tmp/b: multi-document Kubernetes YAML, ARM-shaped YAML, one JSON
# file and the same resources as 10,000 small files, 3,000 exemptions and governance rules, a
# 100 MB resource name and a 100 MB JSON Lines line without an end.
set -euo pipefail
G="$(cd "$(dirname "$0")" && pwd)/../../shared/bench/gen_inventory.py"
[ -f "$G" ] || { echo "needs ../shared/bench (the shared workload generator): $G is absent"; exit 1; }
mkdir -p /tmp/b && cd /tmp/b
python3 "$G" 10000 g.json --yaml y.yaml >/dev/null
python3 - <<'PY'
import json, os
d = json.load(open('g.json'))['resources']
for i, r in enumerate(d):
    os.makedirs(f'many/d{i//500:02d}', exist_ok=True)
    json.dump(r, open(f'many/d{i//500:02d}/r{i:05d}.json', 'w'), indent=2)
json.dump(d, open('inv.json', 'w'), indent=2)
x = ["version: 1", "exemptions:"]
g = ["version: 1", "rules:"]
for i, r in enumerate(d[:3000]):
    x += [f"  - id: x{i}", "    recommendations: ['*']", f"    scope: {{resources: ['{r['id']}']}}",
          "    category: waiver", f"    justification: ticket {i}"]
    g += [f"  - name: r{i}", f"    owner: team{i}@example.com", "    match:",
          f"      resources: ['{r['name']}']", "    timeframe_days: 14"]
open('exemptions.yaml', 'w').write("\n".join(x) + "\n")
open('governance.yaml', 'w').write("\n".join(g) + "\n")
docs = []
for i in range(20000):
    docs.append(f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
  namespace: ns-{i%40}
  labels: {{app: app-{i}, tier: web}}
spec:
  replicas: 2
  selector:
    matchLabels: {{app: app-{i}}}
  template:
    metadata:
      labels: {{app: app-{i}}}
    spec:
      containers:
      - name: web
        image: registry.example/app:{i%7}.0
        ports:
        - containerPort: 8080
        securityContext:
          runAsNonRoot: {'true' if i%3 else 'false'}
          allowPrivilegeEscalation: false
        resources:
          limits: {{cpu: 500m, memory: 256Mi}}
""")
open('k8s.yaml', 'w').write('---\n'.join(docs))
# The same Deployments as JSON Lines, and 1,000 of them as 1,000 small files: what YAML and
# many files cost against the same data in one JSON stream.
import yaml
parsed = list(yaml.safe_load_all('---\n'.join(docs)))
open('k8s.jsonl', 'w').write(''.join(json.dumps(d) + '\n' for d in parsed))
os.makedirs('k8s-many', exist_ok=True)
for i, d in enumerate(docs[:1000]):
    open(f'k8s-many/d{i:04d}.yaml', 'w').write(d)
open('k8s-1000.yaml', 'w').write('---\n'.join(docs[:1000]))
head = '{"kind":"Pod","apiVersion":"v1","metadata":{"name":"'
open('name.jsonl', 'w').write(head + 'a' * 100_000_000 + '"},"spec":{"containers":[{"name":"c","image":"nginx:1.27"}]}}\n')
open('long.jsonl', 'w').write(head + 'a' * 100_000_000)
PY
