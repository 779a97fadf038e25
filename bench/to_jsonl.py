#!/usr/bin/env python3
"""Writes an inventory as JSON Lines, repeated: `to_jsonl.py IN.json OUT.jsonl COPIES`.
Copy k renames every resource with a `-k` suffix, so 10 copies of the 100,000-resource inventory
give 1,000,000 distinct resources for the streaming memory check."""
import json
import sys

src, dst, copies = sys.argv[1], sys.argv[2], int(sys.argv[3])
resources = json.load(open(src))["resources"]
with open(dst, "w") as out:
    for k in range(copies):
        for r in resources:
            r = dict(r)
            r["name"] = f'{r["name"]}-{k}'
            out.write(json.dumps(r, separators=(",", ":")))
            out.write("\n")
