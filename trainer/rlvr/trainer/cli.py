"""``python -m rlvr.trainer.cli JOB``: the data jobs, each resumable with a progress bar.

    python -m rlvr.trainer.cli rejection-sample samples.jsonl kept.jsonl --keep shortest
    python -m rlvr.trainer.cli pass-rate-filter samples.jsonl prompts.jsonl --low 0 --high 1
    python -m rlvr.trainer.cli build-sft sft.jsonl --reasoning kept.jsonl --other chat.jsonl
    python -m rlvr.trainer.cli evaluate samples.jsonl --k 1 8

Re-running the same command after a crash or Ctrl-C continues where it stopped.
"""

from __future__ import annotations

import argparse
import json
from functools import partial
from pathlib import Path

from .client import VerifierClient
from .evaluation import evaluate
from .jobs import filters, resumable
from .jobs.sft import build_sft


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m rlvr.trainer.cli", description=__doc__)
    parser.add_argument("--url", help="verifier URL(s), comma-separated (default $RLVR_URL)")
    parser.add_argument("--domain", default="math", help="domain of records without one")
    jobs = parser.add_subparsers(dest="job", required=True)
    rejection = jobs.add_parser("rejection-sample", help="keep verified-correct completions")
    rejection.add_argument("--keep", choices=["all", "shortest", "one"], default="all")
    rejection.add_argument("--require-format", action="store_true")
    rejection.add_argument(
        "--min-language",
        type=float,
        default=None,
        help="minimum language_consistency of the reasoning",
    )
    band = jobs.add_parser("pass-rate-filter", help="keep prompts by pass rate over k samples")
    band.add_argument("--low", type=float, default=0.0)
    band.add_argument("--high", type=float, default=1.0)
    band.add_argument("--inclusive", action="store_true", help="keep the band's ends too")
    for job in (rejection, band):
        job.add_argument("source", type=Path, help="input JSONL")
        job.add_argument("out", type=Path, help="output JSONL (appended to, resumable)")
    sft = jobs.add_parser("build-sft", help="combine sets into a chat-format SFT dataset")
    sft.add_argument("out", type=Path)
    sft.add_argument("--reasoning", type=Path, nargs="*", default=[])
    sft.add_argument("--other", type=Path, nargs="*", default=[])
    sft.add_argument("--system-prompt", default=None)
    evaluation_job = jobs.add_parser("evaluate", help="pass@k and maj@k through /vote")
    evaluation_job.add_argument("source", type=Path)
    evaluation_job.add_argument("--k", type=int, nargs="+", default=[1])
    args = parser.parse_args(argv)

    if args.job == "build-sft":
        examples = build_sft(args.reasoning, args.other, args.system_prompt)
        args.out.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in examples))
        print(f"build-sft: {len(examples)} examples in {args.out}")
        return
    client = VerifierClient(args.url)
    if args.job == "evaluate":
        print(json.dumps(evaluate(args.source, client, args.k, args.domain), indent=2))
        return
    if args.job == "rejection-sample":
        process = partial(
            filters.rejection_sample,
            client=client,
            domain=args.domain,
            keep=args.keep,
            require_format=args.require_format,
            min_language=args.min_language,
        )
    else:
        process = partial(
            filters.pass_rate_filter,
            client=client,
            domain=args.domain,
            low=args.low,
            high=args.high,
            exclusive=not args.inclusive,
        )
    done = resumable.run(
        args.source, args.out, process, group_key=lambda r: r.get("prompt"), description=args.job
    )
    print(f"{args.job}: {done.inputs_done} input records done; output {args.out}")


if __name__ == "__main__":
    main()
