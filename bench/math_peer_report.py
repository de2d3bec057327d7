"""Report: our math verdicts against the public peer regression suites, side by side with
math-verify, per suite and per answer form, and every case where we disagree.

Scorers, each against the suites' expected verdicts (``tests/data/math_peer_suites.json``):

* ours — the worker's scoring path (``score_item``, as ``POST /verify`` runs it), in process;
* POST /verify — the service started by this script (sandbox off), on a sample of the cases;
* math-verify — ``verify(parse(gold), parse(prediction))`` in process, its defaults;
* as the suite calls it — the math-verify call each suite's test makes (math-verify's own
  cases: its match types, precision, strictness), a check that the fixture is faithful;
* before — with ``--before PATH``: ours from another checkout (e.g. the main branch), in a
  child process, for a before/after comparison in one run.

Each case is sent bare (as the suite wrote the prediction) and in ``<answer>…</answer>``.

    python bench/math_peer_report.py                          # every suite, 200 over HTTP
    python bench/math_peer_report.py --http-sample -1 --before /work/main
    python bench/math_peer_report.py --suite math-verify --http-sample 0
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import httpx
from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
from tests.unit.verifier.domains.maths.peer_suites import (  # noqa: E402
    FORMS,
    Case,
    Verdict,
    load_cases,
    math_verify_as_tested,
    outcome_verdict,
    score_cases,
    tally,
)

from service import free_port, source_path, start_service  # noqa: E402

Keyed = dict[tuple[str, str], Verdict]


def over_http(cases: list[Case], sample: int, seed: int) -> Keyed:
    """Verdicts of ``POST /verify`` for ``sample`` cases (-1: all), both forms."""
    chosen = cases if sample < 0 else random.Random(seed).sample(cases, min(sample, len(cases)))
    if not chosen:
        return {}
    items = [(case, form, wrap(case.prediction)) for case in chosen for form, wrap in FORMS.items()]
    port = free_port()
    process = start_service(port, sandbox_backend="off")
    verdicts: Keyed = {}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600) as client:
            for start in tqdm(range(0, len(items), 200), desc="POST /verify", unit="batch"):
                batch = items[start : start + 200]
                body = {
                    "items": [
                        {
                            "id": str(i),
                            "domain": "math",
                            "completion": completion,
                            "reference": {"answer": case.gold},
                        }
                        for i, (case, _, completion) in enumerate(batch)
                    ],
                    "rewards": ["accuracy"],
                }
                response = client.post("/verify", json=body)
                response.raise_for_status()
                for (case, form, _), result in zip(batch, response.json()["results"], strict=True):
                    code = (result.get("error") or {}).get("code")
                    accuracy = result["scores"].get("accuracy")
                    verdicts[case.id, form] = outcome_verdict(result["status"], accuracy, code)
    finally:
        process.terminate()
        process.wait(timeout=30)
    return verdicts


def before(checkout: Path, suite: str | None) -> Keyed:
    """Our in-process verdicts from another checkout of the service (a child process that
    imports that checkout's code and this checkout's fixture)."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([source_path(checkout), str(ROOT)]),
        "RLVR_SANDBOX_BACKEND": "off",
    }
    command = [sys.executable, str(Path(__file__).resolve()), "--emit-ours"]
    command += ["--suite", suite] if suite else []
    print(f"scoring with the code of {checkout} (a child process)…", file=sys.stderr)
    output = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    return {(row[0], row[1]): row[2] for row in json.loads(output)}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--suite", help="one suite only (math-verify, trl, areal, …)")
    parser.add_argument("--http-sample", type=int, default=200, help="cases over HTTP; -1 all")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--before", type=Path, help="a checkout to compare with (its code)")
    parser.add_argument("--emit-ours", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    cases = [c for c in load_cases() if args.suite in (None, c.suite)]
    if not cases:
        raise SystemExit(f"no cases for suite {args.suite!r}; see tests/data/math_peer_suites.json")
    if args.emit_ours:  # the child process of --before
        rows = score_cases(cases)
        json.dump([(r.case.id, r.form, r.ours) for r in rows], sys.stdout)
        return
    with tqdm(total=len(cases), desc="in process", unit="case") as bar:
        rows = score_cases(cases, bar.update)
    extra: dict[str, Keyed] = {
        "as the suite calls it": {
            (c.id, form): math_verify_as_tested(c) for c in cases for form in FORMS
        }
    }
    if args.http_sample:
        extra["POST /verify"] = over_http(cases, args.http_sample, args.seed)
    if args.before is not None:
        extra["before"] = before(args.before, args.suite)
    counts = tally(rows, **extra)
    scorers = ["ours", *(["before"] if "before" in extra else [])]
    scorers += [name for name in ("POST /verify",) if name in extra]
    scorers += ["math-verify", "as the suite calls it"]
    print(
        f"\nAgreement with the suites' expected verdicts ({len(cases)} cases, each in "
        f"{len(FORMS)} forms: {', '.join(FORMS)}):\n"
    )
    print(counts.table(scorers))
    missed = [row for row in rows if not row.agrees]
    print(f"\n{len(missed)} disagreements of ours (case, form, verdicts, what we read):\n")
    for row in missed:
        print(row.describe())
    if "before" in extra:
        changed = [r for r in rows if extra["before"].get((r.case.id, r.form), r.ours) != r.ours]
        print(f"\n{len(changed)} verdicts changed since --before:")
        for row in changed:
            was = extra["before"][row.case.id, row.form]
            print(f"  {row.case.id} [{row.form}] expected {row.case.expected}: {was} -> {row.ours}")


if __name__ == "__main__":
    main()
