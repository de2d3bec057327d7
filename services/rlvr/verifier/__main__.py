"""``python -m rlvr.verifier`` (or ``rlvr-verifier``): serve on RLVR_HOST:RLVR_PORT.

SIGTERM (``docker stop``, Kubernetes) or Ctrl-C drains first: new scoring requests get
503 + ``Retry-After`` while the ones in flight finish, for up to ``RLVR_DRAIN_TIMEOUT_S``;
a second signal stops at once.
"""

from __future__ import annotations

import signal
import sys
from types import FrameType

import uvicorn
from pydantic import ValidationError

from .app import create_app
from .drain import Drain
from .settings import get_settings


class DrainingServer(uvicorn.Server):
    """uvicorn, with a first stop signal that drains instead of stopping."""

    def __init__(self, config: uvicorn.Config, drain: Drain) -> None:
        super().__init__(config)
        self.drain = drain

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.drain.draining or sig not in (signal.SIGTERM, signal.SIGINT):
            super().handle_exit(sig, frame)  # a second signal: stop now
            return
        self.drain.start()

    async def on_tick(self, counter: int) -> bool:
        if self.drain.done():
            self.should_exit = True
        return await super().on_tick(counter)


def main() -> None:
    try:
        settings = get_settings()
    except ValidationError as exc:
        for error in exc.errors():
            name = "RLVR_" + "_".join(str(part) for part in error["loc"][:1]).upper()
            print(f"invalid setting {name}: {error['msg']}", file=sys.stderr)
        sys.exit("fix the RLVR_* environment variables above and start again")
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        # Draining already waited for the requests in flight; this is only for stragglers.
        timeout_graceful_shutdown=5,
    )
    DrainingServer(config, app.state.drain).run()


if __name__ == "__main__":
    main()
