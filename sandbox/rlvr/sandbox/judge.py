"""The trusted judge of function-call and assertion tests (stdlib only).

The executor forks it for each run, under its own uid and non-dumpable, so the program
(another uid) can neither read nor signal it. The dataset's ``check`` (or the expected
value of a call) lives only here; the program is reached through :class:`Remote`
proxies: arguments go out as plain data, answers come back as plain data
(:mod:`.wire`) and become built-in values of the judge's own making.

A run passes only when the check ran to its end without an exception and the program
never broke the protocol. Its verdict is one JSON line on a pipe only the judge holds.
"""

from __future__ import annotations

import builtins
import math
import socket
import traceback
import types
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .protocol import Job, Run
from .rpc import Endpoint, Violation
from .wire import NotPlainData, as_json_value, from_plain, to_plain

if TYPE_CHECKING:
    from .rpc import Message

# Raised from the program's answer in the judge only as these built-in types (a test
# may expect them); StopIteration would end an `all(map(...))` early, so it never is.
_NEVER_REBUILT = (StopIteration, StopAsyncIteration)


class Uncrossable(BaseException):
    """A test passed the program an argument that cannot cross as plain data."""


class RemoteError(Exception):
    """The program raised an exception that the judge does not rebuild as a built-in."""


class Link:
    """The judge's end of the channel: calls into the program, callbacks out of it."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock  # keeps the fd open for the endpoint
        self.endpoint = Endpoint(sock.fileno(), self._serve, prefix="j", strict=True)
        self.calls = 0
        self.broken: str | None = None
        self.used: set[str] = set()  # program-defined names the test called
        self._handles: dict[int, Callable[..., Any]] = {}

    def _handle_of(self, value: Any) -> Any:
        if not callable(value):
            raise Uncrossable(f"a test argument of type {type(value).__name__} cannot cross")
        handle = len(self._handles)
        self._handles[handle] = value
        return {"$callable": handle}

    def _serve(self, message: Message) -> Message:
        """A callback from the program into a callable the test passed it."""
        handle = message.get("handle")
        if message["op"] != "callback" or not isinstance(handle, int):
            raise Violation("the program sent a request the judge does not take")
        if handle not in self._handles:
            raise Violation("the program called back a function it was never given")
        try:
            args = from_plain(message.get("args"))
            kwargs = from_plain(message.get("kwargs"))
            value = self._handles[handle](*args, **kwargs)
            return {"op": "return", "value": to_plain(value, self._handle_of)}
        except NotPlainData as exc:
            raise Violation(f"the program's callback arguments are not plain data: {exc}") from exc
        except Exception as exc:
            return {"op": "raise", "type": type(exc).__name__, "message": str(exc)[:500]}

    def request(self, message: Message) -> Message:
        if self.broken is not None:
            raise Violation(self.broken)
        try:
            return self.endpoint.request(message)
        except Violation as exc:
            self.broken = str(exc)
            raise

    def loaded(self) -> Message:
        try:
            message = self.endpoint.receive()
        except Violation as exc:
            self.broken = f"the program ended before it loaded: {exc}"
            raise Violation(self.broken) from exc
        if message["op"] != "loaded":
            self.broken = "the program spoke before it loaded"
            raise Violation(self.broken)
        return message

    def describe(self, names: list[str]) -> dict[str, Any]:
        answer = self.request({"op": "describe", "names": names})
        found = answer.get("value") if answer["op"] == "return" else None
        return found if isinstance(found, dict) else {}

    def call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        self.calls += 1
        message = {
            "op": "call",
            "name": name,
            "args": to_plain(args, self._handle_of),
            "kwargs": to_plain(kwargs, self._handle_of),
        }
        answer = self.request(message)
        if answer["op"] == "raise":
            raise _rebuilt(answer)
        try:
            return from_plain(answer.get("value"))
        except NotPlainData as exc:
            self.broken = f"the program answered with something that is not plain data: {exc}"
            raise Violation(self.broken) from exc


class Remote:
    """A function of the program, called from the judge."""

    def __init__(self, link: Link, name: str, helper: bool = False) -> None:
        self._link, self._name, self._helper = link, name, helper
        self.__name__ = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._helper:
            self._link.used.add(self._name)
        return self._link.call(self._name, args, kwargs)

    def __repr__(self) -> str:
        return f"<function {self._name} of the program>"


def _rebuilt(answer: Message) -> Exception:
    name, message = str(answer.get("type")), str(answer.get("message", ""))[:500]
    kind = getattr(builtins, name, None)
    if (
        isinstance(kind, type)
        and issubclass(kind, Exception)
        and not issubclass(kind, _NEVER_REBUILT)
    ):
        try:
            return kind(message)
        except Exception:  # a built-in whose constructor wants more arguments
            pass
    return RemoteError(f"{name}: {message}")


def _names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names(const)
    return names


def _verdict(status: str, message: str = "", link: Link | None = None) -> dict[str, Any]:
    verdict: dict[str, Any] = {"status": status, "message": message[:1000]}
    if link is not None:
        verdict.update(calls=link.calls, helpers=sorted(link.used))
    return verdict


def _where(exc: BaseException, filename: str) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == filename]
    line = f" at line {frames[-1].lineno} of the test" if frames else ""
    text = str(exc)[:300]
    return f"{type(exc).__name__}{line}{': ' + text if text else ''}"


def _failed(exc: BaseException, link: Link) -> dict[str, Any]:
    if isinstance(exc, Violation) or link.broken is not None:
        return _verdict("program_gone", link.broken or str(exc), link)
    if isinstance(exc, Uncrossable):
        return _verdict("reference_error", str(exc), link)
    if isinstance(exc, AssertionError):
        return _verdict("wrong_answer", _where(exc, "<test_code>"), link)
    return _verdict("runtime_error", _where(exc, "<test_code>"), link)


def _check(job: Job, link: Link) -> dict[str, Any]:
    spec = job.check
    assert spec is not None
    try:
        setup = compile(spec.setup, "<test_setup>", "exec") if spec.setup else None
        tests = compile(spec.test_code, "<test_code>", "exec")
    except (SyntaxError, ValueError) as exc:
        return _verdict("reference_error", f"the test does not compile: {exc}")
    namespace: dict[str, Any] = {"__name__": "__rlvr_test__", "__builtins__": builtins}
    try:
        if setup is not None:
            exec(setup, namespace)
    except Exception as exc:
        return _verdict("reference_error", f"the test setup failed: {_where(exc, '')}")
    # Names the test uses and nothing trusted defines may come from the program (never
    # `check` itself, nor dunders): its functions as proxies, its plain values as copies.
    taken = set(namespace) | set(dir(builtins)) | {spec.entry_point, "check"}
    wanted = sorted(n for n in _names(tests) - taken if not n.startswith("__"))
    from_program = False
    for name, info in link.describe(wanted).items():
        if name in wanted and isinstance(info, dict):
            if info.get("callable") is True:
                namespace[name] = Remote(link, name, helper=True)
            elif "value" in info:
                namespace[name] = from_plain(info["value"])
                from_program = True
    candidate = Remote(link, spec.entry_point)
    namespace[spec.entry_point] = candidate
    try:
        exec(tests, namespace)
    except BaseException as exc:
        # Only a failure that nothing of the program's touched is the reference's: any
        # other way to reach `reward: null` would be a way out of a wrong answer's 0.
        if link.calls == 0 and not from_program and not isinstance(exc, Violation):
            return _verdict("reference_error", f"the test code failed: {_where(exc, '')}")
        return _failed(exc, link)
    check = namespace.get("check")
    if not callable(check):
        if link.calls:  # MBPP style: module-level asserts, which ran to the end and held
            return _settled(link)
        return _verdict(
            "reference_error", "the test code defines no check(candidate) and asserts nothing"
        )
    try:
        check(candidate)
    except BaseException as exc:
        return _failed(exc, link)
    return _settled(link)


def _settled(link: Link) -> dict[str, Any]:
    """The checks held: passed, unless the program failed in a way a check swallowed."""
    if link.broken is not None:
        return _verdict("program_gone", link.broken, link)
    if not link.endpoint.quiet():
        return _verdict("program_gone", "the program spoke out of turn", link)
    return _verdict("passed", "", link)


def same_value(got: Any, want: Any, tolerance: float) -> bool:
    """JSON values equal, numbers within ``tolerance``; a bool is never a number here."""
    if isinstance(want, bool) or isinstance(got, bool):
        return type(got) is type(want) and got == want
    if isinstance(want, int | float) and isinstance(got, int | float):
        if isinstance(want, int) and isinstance(got, int):
            return got == want
        return math.isclose(got, want, rel_tol=tolerance, abs_tol=tolerance)
    if isinstance(want, list) and isinstance(got, list):
        return len(got) == len(want) and all(
            same_value(g, w, tolerance) for g, w in zip(got, want, strict=True)
        )
    if isinstance(want, dict) and isinstance(got, dict):
        return got.keys() == want.keys() and all(
            same_value(got[k], want[k], tolerance) for k in want
        )
    return type(got) is type(want) and got == want


def _call(job: Job, run: Run, link: Link) -> dict[str, Any]:
    assert job.fn_name is not None and run.args is not None
    try:
        result = Remote(link, job.fn_name)(*run.args)
    except BaseException as exc:
        return _failed(exc, link)
    try:
        got = as_json_value(result)
    except (TypeError, ValueError):
        return _verdict("wrong_answer", f"returned a {type(result).__name__}", link)
    if same_value(got, run.expected_value, job.float_tolerance):
        return _verdict("passed", "", link)
    return _verdict("wrong_answer", f"returned {repr(got)[:200]}", link)


def judge(job: Job, run: Run, sock: socket.socket) -> dict[str, Any]:
    """The verdict of one run: ``status`` is passed, wrong_answer, runtime_error,
    program_gone (it exited or broke the protocol) or reference_error."""
    link = Link(sock)
    try:
        loaded = link.loaded()
    except Violation as exc:
        return _verdict("program_gone", str(exc), link)
    if not loaded.get("ok"):
        kind, message = loaded.get("type"), str(loaded.get("message", ""))[:300]
        return _verdict("runtime_error", f"the program failed to load: {kind}: {message}", link)
    try:
        return _call(job, run, link) if job.mode == "call" else _check(job, link)
    except BaseException as exc:  # describe() or the setup met a broken program
        return _failed(exc, link)
