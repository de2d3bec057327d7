"""Refresh ``math_peer_suites.json``: the public (gold, prediction, verdict) regression cases
of the field, each with its origin.

    python tests/data/collect_math_peer_suites.py            # downloads the sdist with pip
    python tests/data/collect_math_peer_suites.py --sdist math_verify-0.9.0.tar.gz

The file holds two kinds of cases:

* ``source: math-verify-sdist`` — every ``pytest.mark.parametrize`` case of the test
  modules shipped in math-verify's 0.9.0 sdist, read from pytest's own marks (nothing is
  retyped), with the math-verify call each test makes (``options``). This script
  regenerates them.
* every other source — cases listed by hand from the suites' files, each with its path
  and commit: what math-verify's repository added or corrected after 0.9.0, and the math
  reward tests of TRL, open-r1, verl, AReaL, NeMo-Skills and Qwen2.5-Math (plain test
  functions rather than parametrized tables). This script keeps them as they are; a hand
  case replaces a generated one with the same gold, prediction and options.

``expected`` is the suite's verdict: 1 right, 0 wrong, ``null`` the gold cannot be scored
(the reward function returns None; here: ``invalid_reference``, ``reward: null``).
Short test strings are kept as test data with their source named; no code is copied.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import inspect
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

OUT = Path(__file__).with_name("math_peer_suites.json")
GENERATED = "math-verify-sdist"
MV_VERSION = "0.9.0"
LATEX = ["latex"]
BOTH = ["latex", "expr"]
# test module → test function → the math-verify call it makes (its compare_strings helper
# with these match types; precision 6, strict, no set-relation comparison unless given)
MV_CALLS: dict[str, dict[str, dict[str, Any]]] = {
    "test_all": {
        "test_number_extraction": {"match_types": ["expr"]},
        "test_simple_fraction_notation": {"match_types": BOTH},
        "test_sets_handling": {"match_types": BOTH},
        "test_latex_notation": {"match_types": LATEX},
        "test_percent_notation": {"match_types": BOTH},
        "test_latex_notation_math": {"match_types": LATEX},
        "test_relations_math": {"match_types": LATEX},
        "test_matrix_extraction": {"match_types": LATEX},
        "test_complex_math_expressions": {"match_types": BOTH},
        "test_math_extraction_edge_cases": {"match_types": BOTH},
        "test_math_extraction_additional_cases": {"match_types": BOTH},
        "test_set_rel_assymetry": {"match_types": LATEX},
        "test_float_precision": {"match_types": BOTH, "precision": 5},
        "test_sqrt_precision": {"match_types": BOTH, "precision": 5},
        "test_symbols": {"match_types": BOTH, "precision": 5},
    },
    "test_boxed": {"test_boxed": {"match_types": BOTH}},
    "test_numina_cases": {"test_numina_cases": {"match_types": BOTH}},
    "test_open_thoughts": {"test_open_thoughts": {"match_types": BOTH}},
    "test_strict": {"test_strict_variable_comparison": {"match_types": BOTH}},
    "test_yujianll": {"test_string_extraction": {"call": "verify(parse(gold), parse(pred))"}},
}
# Where math-verify's repository holds the same cases (checked file by file).
MV_COMMITS = {
    "test_all": "cf14bc47e798017458fa7f60138da640065351ce",
    "test_yujianll": "056ad6253a41b01e49072623b7e2c88ded7d82af",
}


def _download(workdir: Path) -> Path:
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:"]
    subprocess.run([*command, f"math-verify=={MV_VERSION}", "-d", str(workdir)], check=True)
    return workdir / f"math_verify-{MV_VERSION}.tar.gz"


def _rows(module: Any, calls: dict[str, dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """(test function, parameters) of every parametrized case in ``module``."""
    rows = []
    for name, function in inspect.getmembers(module, inspect.isfunction):
        for mark in getattr(function, "pytestmark", []):
            if function.__module__ == module.__name__ and mark.name == "parametrize":
                names = [n.strip() for n in mark.args[0].split(",")]
                rows += [(name, dict(zip(names, v, strict=True))) for v in mark.args[1]]
    assert {name for name, _ in rows} == set(calls), f"{module.__name__}: new test functions"
    return rows


def generated_cases(sdist: Path, workdir: Path) -> list[dict[str, Any]]:
    with tarfile.open(sdist) as archive:
        archive.extractall(workdir, filter="data")
    sys.path.insert(0, str(workdir / f"math_verify-{MV_VERSION}"))  # its tests/ package
    cases = []
    for module_name, calls in MV_CALLS.items():
        module = importlib.import_module(f"tests.{module_name}")
        path = f"tests/{module_name}.py"
        for name, row in _rows(module, calls):
            verdict = row.pop("expected", row.pop("result", None))
            options = {**calls[name]}
            options.update({k: row.pop(k) for k in list(row) if k not in ("gold", "pred")})
            case = {
                "suite": "math-verify",
                "source": GENERATED,
                "test": f"{path}::{name}",
                "gold": row["gold"],
                "prediction": row["pred"],
                "expected": int(verdict),
                "options": options,
                "path": path,
            }
            if module_name in MV_COMMITS:
                case["commit"] = MV_COMMITS[module_name]
            cases.append(case)
    return cases


def _key(case: dict[str, Any]) -> tuple[str, str, str, str]:
    options = json.dumps(case.get("options"), sort_keys=True)
    return case["suite"], case["gold"], case["prediction"], options


def write(data: dict[str, Any]) -> None:
    """One case per line, so that a change to a case is a one-line diff."""
    header = {key: value for key, value in data.items() if key != "cases"}
    head = json.dumps(header, indent=1, ensure_ascii=False)[:-2]
    lines = ",\n".join(json.dumps(case, ensure_ascii=False) for case in data["cases"])
    OUT.write_text(f'{head},\n "cases": [\n{lines}\n]}}\n', encoding="utf-8")
    assert json.loads(OUT.read_text(encoding="utf-8")) == data


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sdist", type=Path, help="a downloaded math_verify sdist")
    args = parser.parse_args()
    data = json.loads(OUT.read_text(encoding="utf-8"))
    by_hand = [case for case in data["cases"] if case["source"] != GENERATED]
    with tempfile.TemporaryDirectory() as tmp:
        sdist = args.sdist or _download(Path(tmp))
        generated = generated_cases(sdist, Path(tmp))
    data["sources"][GENERATED]["sha256"] = hashlib.sha256(sdist.read_bytes()).hexdigest()
    replaced = {_key(case) for case in by_hand}
    cases: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for case in [c for c in generated if _key(c) not in replaced] + by_hand:
        cases.setdefault(_key(case), case)  # a suite that lists a case twice counts it once
    data["cases"] = list(cases.values())
    for number, case in enumerate(data["cases"]):
        case["id"] = f"{case['suite']}-{number:04d}"
    write(data)
    print(f"{len(data['cases'])} cases ({len(generated)} generated) → {OUT}")


if __name__ == "__main__":
    main()
