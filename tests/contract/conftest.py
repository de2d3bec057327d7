"""Contract tests: each trainer's own calling code, at a pinned version, against the live service.

verl and OpenRLHF come from ``scripts/install-contracts`` (``.contracts/site``, or
``RLVR_CONTRACT_SITE``), appended to ``sys.path`` so the project's own packages win; TRL is
the one in the venv. Without them a test is skipped, saying how to install them; with
``RLVR_REQUIRE_CONTRACTS=1`` (CI) it fails instead. A test that pins a version fails when
another is installed: the adapter was checked against that one.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

from ..conftest import ROOT

SITE = Path(os.environ.get("RLVR_CONTRACT_SITE", ROOT / ".contracts" / "site"))
if SITE.is_dir() and str(SITE) not in sys.path:
    sys.path.append(str(SITE))

RIGHT = "<think>\n2+2\n</think>\n<answer>\n\\boxed{4}\n</answer>"
WRONG = "<think>\n2+2\n</think>\n<answer>\n\\boxed{5}\n</answer>"


def pinned(distribution: str, version: str, module: str | None = None) -> ModuleType:
    """``module`` (default: the distribution's name) of ``distribution`` at ``version``."""
    try:
        found = importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        message = f"{distribution} is not installed: run scripts/install-contracts"
        if os.environ.get("RLVR_REQUIRE_CONTRACTS") == "1":
            pytest.fail(message)
        pytest.skip(message, allow_module_level=True)
    if found != version:
        pytest.fail(
            f"{distribution} {found} is installed, the adapter was checked against {version}: "
            "re-run scripts/install-contracts, or check the adapter against the new version "
            "and update the pin (tests/contract/requirements.txt) and README"
        )
    return importlib.import_module(module or distribution)


@pytest.fixture(scope="session")
def tiny_tokenizer_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny Qwen2 tokenizer saved like a hub checkpoint (verl loads it by path)."""
    from rlvr.trainer.models import tiny_qwen2

    path = tmp_path_factory.mktemp("tiny-tokenizer")
    tiny_qwen2()[1].save_pretrained(path)
    return path
