"""JSON Schemas of every message, generated into `schemas/` and committed.

One file per message and schema version (`CreatePayment.v1.json`) plus the
envelope. Old versions stay committed. Regenerating refuses to overwrite a
committed version with a backward-incompatible schema (a removed field, a
changed type, a new required field): such a change needs a new schema_version
and an upcaster.

    python -m payroute_common.schemas schemas/
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from payroute_common.envelope import Envelope
from payroute_common.messages import MESSAGE_TYPES

Schema = dict[str, Any]


def generate() -> dict[str, Schema]:
    schemas = {"Envelope.v1.json": Envelope.model_json_schema()}
    for name, cls in sorted(MESSAGE_TYPES.items()):
        schema = cls.model_json_schema()
        schema["x-event-type"] = name
        schema["x-schema-version"] = cls.schema_version
        schemas[f"{name}.v{cls.schema_version}.json"] = schema
    return schemas


def render(schema: Schema) -> str:
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def _resolve(schema: Schema, root: Schema) -> Schema:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return _resolve(root["$defs"][ref.removeprefix("#/$defs/")], root)
    return schema


def _type_of(schema: Schema, root: Schema) -> Any:
    resolved = _resolve(schema, root)
    if "anyOf" in resolved:
        return sorted(json.dumps(_type_of(s, root), sort_keys=True) for s in resolved["anyOf"])
    if "enum" in resolved or "const" in resolved:
        return resolved.get("type", "enum")
    return resolved.get("type", "object")


def incompatibilities(old: Schema, new: Schema, path: str = "", *, roots: Any = None) -> list[str]:
    """Why `new` cannot read what producers of `old` wrote; empty when compatible."""
    old_root, new_root = roots or (old, new)
    old, new = _resolve(old, old_root), _resolve(new, new_root)
    problems = []
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    for field in old_props:
        if field not in new_props:
            problems.append(f"{path}{field}: removed")
        elif _type_of(old_props[field], old_root) != _type_of(new_props[field], new_root):
            problems.append(f"{path}{field}: type changed")
        else:
            problems += incompatibilities(
                old_props[field], new_props[field], f"{path}{field}.", roots=(old_root, new_root)
            )
    for field in set(new.get("required", [])) - set(old.get("required", [])):
        problems.append(f"{path}{field}: new required field")
    old_enum, new_enum = old.get("enum"), new.get("enum")
    if old_enum and new_enum and set(old_enum) - set(new_enum):
        problems.append(f"{path.rstrip('.')}: enum values removed")
    return problems


def write(directory: Path) -> list[str]:
    """Write the generated schemas; refuse incompatible rewrites of a committed version."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, schema in generate().items():
        target = directory / filename
        if target.exists():
            problems = incompatibilities(json.loads(target.read_text()), schema)
            if problems:
                raise SystemExit(f"{filename}: incompatible change {problems}; bump schema_version")
        if not target.exists() or target.read_text() != render(schema):
            target.write_text(render(schema))
            written.append(filename)
    return written


if __name__ == "__main__":
    for name in write(Path(sys.argv[1] if len(sys.argv) > 1 else "schemas")):
        print(f"wrote {name}")
