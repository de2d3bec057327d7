"""Imported once by the forkserver that every scoring worker is forked from: importing this
module loads the parsers and runs items through them (about two seconds of first-use
set-up in math-verify's grammar and pint's unit registry, five for importing
reasoning-gym), so that no worker, first or replacement, pays it again. Without it, a
replacement worker would spend its first item's time limit importing, time out, be
recycled, and the next one would start cold again.

Nothing else imports this module; its import is its purpose.
"""

from __future__ import annotations

import reasoning_gym.factory  # noqa: F401  (the logic domain's task sets)

from . import tasks, voting  # noqa: F401  (what workers run: imported once, here)
from .domains import build_domains
from .scoring import Job, ScoringPlan, score_item

_DOMAINS = build_domains()
for _job in (
    Job("math", "\\boxed{\\frac{1}{2}}", {"answer": "x^2"}),  # math-verify's grammar
    Job("science", "\\boxed{9.8 m/s^2}", {"value": 9.8, "unit": "m/s^2"}),  # pint's registry
):
    score_item(_job, ScoringPlan(), _DOMAINS)
