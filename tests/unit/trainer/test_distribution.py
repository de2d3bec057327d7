"""The client is its own distribution and never imports the service.

- no module under ``trainer/`` imports the service, the sandbox or their libraries;
- importing every client module loads none of them;
- ``pip install ./trainer`` resolves (pip's own resolver, a dry run against the package
  index) to httpx, tqdm and their few dependencies: no fastapi, math-verify or docker.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from ...conftest import ROOT

CLIENT = ROOT / "trainer"
SERVICE_ONLY = {
    "fastapi",
    "starlette",
    "uvicorn",
    "math_verify",
    "docker",
    "pebble",
    "pint",
    "reasoning_gym",
    "prometheus_client",
    "pydantic_settings",
    "latex2sympy2_extended",
}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_no_client_module_imports_the_service() -> None:
    modules = sorted((CLIENT / "rlvr").rglob("*.py"))
    assert len(modules) > 20
    for module in modules:
        for name in _imports(module):
            assert not name.startswith(("rlvr.verifier", "rlvr.sandbox")), (module, name)
            assert name.split(".")[0] not in SERVICE_ONLY, (module, name)


def test_importing_the_client_loads_nothing_of_the_service() -> None:
    code = (
        "import sys\n"
        "from rlvr.trainer import (budget, cli, client, coalesce, config, errors, evaluation,\n"
        "    generation, grpo, items, models, prompts, retry, rewards, sft, verdicts, verl)\n"
        "from rlvr.trainer.jobs import filters, generate, records, resumable, sft_data\n"
        "print([m for m in sys.modules if m.startswith(('rlvr.verifier', 'rlvr.sandbox'))\n"
        "       or m.split('.')[0] in " + repr(SERVICE_ONLY) + "])\n"
    )
    env = {**os.environ, "PYTHONPATH": str(CLIENT)}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_the_client_declares_only_its_own_dependencies() -> None:
    client = tomllib.loads((CLIENT / "pyproject.toml").read_text())["project"]
    service = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    bare = {
        d.split("[")[0].split(">")[0].split("=")[0].split(" ")[0] for d in client["dependencies"]
    }
    assert bare == {"httpx", "tqdm"}
    service_deps = {d.split("[")[0].split(">")[0].split("=")[0] for d in service["dependencies"]}
    extras = [d for group in client["optional-dependencies"].values() for d in group]
    declared = " ".join(client["dependencies"] + extras)
    # What both need (httpx: the service's judge calls too) is no service stack.
    for dependency in service_deps - bare - {"rlvr-client @ {root:uri}/trainer"}:
        assert dependency not in declared, dependency


def test_pip_install_of_the_client_pulls_in_no_service_package(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    try:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--dry-run",
                "--ignore-installed",
                "--report",
                str(report),
                str(CLIENT),
            ],
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
    except subprocess.CalledProcessError as exc:
        if "No matching distribution" in exc.stderr or "Could not find" in exc.stderr:
            pytest.skip(f"no package index reachable: {exc.stderr[-300:]}")
        raise
    names = {i["metadata"]["name"].lower() for i in json.loads(report.read_text())["install"]}
    assert {"rlvr-client", "httpx", "tqdm"} <= names
    assert not names & {"fastapi", "math-verify", "docker", "uvicorn", "pebble", "torch", "rlvr"}
    assert len(names) < 15, sorted(names)
