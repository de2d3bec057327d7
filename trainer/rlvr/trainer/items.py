"""How a dataset record becomes a verifier item: its domain, reference and completion.

Every path that sends records to the service (the TRL rewards, the data jobs, evaluation)
reads them the same way: a ``reference`` field wins, otherwise the answer column becomes
``{"answer": ...}``; a record's own ``domain`` wins over the job's.
"""

from __future__ import annotations

from typing import Any

Record = dict[str, Any]


def reference_of(record: Record, answer_column: str = "answer") -> Any:
    """The verifier reference of a record: its ``reference``, else ``{"answer": ...}``.

    >>> reference_of({"answer": 4})
    {'answer': '4'}
    """
    if record.get("reference") is not None:
        return record["reference"]
    if record.get(answer_column) is not None:
        return {"answer": str(record[answer_column])}
    return None


def item_of(
    record: Record,
    item_id: str,
    domain: str,
    completion: Any = None,
    answer_column: str = "answer",
) -> Record:
    """The ``/verify`` item for ``record`` (its ``completion`` unless one is given).

    >>> item_of({"completion": "\\\\boxed{4}", "answer": 4}, "0", "math")
    {'id': '0', 'domain': 'math', 'completion': '\\\\boxed{4}', 'reference': {'answer': '4'}}
    """
    return {
        "id": item_id,
        "domain": record.get("domain") or domain,
        "completion": record["completion"] if completion is None else completion,
        "reference": reference_of(record, answer_column),
    }
