"""Fuzz every operation of a live service from its own OpenAPI document with schemathesis
(its CLI, all phases but stateful, every check): bodies that fit the schema must be
accepted, bodies that do not must get a documented 4xx, nothing may answer 500 or drift
from its documented status codes, headers and response schemas. Strings carry NUL bytes
and, through ``fuzz_hooks``, lone surrogates. Bounded by a fixed example count and seed."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..conftest import ROOT, LiveServer, running_server

EXAMPLES = "25"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    settings = {"workers": "2", "item_timeout_s": "2", "kill_grace_s": "1"}
    with running_server(tmp_path_factory.mktemp("fuzz"), **settings) as live:
        yield live


def _fuzz(server: LiveServer, tmp_path: Path, *options: str) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "SCHEMATHESIS_HOOKS": "tests.integration.fuzz_hooks",
    }
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        f"{server.url}/openapi.json",
        "--max-examples",
        EXAMPLES,
        "--seed",
        "20261130",
        "--workers",
        "1",
        "--phases",
        "examples,coverage,fuzzing",
        "--generation-allow-x00",
        "true",
        "--request-timeout",
        "120",
        "--suppress-health-check",
        "all",
        "--generation-database",
        "none",
        "--no-color",
        *options,
    ]
    run = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900
    )
    assert run.returncode == 0, f"schemathesis found failures:\n{run.stdout[-12000:]}{run.stderr}"
    assert "passed" in run.stdout


def test_every_scoring_operation_keeps_its_contract(server: LiveServer, tmp_path: Path) -> None:
    _fuzz(
        server,
        tmp_path,
        "--checks",
        "all",
        "--exclude-path",
        "/openrlhf",
        "--exclude-path",
        "/slime",
    )


def test_the_trainer_routes_keep_their_contract(server: LiveServer, tmp_path: Path) -> None:
    # Rules across fields are not in their schemas ("prompts and labels have one entry per
    # query"; "a weight only for a score that is computed"): a schema-valid request can get
    # a documented 422, so acceptance of positive data is not checked; every other check is.
    _fuzz(
        server,
        tmp_path,
        "--checks",
        "all",
        "--exclude-checks",
        "positive_data_acceptance",
        "--include-path",
        "/openrlhf",
        "--include-path",
        "/slime",
    )
