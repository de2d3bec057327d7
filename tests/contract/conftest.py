"""Contract tests: each trainer's own calling code, at a pinned version, against the live service.

verl, OpenRLHF and verifiers come from ``scripts/install-contracts`` (``.contracts/site``, or
``RLVR_CONTRACT_SITE``), appended to ``sys.path`` so the project's own packages win; TRL is
the one in the venv. AReaL and NeMo-Gym cannot share this process (AReaL's hydra needs an
older antlr4 than math-verify's; NeMo-Gym needs Python 3.13): they get venvs of their own,
``.contracts/areal`` and ``.contracts/gym``, and their calling code runs there in a
subprocess (:func:`contract_python`). Without them a test is skipped, saying how to install
them; with ``RLVR_REQUIRE_CONTRACTS=1`` (CI) it fails instead. A test that pins a version
fails when another is installed: the adapter was checked against that one.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from ..conftest import ROOT

CONTRACTS = ROOT / ".contracts"
SITE = Path(os.environ.get("RLVR_CONTRACT_SITE", CONTRACTS / "site"))
if SITE.is_dir() and str(SITE) not in sys.path:
    sys.path.append(str(SITE))

RIGHT = "<think>\n2+2\n</think>\n<answer>\n\\boxed{4}\n</answer>"
WRONG = "<think>\n2+2\n</think>\n<answer>\n\\boxed{5}\n</answer>"


def _missing(message: str) -> None:
    if os.environ.get("RLVR_REQUIRE_CONTRACTS") == "1":
        pytest.fail(message)
    pytest.skip(message, allow_module_level=True)


def _check_version(distribution: str, found: str, version: str) -> None:
    if found != version:
        pytest.fail(
            f"{distribution} {found} is installed, the adapter was checked against {version}: "
            "re-run scripts/install-contracts, or check the adapter against the new version "
            "and update the pin (tests/contract/requirements*.txt) and README"
        )


def pinned(distribution: str, version: str, module: str | None = None) -> ModuleType:
    """``module`` (default: the distribution's name) of ``distribution`` at ``version``."""
    try:
        found = importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        _missing(f"{distribution} is not installed: run scripts/install-contracts")
        raise  # not reached: _missing skips or fails
    _check_version(distribution, found, version)
    return importlib.import_module(module or distribution)


def contract_python(venv: str, distribution: str, version: str) -> Path:
    """The interpreter of ``.contracts/<venv>``, where ``distribution`` is at ``version``."""
    python = CONTRACTS / venv / "bin" / "python"
    if not python.exists():
        _missing(f"no {python}: run scripts/install-contracts")
    query = f"import importlib.metadata as m; print(m.version({distribution!r}))"
    found = subprocess.run(
        [python, "-c", query], capture_output=True, text=True, timeout=120, check=False
    )
    if found.returncode != 0:
        _missing(f"{distribution} is not installed in {python}: run scripts/install-contracts")
    _check_version(distribution, found.stdout.strip(), version)
    return python


@pytest.fixture(scope="session")
def tiny_tokenizer_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny Qwen2 tokenizer saved like a hub checkpoint (verl loads it by path)."""
    from rlvr.trainer.models import tiny_qwen2

    path = tmp_path_factory.mktemp("tiny-tokenizer")
    tiny_qwen2()[1].save_pretrained(path)
    return path
