"""``python -m rlvr.verifier`` (or ``rlvr-verifier``): serve on RLVR_HOST:RLVR_PORT."""

from __future__ import annotations

import uvicorn

from .app import create_app
from .settings import get_settings


def main() -> None:
    settings = get_settings()
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        timeout_graceful_shutdown=5,
    )


if __name__ == "__main__":
    main()
