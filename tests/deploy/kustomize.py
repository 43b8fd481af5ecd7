"""A small kustomize renderer for the subset deploy/k8s uses, so tests run without kustomize.

Supported: `namespace`, `resources` (files and directories) and `patches` that are
strategic-merge patches of maps only, matched by kind and name or by a `target` with
`kind` and an optional `labelSelector` of `key=value` pairs. For such patches strategic
merge is a recursive map merge (`null` deletes a key), so the result is kustomize's.
Anything else raises, so a kustomization never uses a feature these tests would ignore;
test_k8s compares the result with `kubectl kustomize` wherever kubectl is installed.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

SUPPORTED_KEYS = {"apiVersion", "kind", "namespace", "resources", "patches"}
SUPPORTED_TARGET_KEYS = {"kind", "labelSelector"}
CLUSTER_SCOPED_KINDS = {"Namespace"}

Manifest = dict[str, Any]


class UnsupportedError(ValueError):
    """The kustomization uses something this renderer does not implement."""


def load_documents(path: Path) -> list[Manifest]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def render(directory: Path) -> list[Manifest]:
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    unsupported = set(kustomization) - SUPPORTED_KEYS
    if unsupported:
        raise UnsupportedError(f"{directory}: unsupported keys {sorted(unsupported)}")
    objects: list[Manifest] = []
    for entry in kustomization.get("resources", []):
        path = directory / entry
        objects += render(path) if path.is_dir() else load_documents(path)
    for patch in kustomization.get("patches", []):
        for document in load_documents(directory / patch["path"]):
            _apply_patch(objects, document, patch.get("target"))
    if namespace := kustomization.get("namespace"):
        _set_namespace(objects, namespace)
    names = [(o["kind"], o["metadata"]["name"]) for o in objects]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"{directory}: duplicate objects {sorted(duplicates)}")
    return objects


def _set_namespace(objects: list[Manifest], namespace: str) -> None:
    for obj in objects:
        if obj["kind"] in CLUSTER_SCOPED_KINDS:
            if obj["kind"] == "Namespace" and obj["metadata"]["name"] != namespace:
                raise UnsupportedError("kustomize would rename this Namespace")
            continue
        obj["metadata"]["namespace"] = namespace


def _apply_patch(objects: list[Manifest], patch: Manifest, target: dict[str, str] | None) -> None:
    _reject_lists(patch, patch["kind"])
    if target is None:
        matches = [
            o
            for o in objects
            if o["kind"] == patch["kind"] and o["metadata"]["name"] == patch["metadata"]["name"]
        ]
    else:
        unsupported = set(target) - SUPPORTED_TARGET_KEYS
        if unsupported:
            raise UnsupportedError(f"unsupported patch target keys {sorted(unsupported)}")
        matches = [o for o in objects if _selected(o, target)]
    if not matches:
        raise ValueError(f"patch {patch['kind']}/{patch['metadata']['name']} matches nothing")
    body = {k: v for k, v in patch.items() if k not in {"apiVersion", "kind"}}
    body["metadata"] = {k: v for k, v in patch["metadata"].items() if k != "name"}
    for obj in matches:
        _merge(obj, body)


def _selected(obj: Manifest, target: dict[str, str]) -> bool:
    if obj["kind"] != target["kind"]:
        return False
    labels = obj["metadata"].get("labels", {})
    for pair in filter(None, target.get("labelSelector", "").split(",")):
        key, sep, value = pair.partition("=")
        if not sep or "!" in key:
            raise UnsupportedError(f"unsupported label selector {pair!r}")
        if labels.get(key.strip()) != value.strip():
            return False
    return True


def _reject_lists(value: object, where: str) -> None:
    if isinstance(value, list):
        raise UnsupportedError(f"{where}: lists in patches merge by schema rules; not supported")
    if isinstance(value, dict):
        for key, item in value.items():
            if str(key).startswith("$"):
                raise UnsupportedError(f"{where}: patch directive {key} not supported")
            _reject_lists(item, f"{where}.{key}")


def _merge(into: Manifest, patch: Manifest) -> None:
    for key, value in patch.items():
        if value is None:
            into.pop(key, None)
        elif isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = copy.deepcopy(value)
