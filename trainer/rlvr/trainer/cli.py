"""``rlvr-data JOB`` (or ``python -m rlvr.trainer.cli JOB``): the data jobs and evaluations.

    python -m rlvr.trainer.cli generate prompts.jsonl samples.jsonl --backend vllm --model M -k 8
    python -m rlvr.trainer.cli rejection-sample samples.jsonl kept.jsonl --keep shortest
    python -m rlvr.trainer.cli pass-rate-filter samples.jsonl rl_prompts.parquet
    python -m rlvr.trainer.cli build-sft sft.jsonl --reasoning kept.jsonl --other chat.jsonl
    python -m rlvr.trainer.cli evaluate samples.jsonl --k 1 8
    python -m rlvr.trainer.cli budget prompts.jsonl --backend vllm --model M --budgets 512 2048

Inputs and outputs are ``.jsonl`` or ``.parquet``. The jobs that write a dataset show a
progress bar and are resumable: re-running the same command after a crash or Ctrl-C
continues where it stopped, with no record lost or written twice.
"""

from __future__ import annotations

import argparse
import json
from functools import partial
from pathlib import Path
from typing import Any

from .budget import Budget
from .client import VerifierClient
from .errors import RlvrError
from .evaluation import budget_report, evaluate
from .generation import Generator, Sampling, make_generator
from .jobs import filters, resumable
from .jobs.generate import generate_samples
from .jobs.records import read_records, write_records
from .jobs.sft_data import count_examples, sft_examples
from .models import load_tokenizer
from .prompts import R1_SYSTEM_PROMPT, Template, render


def _add_generator_options(job: argparse.ArgumentParser) -> None:
    job.add_argument("--backend", choices=["transformers", "vllm", "openai"], required=True)
    job.add_argument(
        "--model",
        required=True,
        help="path, hub name or tiny-qwen2; for openai: the served model name",
    )
    job.add_argument("--base-url", help="openai: base URL(s) ending in /v1, comma-separated")
    job.add_argument("--tokenizer", help="openai: tokenizer for the chat template")
    job.add_argument(
        "--template",
        choices=["chat", "r1", "raw"],
        help="default: chat if the tokenizer has a template, else r1",
    )
    job.add_argument("--system-prompt", default=R1_SYSTEM_PROMPT)
    job.add_argument("--prompt-column", default="prompt")
    job.add_argument("--device", default="cpu", help="transformers: cpu, cuda, …")
    job.add_argument("--batch-size", type=int, default=8, help="transformers: prompts per batch")
    job.add_argument("--tensor-parallel-size", type=int, default=1, help="vllm")
    job.add_argument("--temperature", type=float, default=None)
    job.add_argument("--top-p", type=float, default=1.0)
    job.add_argument("--seed", type=int, default=None)


def _generator(args: argparse.Namespace) -> tuple[Generator, Template, Any]:
    options: dict[str, Any] = {}
    if args.backend == "transformers":
        options = {"device": args.device, "batch_size": args.batch_size}
    elif args.backend == "vllm":
        options = {"tensor_parallel_size": args.tensor_parallel_size, "seed": args.seed or 0}
    elif not args.base_url:
        raise SystemExit("--backend openai needs --base-url (e.g. http://127.0.0.1:8001/v1)")
    else:
        options = {"base_url": args.base_url}
    generator = make_generator(args.backend, args.model, **options)
    tokenizer = getattr(generator, "tokenizer", None)
    if tokenizer is None and args.tokenizer:
        tokenizer = load_tokenizer(args.tokenizer)
    template: Template = args.template or (
        "chat" if getattr(tokenizer, "chat_template", None) else "r1"
    )
    return generator, template, tokenizer


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rlvr-data",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--url", help="verifier URL(s), comma-separated (default $RLVR_URL)")
    parser.add_argument("--domain", default="math", help="domain of records without one")
    jobs = parser.add_subparsers(dest="job", required=True)

    generate = jobs.add_parser("generate", help="k samples per prompt")
    _add_generator_options(generate)
    generate.add_argument("-k", "--samples", type=int, default=8, help="samples per prompt")
    generate.add_argument("--max-tokens", type=int, default=4096)
    generate.add_argument("--stop", nargs="*", default=[], help="stop strings (kept in the text)")
    generate.add_argument("--chunk", type=int, default=64, help="prompts per checkpoint")

    rejection = jobs.add_parser("rejection-sample", help="keep verified-correct completions")
    rejection.add_argument("--keep", choices=["all", "shortest", "one"], default="all")
    rejection.add_argument("--require-format", action="store_true")
    rejection.add_argument(
        "--min-language", type=float, default=None, help="minimum language_consistency"
    )
    band = jobs.add_parser("pass-rate-filter", help="keep prompts by pass rate over k samples")
    band.add_argument("--low", type=float, default=0.0)
    band.add_argument("--high", type=float, default=1.0)
    band.add_argument("--inclusive", action="store_true", help="keep the band's ends too")
    for job in (generate, rejection, band):
        job.add_argument("source", type=Path, help="input .jsonl or .parquet")
        job.add_argument("out", type=Path, help="output .jsonl or .parquet (resumable)")

    sft = jobs.add_parser("build-sft", help="combine sets into a chat-format SFT dataset")
    sft.add_argument("out", type=Path, help="output .jsonl or .parquet (resumable)")
    sft.add_argument("--reasoning", type=Path, nargs="*", default=[])
    sft.add_argument("--other", type=Path, nargs="*", default=[])
    sft.add_argument("--system-prompt", default=None)

    evaluation = jobs.add_parser("evaluate", help="pass@k and maj@k through /vote")
    evaluation.add_argument("source", type=Path)
    evaluation.add_argument("--k", type=int, nargs="+", default=[1])

    budget = jobs.add_parser("budget", help="accuracy per thinking budget (s1 budget forcing)")
    _add_generator_options(budget)
    budget.add_argument("source", type=Path, help="prompts with answer or reference")
    budget.add_argument("--budgets", type=int, nargs="+", required=True, help="thinking caps")
    budget.add_argument("--waits", type=int, nargs="+", default=[0], help="forced 'Wait's")
    budget.add_argument("--answer-tokens", type=int, default=64)
    budget.add_argument("--samples-out", type=Path, help="write every forced sample here")
    return parser


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    try:
        _run(args)
    except RlvrError as exc:  # a clear message, not a traceback, for what the user can fix
        raise SystemExit(f"rlvr-data {args.job}: {exc}") from exc


def _run(args: argparse.Namespace) -> None:
    if args.job == "build-sft":
        done = resumable.run(
            sft_examples(args.reasoning, args.other, args.system_prompt),
            args.out,
            lambda groups: [r for g in groups for r in g],
            chunk_groups=1024,
            description="build-sft",
            total=count_examples(args.reasoning, args.other),
        )
        print(f"build-sft: {done.inputs_done} examples in {args.out}")
    elif args.job == "generate":
        _generate(args)
    elif args.job == "budget":
        _budget(args)
    elif args.job == "evaluate":
        report = evaluate(args.source, VerifierClient(args.url), args.k, args.domain)
        print(json.dumps(report, indent=2))
    else:
        _filter(args)


def _generate(args: argparse.Namespace) -> None:
    generator, template, tokenizer = _generator(args)
    sampling = Sampling(
        n=args.samples,
        temperature=1.0 if args.temperature is None else args.temperature,
        top_p=args.top_p,
        max_tokens=args.max_tokens,
        seed=args.seed,
        stop=tuple(args.stop),
    )
    process = partial(
        generate_samples,
        generator=generator,
        sampling=sampling,
        template=template,
        tokenizer=tokenizer,
        prompt_column=args.prompt_column,
        system_prompt=args.system_prompt,
    )
    done = resumable.run(
        args.source, args.out, process, chunk_groups=args.chunk, description="generate"
    )
    print(f"generate: {done.inputs_done} prompts done; samples in {args.out}")


def _budget(args: argparse.Namespace) -> None:
    generator, template, tokenizer = _generator(args)
    records = list(read_records(args.source))
    report, samples = budget_report(
        generator,
        records,
        [Budget(b, w) for b in args.budgets for w in args.waits],
        VerifierClient(args.url),
        lambda r: render(r[args.prompt_column], template, tokenizer, args.system_prompt),
        domain=args.domain,
        sampling=Sampling(
            temperature=0.0 if args.temperature is None else args.temperature,
            top_p=args.top_p,
            seed=args.seed,
        ),
        answer_tokens=args.answer_tokens,
    )
    if args.samples_out:
        write_records(args.samples_out, samples)
    print(json.dumps(report, indent=2))


def _filter(args: argparse.Namespace) -> None:
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
