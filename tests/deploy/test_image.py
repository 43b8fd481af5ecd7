"""The one Dockerfile: multi-stage, non-root, no secrets, `python -m <module>` for every service."""

from __future__ import annotations

import fnmatch
import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml

from .project import K8S_DIR, MODULES, ROOT, SECRET_NAME, SERVICES, readme_ports

BASE_IMAGE = "python:3.11-slim"


def instructions() -> list[tuple[str, str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [
        (word.upper(), rest.strip())
        for word, _, rest in (line.partition(" ") for line in lines)
        if word and not word.startswith("#")
    ]


def stages() -> list[list[tuple[str, str]]]:
    result: list[list[tuple[str, str]]] = []
    for instruction in instructions():
        if instruction[0] == "FROM":
            result.append([])
        result[-1].append(instruction)
    return result


def dockerignore() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def ignored(path: str) -> bool:
    """Docker's .dockerignore matching, closely enough for the plain patterns used there."""
    return any(fnmatch.fnmatch(path, p) or path.startswith(p + "/") for p in dockerignore())


def test_readme_ports_are_the_services_defaults() -> None:
    assert readme_ports() == {s.name: (s.port, f"{s.env_prefix}PORT") for s in SERVICES}


def test_every_service_module_is_in_the_installed_package() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    assert set(MODULES.values()) <= {Path(p).name for p in packages}
    for module in MODULES.values():
        assert any((ROOT / p / "__main__.py").is_file() for p in packages if p.endswith(module))


def test_multi_stage_on_python_slim() -> None:
    all_stages = stages()
    assert len(all_stages) >= 2
    for stage in all_stages:
        assert stage[0][1].split()[0] == BASE_IMAGE


def test_builder_installs_the_project_into_a_venv_with_pip() -> None:
    builder = " ".join(rest for _, rest in stages()[0])
    assert "python -m venv /opt/venv" in builder
    assert re.search(r"\bpip install \.(\s|$)", builder)
    assert "-e" not in re.findall(r"pip install (\S+)", builder)


def test_runtime_takes_only_the_venv_from_the_builder() -> None:
    runtime = stages()[-1]
    copies = [rest for word, rest in runtime if word in {"COPY", "ADD"}]
    assert copies == ["--from=builder /opt/venv /opt/venv"]
    env = " ".join(rest for word, rest in runtime if word == "ENV")
    assert "PATH=/opt/venv/bin:$PATH" in env


def test_runs_as_the_non_root_user_kubernetes_expects() -> None:
    users = [rest for word, rest in stages()[-1] if word == "USER"]
    assert len(users) == 1
    uid, _, gid = users[0].partition(":")
    assert uid.isdigit()
    assert gid.isdigit()
    assert int(uid) > 0
    assert int(gid) > 0
    base = K8S_DIR / "base" / "services"
    for path in base.glob("*.yaml"):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc["kind"] == "Deployment":
                context = doc["spec"]["template"]["spec"]["securityContext"]
                assert (context["runAsUser"], context["runAsGroup"]) == (int(uid), int(gid))


def test_entrypoint_is_python_module_runner_and_no_default_module() -> None:
    runtime = stages()[-1]
    entrypoints = [json.loads(rest) for word, rest in runtime if word == "ENTRYPOINT"]
    assert entrypoints == [["python", "-m"]]
    assert not [word for word, _ in runtime if word == "CMD"]


def test_no_secrets_in_the_image() -> None:
    for word, rest in instructions():
        if word in {"ENV", "ARG"}:
            names = re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=", rest) or [rest.split()[0]]
            assert not [n for n in names if SECRET_NAME.search(n.upper())], rest


def test_build_context_keeps_what_the_build_copies() -> None:
    for word, rest in instructions():
        if word == "COPY" and not rest.startswith("--from"):
            for source in rest.split()[:-1]:
                assert (ROOT / source).exists(), source
                assert not ignored(source), source


@pytest.mark.parametrize("path", [".venv", ".run", ".git", ".mypy_cache", ".pytest_cache"])
def test_build_context_leaves_out_local_state(path: str) -> None:
    assert ignored(path)


def test_build_context_leaves_out_caches_and_env_files() -> None:
    for path in ["libs/common/src/payroute_common/__pycache__", "deploy/compose/.env"]:
        assert ignored(path), path
