"""Decode form-encoded bodies with bracketed keys (`metadata[payment_id]=x`) into nested data."""

import re
from urllib.parse import parse_qsl

FormValue = str | list["FormValue"] | dict[str, "FormValue"]
FormDict = dict[str, FormValue]

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_PART = re.compile(r"\[([^\[\]]*)\]")


class FormDecodeError(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(f"Invalid parameter: {key}")
        self.key = key


def parse_pairs(raw: str) -> list[tuple[str, str]]:
    return parse_qsl(raw, keep_blank_values=True)


def decode_form(pairs: list[tuple[str, str]]) -> FormDict:
    """`a[b][c]=1` → {"a": {"b": {"c": "1"}}}; `a[0]=x` and `a[]=x` → {"a": ["x"]}."""
    root: dict[str, FormValue] = {}
    for key, value in pairs:
        _insert(root, key, value)
    return {name: _listify(node) for name, node in root.items()}


def _insert(root: dict[str, FormValue], key: str, value: str) -> None:
    match = _KEY.match(key)
    if match is None:
        raise FormDecodeError(key)
    path = [match.group(1), *_PART.findall(match.group(2))]
    node = root
    for index, part in enumerate(path):
        name = part or str(_next_index(node))
        if index == len(path) - 1:
            if name in node:
                raise FormDecodeError(key)
            node[name] = value
            return
        child = node.setdefault(name, {})
        if not isinstance(child, dict):
            raise FormDecodeError(key)
        node = child


def _next_index(node: dict[str, FormValue]) -> int:
    return len(node)


def _listify(node: FormValue) -> FormValue:
    if not isinstance(node, dict):
        return node
    children = {name: _listify(child) for name, child in node.items()}
    if children and all(name.isdigit() for name in children):
        return [children[name] for name in sorted(children, key=int)]
    return children
