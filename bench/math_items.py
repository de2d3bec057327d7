"""Synthetic but realistic math items for the benchmark: GRPO-style groups of R1 completions.

Each prompt has a gold answer of one kind (integer, fraction, set, matrix, …) and a
group of completions: a unique stretch of reasoning inside ``<think>``, then the
answer written in one of several equivalent forms, or (about 20% of the time) a wrong
one. ``form`` says how the answer is given after the reasoning:

* ``tagged`` (the default, the benchmark's figures): ``<answer>The answer is
  $\\boxed{…}$.</answer>``;
* ``bare``: ``$…$`` alone on the last line, no tag, no box;
* ``marker``: ``#### …`` (GSM8K's own way).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

# kind → (gold, [equivalent forms], [wrong forms]) built from a random generator
Maker = Callable[[random.Random], tuple[str, list[str], list[str]]]


def _integer(r: random.Random) -> tuple[str, list[str], list[str]]:
    n = r.randint(2, 999)
    return str(n), [str(n), f"{n}.0", f"x = {n}"], [str(n + r.choice([-1, 1, 10]))]


def _fraction(r: random.Random) -> tuple[str, list[str], list[str]]:
    p, q = r.choice([(1, 2), (3, 4), (2, 5), (5, 8), (7, 4), (1, 8)])
    return (
        f"\\frac{{{p}}}{{{q}}}",
        [f"\\frac{{{p}}}{{{q}}}", f"{p}/{q}", str(p / q), f"\\dfrac{{{p}}}{{{q}}}"],
        [f"\\frac{{{q}}}{{{p}}}", str(round(p / q + 0.1, 3))],
    )


def _decimal(r: random.Random) -> tuple[str, list[str], list[str]]:
    x = r.randint(11, 99) / 4
    return str(x), [str(x), f"\\frac{{{int(x * 4)}}}{{4}}"], [str(x + 0.5)]


def _percent(r: random.Random) -> tuple[str, list[str], list[str]]:
    p = r.choice([5, 10, 20, 25, 40, 50, 75])
    return f"{p}\\%", [f"{p}\\%", str(p / 100)], [f"{p + 5}\\%"]


def _set(r: random.Random) -> tuple[str, list[str], list[str]]:
    a, b = sorted(r.sample(range(-9, 10), 2))
    return (
        f"\\{{{a}, {b}\\}}",
        [f"\\{{{b}, {a}\\}}", f"\\{{{a},{b}\\}}"],
        [f"\\{{{a}, {b + 1}\\}}"],
    )


def _interval(r: random.Random) -> tuple[str, list[str], list[str]]:
    a = r.randint(-5, 3)
    b = a + r.randint(1, 6)
    return f"({a}, {b}]", [f"({a},{b}]", f"\\left({a}, {b}\\right]"], [f"[{a}, {b}]"]


def _tuple(r: random.Random) -> tuple[str, list[str], list[str]]:
    a, b = r.randint(-9, 9), r.randint(10, 19)
    return f"({a}, {b})", [f"({a},{b})"], [f"({b}, {a})"]


def _matrix(r: random.Random) -> tuple[str, list[str], list[str]]:
    a, b, c, d = (r.randint(0, 9) for _ in range(4))
    body = f"{a}&{b}\\\\{c}&{d + 10}"
    swapped = f"{b}&{a}\\\\{c}&{d + 10}" if a != b else f"{a}&{b}\\\\{c}&{d + 11}"
    return (
        f"\\begin{{pmatrix}}{body}\\end{{pmatrix}}",
        [f"\\begin{{pmatrix}}{body}\\end{{pmatrix}}", f"\\begin{{bmatrix}}{body}\\end{{bmatrix}}"],
        [f"\\begin{{pmatrix}}{swapped}\\end{{pmatrix}}"],
    )


def _equation(r: random.Random) -> tuple[str, list[str], list[str]]:
    m, c = r.randint(2, 9), r.randint(1, 9)
    return f"y = {m}x + {c}", [f"y={m}x+{c}", f"y = {c} + {m}x"], [f"y = {m}x - {c}"]


def _radical(r: random.Random) -> tuple[str, list[str], list[str]]:
    k, n = r.choice([(2, 3), (3, 2), (2, 5), (3, 5)])
    return (
        f"{k}\\sqrt{{{n}}}",
        [f"{k}\\sqrt{{{n}}}", f"\\sqrt{{{k * k * n}}}"],
        [f"{n}\\sqrt{{{k}}}"],
    )


def _pi(r: random.Random) -> tuple[str, list[str], list[str]]:
    q = r.choice([2, 3, 4, 6])
    return (
        f"\\frac{{\\pi}}{{{q}}}",
        [f"\\frac{{\\pi}}{{{q}}}", f"\\pi/{q}"],
        [f"\\frac{{\\pi}}{{{q * 2}}}"],
    )


def _units(r: random.Random) -> tuple[str, list[str], list[str]]:
    n = r.randint(2, 99)
    return str(n), [f"{n}\\text{{ cm}}", f"{n} \\text{{cm}}"], [f"{n + 1}\\text{{ cm}}"]


def _polynomial(r: random.Random) -> tuple[str, list[str], list[str]]:
    a = r.randint(1, 9)
    return (f"x^2 - {a * a}", [f"(x-{a})(x+{a})", f"x^{{2}}-{a * a}"], [f"(x-{a})^2"])


KINDS: dict[str, Maker] = {
    "integer": _integer,
    "fraction": _fraction,
    "decimal": _decimal,
    "percent": _percent,
    "set": _set,
    "interval": _interval,
    "tuple": _tuple,
    "matrix": _matrix,
    "equation": _equation,
    "radical": _radical,
    "pi": _pi,
    "units": _units,
    "polynomial": _polynomial,
}
_STEPS = [
    "Let me set up the problem. We have {a} and {b}, so the sum is {c}.",
    "Wait, I should double-check: {a} times {b} gives {d}, not {c}.",
    "Hmm, maybe try another approach. Suppose $x = {a}$; then $x^2 = {e}$.",
    "Let me verify this step by step. First, {b} - {a} = {f}. Next, divide by 2.",
    "So far we know the intermediate value is ${c}$. Now simplify the expression.",
    "Actually, let me reconsider the constraint that $n > {a}$. It still holds.",
]


@dataclass(frozen=True)
class MathItem:
    id: str
    kind: str
    gold: str
    completion: str
    correct: bool  # whether the written answer was drawn from the equivalent forms


def _reasoning(r: random.Random) -> str:
    steps = []
    for _ in range(r.randint(6, 14)):
        a, b = r.randint(2, 99), r.randint(2, 99)
        steps.append(r.choice(_STEPS).format(a=a, b=b, c=a + b, d=a * b, e=a * a, f=b - a))
    return "\n".join(steps)


FORMS = {
    "tagged": "<answer>\nThe answer is $\\boxed{{{answer}}}$.\n</answer>",
    "bare": "${answer}$",
    "marker": "#### {answer}",
}


def make_items(
    n: int,
    group_size: int = 8,
    wrong_rate: float = 0.2,
    seed: int = 0,
    form: str = "tagged",
    duplicate_rate: float = 0.0,
) -> list[MathItem]:
    """``n`` items in groups of ``group_size`` completions sharing a prompt and gold answer.

    With ``duplicate_rate``, that share of the samples after a group's first repeats an
    earlier sample of the group word for word (as a policy sampling at low temperature, or
    one that has converged on a prompt, does): GRPO batches repeat themselves.
    """
    r = random.Random(seed)
    items: list[MathItem] = []
    kinds = list(KINDS)
    prompt = 0
    while len(items) < n:
        kind = kinds[prompt % len(kinds)]
        gold, right, wrong = KINDS[kind](r)
        group: list[MathItem] = []
        for sample in range(min(group_size, n - len(items))):
            # (no draw at all without duplicates: a seed gives the items it always gave)
            if duplicate_rate > 0 and group and r.random() < duplicate_rate:
                copy = r.choice(group)
                name = f"p{prompt}-s{sample}"
                items.append(MathItem(name, kind, gold, copy.completion, copy.correct))
                continue
            correct = r.random() >= wrong_rate
            answer = r.choice(right if correct else wrong)
            completion = f"<think>\n{_reasoning(r)}\n</think>\n" + FORMS[form].format(answer=answer)
            group.append(MathItem(f"p{prompt}-s{sample}", kind, gold, completion, correct))
            items.append(group[-1])
        prompt += 1
    return items
