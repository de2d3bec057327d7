"""protos/verifier.schema.json must match the API models, and name every error code used."""

from __future__ import annotations

import json
import re
from pathlib import Path

from rlvr.verifier import contract

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


def test_every_error_code_in_the_code_is_in_the_contract() -> None:
    text = "\n".join(path.read_text() for path in SOURCES.rglob("*.py"))
    item_codes = set(re.findall(r'Outcome\.failed\(\s*"([a-z_]+)"', text))
    item_codes |= set(re.findall(r'^\s+code = "([a-z_]+)"', text, flags=re.MULTILINE))
    request_codes = set(re.findall(r'(?:ApiError|error_response)\(\s*\d+,\s*"([a-z_]+)"', text))
    request_codes |= set(re.findall(r'\d+: "([a-z_]+)"', text))
    assert item_codes and request_codes
    assert item_codes <= set(contract.ITEM_ERROR_CODES)
    assert request_codes <= set(contract.REQUEST_ERROR_CODES)


def test_request_body_schema_describes_items() -> None:
    bodies = contract.build_contract()["bodies"]
    assert bodies["POST /verify request"] == {"$ref": "#/$defs/VerifyRequest"}
    defs = contract.build_contract()["$defs"]
    assert set(defs["VerifyItem"]["required"]) == {"id", "domain", "completion"}
    assert "InvalidItem" not in defs
