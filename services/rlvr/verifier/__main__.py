"""``python -m rlvr.verifier`` (or ``rlvr-verifier``): serve on RLVR_HOST:RLVR_PORT."""

from __future__ import annotations

import sys

import uvicorn
from pydantic import ValidationError

from .app import create_app
from .settings import get_settings


def main() -> None:
    try:
        settings = get_settings()
    except ValidationError as exc:
        for error in exc.errors():
            name = "RLVR_" + "_".join(str(part) for part in error["loc"][:1]).upper()
            print(f"invalid setting {name}: {error['msg']}", file=sys.stderr)
        sys.exit("fix the RLVR_* environment variables above and start again")
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        timeout_graceful_shutdown=5,
    )


if __name__ == "__main__":
    main()
