#!/usr/bin/env python3
"""Alternating paired runs of two tenet binaries over the input shapes of pre-merge checks:
median wall, CPU and peak RSS per case. Usage: pair_shapes.py OLD_BINARY NEW_BINARY (ROUNDS=5;
CASES='YAML|files' runs the cases whose names hold one of the texts; OLD_MODULES and NEW_MODULES,
such as /tmp/m/%s-old.wasm, run each binary on its own compilation of the same standards, so that
two versions whose built-in standards differ are compared on the same rules).

The inputs are made by make_shapes.sh in /tmp/b (from ../shared/bench/gen_inventory.py)."""
import os, resource, statistics, subprocess, sys, time, shutil

OLD, NEW = sys.argv[1], sys.argv[2]
ROUNDS = int(os.environ.get("ROUNDS", "5"))
CASES = [c for c in [
    ("YAML, 20,000 Deployments (multi-document)", ["check", "-s", "kubernetes-pod-security", "/tmp/b/k8s.yaml", "--format", "json"], None),
    ("the same 20,000 Deployments as JSON Lines", ["check", "-s", "kubernetes-pod-security", "/tmp/b/k8s.jsonl", "--format", "json"], None),
    ("YAML, 1,000 Deployments in 1,000 files", ["check", "-s", "kubernetes-pod-security", "/tmp/b/k8s-many", "--format", "json"], None),
    ("YAML, the same 1,000 Deployments in one file", ["check", "-s", "kubernetes-pod-security", "/tmp/b/k8s-1000.yaml", "--format", "json"], None),
    ("YAML, 10,000 ARM-shaped resources (one template)", ["check", "-s", "azure-security-baseline", "/tmp/b/y.yaml", "--format", "json"], None),
    ("the same template as JSON", ["check", "-s", "azure-security-baseline", "/tmp/b/g.json", "--format", "json"], None),
    ("JSON, 10,000 resources in one file", ["check", "-s", "azure-security-baseline", "/tmp/b/inv.json", "--format", "json"], None),
    ("JSON, 10,000 resources, 3,000 exemptions", ["check", "-s", "azure-security-baseline", "/tmp/b/inv.json", "--format", "json", "--exemptions", "/tmp/b/exemptions.yaml"], None),
    ("JSON, 10,000 resources, 3,000 governance rules", ["check", "-s", "azure-security-baseline", "/tmp/b/inv.json", "--format", "json", "--governance", "/tmp/b/governance.yaml"], None),
    ("JSON, 10,000 files of one resource", ["check", "-s", "azure-security-baseline", "/tmp/b/many", "--format", "json"], None),
    ("fix --write, 10,000 resources in one file", ["fix", "-s", "azure-security-baseline", "/tmp/b/w.json", "--write", "--format", "json"], "/tmp/b/inv.json"),
    ("100 MB resource name (JSON Lines)", ["check", "-s", "kubernetes-pod-security", "/tmp/b/name.jsonl", "--format", "json"], None),
    ("100 MB JSON Lines line without an end", ["check", "-s", "kubernetes-pod-security", "/tmp/b/long.jsonl", "--format", "json"], None),
] if not os.environ.get("CASES") or any(w in c[0] for w in os.environ["CASES"].split("|"))]

def modules(binary, args):
    """The arguments with `-s NAME` replaced by the binary's module of NAME, when given."""
    pattern = os.environ.get("OLD_MODULES" if binary == OLD else "NEW_MODULES")
    if not pattern:
        return args
    return [pattern % a if i > 0 and args[i - 1] == "-s" else a for i, a in enumerate(args)]

def run(binary, args, fresh):
    args = modules(binary, args)
    if fresh:
        shutil.copy(fresh, "/tmp/b/w.json")
    env = dict(os.environ, TENET_NO_HISTORY="1", NO_COLOR="1")
    t0 = time.perf_counter()
    p = subprocess.Popen([binary] + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)

print("| case | before s (CPU s) | after s (CPU s) | after / before (wall) | before / after peak MiB | exit before/after |")
print("|---|---|---|---|---|---|")
for name, args, fresh in CASES:
    res = {OLD: [], NEW: []}
    for _ in range(ROUNDS):
        for b in (OLD, NEW):
            res[b].append(run(b, args, fresh))
    def med(b, k):
        return statistics.median(r[k] for r in res[b])
    o, n = med(OLD, 0), med(NEW, 0)
    print(f"| {name} | {o:.3f} ({med(OLD,1):.3f}) | {n:.3f} ({med(NEW,1):.3f}) | {n/o:.2f}× | {med(OLD,2):.0f} / {med(NEW,2):.0f} | {res[OLD][0][3]}/{res[NEW][0][3]} |", flush=True)
