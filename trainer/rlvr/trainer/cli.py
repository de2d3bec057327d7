"""``python -m rlvr.trainer.cli JOB``: the data jobs, each resumable with a progress bar.

    python -m rlvr.trainer.cli rejection-sample samples.jsonl kept.jsonl --keep shortest
    python -m rlvr.trainer.cli pass-rate-filter samples.jsonl prompts.jsonl --low 0 --high 1

Re-running the same command after a crash or Ctrl-C continues where it stopped.
"""

from __future__ import annotations

import argparse
from functools import partial
from pathlib import Path

from .client import VerifierClient
from .jobs import filters, resumable


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
    args = parser.parse_args(argv)

    client = VerifierClient(args.url)
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
