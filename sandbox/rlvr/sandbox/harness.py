"""The program's side of a function-call or assertion test (stdlib only).

Runs *inside* the untrusted process, as the program's uid: it loads the program as a
module named ``solution`` and then answers the judge's calls. Nothing here is trusted:
the program may rewrite any of it. What protects the verdict is the other side: the
judge reads only plain data (:mod:`.wire`) and checks every answer's id (:mod:`.rpc`).

    python3 -I -B -c "<add the sandbox to sys.path>; harness.main()" SOURCE FD

or, faster, in a child of the executor's clean pre-started interpreter (:mod:`.zygote`).
"""

from __future__ import annotations

import builtins
import sys
import types

from .rpc import Endpoint, Violation
from .wire import NotPlainData, from_plain, to_plain

TYPE_CHECKING = False  # not typing's: a program's startup stays short without it
if TYPE_CHECKING:
    from typing import Any

    from .rpc import Message


class Program:
    """The loaded program and the calls the judge makes into it."""

    def __init__(self, module: types.ModuleType) -> None:
        self.module = module
        self.endpoint: Endpoint | None = None
        self._solution: Any = None

    def function(self, name: str) -> Any:
        namespace = self.module.__dict__
        if name in namespace:
            return namespace[name]
        if isinstance(namespace.get("Solution"), type):  # LeetCode style
            if self._solution is None:
                self._solution = namespace["Solution"]()
            return getattr(self._solution, name)
        raise NameError(f"the program defines no function {name!r}")

    def _callback(self, handle: Any) -> Any:
        def stub(*args: Any, **kwargs: Any) -> Any:
            assert self.endpoint is not None
            answer = self.endpoint.request(
                {
                    "op": "callback",
                    "handle": handle,
                    "args": to_plain(args),
                    "kwargs": to_plain(kwargs),
                }
            )
            if answer["op"] == "return":
                return from_plain(answer.get("value"))
            raise _rebuilt(answer)

        return stub

    def serve(self, message: Message) -> Message:
        op = message["op"]
        if op == "describe":
            return {"op": "return", "value": self.describe(message.get("names"))}
        if op != "call":
            raise Violation(f"unexpected request {op!r}")
        try:
            tags = {"$callable": self._callback}
            args = from_plain(message.get("args"), tags)
            kwargs = from_plain(message.get("kwargs"), tags)
            result = self.function(str(message.get("name")))(*args, **kwargs)
            return {"op": "return", "value": to_plain(result)}
        except Violation:
            raise
        except NotPlainData as exc:
            return _raised(TypeError(f"the result cannot be returned as plain data: {exc}"))
        except BaseException as exc:  # SystemExit too: it is the call's answer
            return _raised(exc)

    def describe(self, names: Any) -> dict[str, Any]:
        """Which of ``names`` the program defines: callables, and plain-data values."""
        found: dict[str, Any] = {}
        for name in names if isinstance(names, list) else []:
            if not isinstance(name, str) or name not in self.module.__dict__:
                continue
            value = self.module.__dict__[name]
            if callable(value):
                found[name] = {"callable": True}
                continue
            try:
                found[name] = {"value": to_plain(value)}
            except NotPlainData:
                continue
        return found


def _raised(exc: BaseException) -> Message:
    import traceback  # only on failures: a program's startup stays short

    message = str(exc)[:2000]
    traceback.print_exception(exc, file=sys.stderr)
    return {"op": "raise", "type": type(exc).__name__, "message": message}


def _rebuilt(answer: Message) -> BaseException:
    kind = getattr(builtins, str(answer.get("type")), None)
    message = str(answer.get("message", ""))
    if isinstance(kind, type) and issubclass(kind, Exception):
        return kind(message)
    return RuntimeError(f"{answer.get('type')}: {message}")


def serve(source_path: str, fd: int) -> None:
    """Load the program from ``source_path``, then answer the judge on ``fd`` until it is
    done with us."""
    sys.set_int_max_str_digits(0)
    sys.argv = [source_path]
    module = types.ModuleType("solution")
    module.__file__ = source_path
    sys.modules["solution"] = module
    program = Program(module)
    endpoint = Endpoint(fd, program.serve, prefix="p")
    program.endpoint = endpoint
    try:
        with open(source_path, encoding="utf-8") as source:
            exec(compile(source.read(), source_path, "exec"), module.__dict__)
    except BaseException as exc:  # the program failed to load: say so
        endpoint.send({**_raised(exc), "op": "loaded", "ok": False})
        sys.exit(1)
    endpoint.send({"op": "loaded", "ok": True})
    try:
        while True:
            endpoint.serve_one(endpoint.receive())
    except Violation:
        pass  # the judge is done with us (or gone)


def main() -> None:
    serve(sys.argv[1], int(sys.argv[2]))
