"""Render deploy/k8s with `kubectl kustomize` (Debian package `kubectl`), once per target.

A developer without kubectl gets a skip; CI (`CI=true`) gets a failure, so a missing
install step cannot pass unnoticed (as tools.py does for promtool and amtool).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from .project import K8S_DIR

Manifest = dict[str, Any]

# Every way the manifests are rendered: the base, each overlay, prod with the KEDA component.
TARGETS = ("base", "dev", "prod", "prod+keda")
OVERLAYS = {"dev": K8S_DIR / "overlays" / "dev", "prod": K8S_DIR / "overlays" / "prod"}
KEDA_COMPONENT = K8S_DIR / "components" / "keda-consumer-lag"


def kubectl() -> str:
    path = shutil.which("kubectl")
    if path is not None:
        return path
    message = "kubectl not found (apt-get install kubectl)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def _kustomize(directory: Path) -> list[Manifest]:
    result = subprocess.run(
        [kubectl(), "kustomize", str(directory)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"kubectl kustomize {directory}:\n{result.stderr}"
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


@functools.cache
def render(target: str) -> tuple[Manifest, ...]:
    """`base`, `dev`, `prod`, or `prod+keda` (prod with the KEDA component)."""
    if target == "base":
        return tuple(_kustomize(K8S_DIR / "base"))
    if target in OVERLAYS:
        return tuple(_kustomize(OVERLAYS[target]))
    assert target == "prod+keda", target
    with tempfile.TemporaryDirectory() as tmp:
        # kustomize takes only relative paths to other kustomizations.
        def rel(path: Path) -> str:
            return os.path.relpath(path, tmp)

        Path(tmp, "kustomization.yaml").write_text(
            yaml.safe_dump(
                {
                    "namespace": "payroute",
                    "resources": [rel(OVERLAYS["prod"])],
                    "components": [rel(KEDA_COMPONENT)],
                }
            )
        )
        return tuple(_kustomize(Path(tmp)))


def objects(target: str, kind: str) -> dict[str, Manifest]:
    return {o["metadata"]["name"]: o for o in render(target) if o["kind"] == kind}


def main_container(deployment: Manifest) -> dict[str, Any]:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


def env_of(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["name"]: e for e in container.get("env", [])}


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """Whether a label selector's matchLabels pick pods carrying these labels."""
    return selector.get("matchLabels", {}).items() <= labels.items()
