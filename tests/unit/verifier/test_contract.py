"""protos/verifier.schema.json must match the API models, and name every error code used."""

from __future__ import annotations

import json
import re
from pathlib import Path

from rlvr.verifier import contract
from rlvr.verifier.vocabulary import BLAME, REQUEST_ERRORS, ErrorCode

ROOT = Path(__file__).resolve().parents[3]
PROTO = ROOT / "protos" / "verifier.schema.json"
SOURCES = ROOT / "services" / "rlvr" / "verifier"


def test_committed_contract_matches_the_models() -> None:
    assert json.loads(PROTO.read_text()) == contract.build_contract(), (
        "protos/verifier.schema.json is stale: run "
        "`python -m rlvr.verifier.contract > protos/verifier.schema.json` and commit it"
    )


def test_contract_is_rendered_deterministically() -> None:
    assert contract.render() == contract.render()


def _sources() -> str:
    return "\n".join(path.read_text() for path in SOURCES.rglob("*.py"))


def test_codes_are_never_string_literals() -> None:
    text = _sources()
    literals = re.findall(r'(?:Outcome\.failed|ApiError|error_response)\(\s*"[a-z_]+"', text)
    literals += re.findall(r'^\s+code = "[a-z_]+"', text, flags=re.MULTILINE)
    literals += re.findall(r'"code": "[a-z_]+"', text)
    assert literals == [], "use rlvr.verifier.vocabulary.ErrorCode"


def test_the_contract_lists_every_code_with_its_status_or_blame() -> None:
    codes = contract.build_contract()["error_codes"]
    assert codes["request"] == {code.value: status for code, status in REQUEST_ERRORS.items()}
    assert codes["item"] == {code.value: blame.value for code, blame in BLAME.items()}
    assert set(codes["request"]) | set(codes["item"]) == {code.value for code in ErrorCode}


def test_every_code_is_emitted_somewhere() -> None:
    text = "\n".join(
        path.read_text() for path in SOURCES.rglob("*.py") if path.name != "vocabulary.py"
    )
    unused = [code.name for code in ErrorCode if f"ErrorCode.{code.name}" not in text]
    assert unused == [], "a code nobody emits: remove it from the vocabulary"


def test_request_body_schema_describes_items() -> None:
    bodies = contract.build_contract()["bodies"]
    assert bodies["POST /verify request"] == {"$ref": "#/$defs/VerifyRequest"}
    defs = contract.build_contract()["$defs"]
    assert set(defs["VerifyItem"]["required"]) == {"id", "domain", "completion"}
    assert "InvalidItem" not in defs
