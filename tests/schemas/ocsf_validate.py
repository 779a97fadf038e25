"""Validates OCSF events (JSON Lines on standard input) against the OCSF 1.5.0 Compliance
Finding class, with the models of the `pydantic-ocsf` package: every required attribute present,
every value of its type and enum, and no attribute the schema does not define (outside
`unmapped`, which OCSF keeps for exactly that; a profile's attributes when the event names the
profile). Prints the number of events; exits 1 on the
first invalid one."""

import json
import sys

from pydantic import BaseModel

from ocsf.v1_5_0.events import ComplianceFinding
from ocsf.v1_5_0.objects import Cloud

# Attributes that a profile adds, allowed when the event names the profile in
# `metadata.profiles` (the models describe classes without their profiles).
PROFILES = {"cloud": {"cloud": Cloud}}


def unknown(model, path):
    """The attributes of a validated model, nested ones included, that the schema lacks."""
    found = [f"{path}.{k}" for k in (model.model_extra or {})]
    for name in type(model).model_fields:
        if name == "unmapped":
            continue
        value = getattr(model, name, None)
        items = value if isinstance(value, list) else [value]
        for i, item in enumerate(items):
            if isinstance(item, BaseModel):
                where = f"{path}.{name}" + (f"[{i}]" if isinstance(value, list) else "")
                found += unknown(item, where)
    return found


count = 0
for number, line in enumerate(sys.stdin, 1):
    if not line.strip():
        continue
    data = json.loads(line)
    added = {}
    for profile in data.get("metadata", {}).get("profiles", []):
        for name, model in PROFILES.get(profile, {}).items():
            if name in data:
                added[name] = model.model_validate(data.pop(name))
    event = ComplianceFinding.model_validate(data)
    extra = unknown(event, "event")
    for name, value in added.items():
        extra += unknown(value, f"event.{name}")
    if extra:
        print(f"line {number}: attributes outside OCSF 1.5.0: {', '.join(extra)}")
        sys.exit(1)
    count += 1
print(count)
