"""The ``rlvr-verifiers`` taskset for verifiers' v1 loader, which imports a taskset id as a
top-level module and takes the ``Taskset`` subclass it exports in ``__all__``.

The class is built on first access (PEP 562), so importing this package needs no verifiers;
everything lives in :mod:`rlvr.trainer.verifiers`.
"""

from typing import Any

__all__ = ["RlvrTaskset"]


def __getattr__(name: str) -> Any:
    if name == "RlvrTaskset":
        from rlvr.trainer.verifiers import taskset_class

        return taskset_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
