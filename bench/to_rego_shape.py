#!/usr/bin/env python3
"""Converts a `tenet check --format json` report into the {rule: {"failing": [names]}} shape the
shared benchmark's verify.py reads for Rego peers: `to_rego_shape.py REPORT > OUT`."""
import json
import sys

rep = json.load(open(sys.argv[1]))
out = {r["id"]: {"failing": []} for r in rep["recommendations"]}
for f in rep["findings"]:
    if f["state"] in ("not_compliant", "error"):
        out[f["recommendation"]]["failing"].append(f["resource"]["name"])
json.dump(out, sys.stdout)
