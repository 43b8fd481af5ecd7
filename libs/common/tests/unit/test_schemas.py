import json
from pathlib import Path

import pytest

from payroute_common.schemas import generate, incompatibilities, render

SCHEMAS = Path(__file__).parents[4] / "schemas"


@pytest.mark.parametrize(("filename", "schema"), sorted(generate().items()))
def test_committed_schema_matches_the_model(filename: str, schema: dict) -> None:
    committed = SCHEMAS / filename
    assert committed.exists(), f"run `make schemas`: {filename} is not committed"
    assert committed.read_text() == render(schema), f"run `make schemas`: {filename} drifted"


@pytest.mark.parametrize(("filename", "schema"), sorted(generate().items()))
def test_model_reads_everything_its_committed_version_allowed(filename: str, schema: dict) -> None:
    committed = json.loads((SCHEMAS / filename).read_text())
    assert incompatibilities(committed, schema) == []


BASE = {
    "type": "object",
    "properties": {
        "amount": {"type": "integer"},
        "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        "kind": {"enum": ["a", "b"], "type": "string"},
    },
    "required": ["amount"],
}


def changed(**changes: object) -> dict:
    schema = json.loads(json.dumps(BASE))
    schema.update(changes)
    return schema


def test_an_added_optional_field_is_compatible() -> None:
    new = changed(properties={**BASE["properties"], "extra": {"type": "string"}})
    assert incompatibilities(BASE, new) == []


def test_a_removed_field_is_not() -> None:
    props = {k: v for k, v in BASE["properties"].items() if k != "note"}
    assert incompatibilities(BASE, changed(properties=props)) == ["note: removed"]


def test_a_type_change_is_not() -> None:
    new = changed(properties={**BASE["properties"], "amount": {"type": "number"}})
    assert incompatibilities(BASE, new) == ["amount: type changed"]


def test_a_new_required_field_is_not() -> None:
    new = changed(
        properties={**BASE["properties"], "extra": {"type": "string"}},
        required=["amount", "extra"],
    )
    assert incompatibilities(BASE, new) == ["extra: new required field"]


def test_a_removed_enum_value_is_not() -> None:
    new = changed(properties={**BASE["properties"], "kind": {"enum": ["a"], "type": "string"}})
    assert incompatibilities(BASE, new) == ["kind: enum values removed"]


def test_nested_models_are_compared_through_refs() -> None:
    old = {
        "$defs": {"M": {"type": "object", "properties": {"x": {"type": "integer"}}}},
        "type": "object",
        "properties": {"m": {"$ref": "#/$defs/M"}},
    }
    new = json.loads(json.dumps(old))
    new["$defs"]["M"]["properties"]["x"] = {"type": "string"}
    assert incompatibilities(old, new) == ["m.x: type changed"]
