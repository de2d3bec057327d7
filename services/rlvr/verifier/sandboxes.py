"""Start the sandbox that code items run in, as the settings say, and the code domain on it."""

from __future__ import annotations

import logging

from rlvr.sandbox.pool import DockerSlotFactory, ProcessSlotFactory, SandboxPool
from rlvr.sandbox.slots import ContainerSpec

from .domains.code import CodeDomain
from .domains.code.tests import Limits
from .settings import Settings

log = logging.getLogger(__name__)


def start_sandbox(settings: Settings) -> SandboxPool | None:
    """A started pool, or None when code scoring is off.

    Raises :class:`rlvr.sandbox.pool.RuntimeMissing` when the engine answers and lacks
    the configured runtime: a service asked for gVisor must not quietly run without it.
    """
    if settings.sandbox_backend == "off":
        return None
    factory: DockerSlotFactory | ProcessSlotFactory
    if settings.sandbox_backend == "process-unsafe":
        log.warning("RLVR_SANDBOX_BACKEND=process-unsafe: model code runs WITHOUT isolation")
        factory = ProcessSlotFactory()
    else:
        factory = DockerSlotFactory(
            ContainerSpec(
                image=settings.sandbox_image,
                memory_mb=settings.sandbox_memory_mb,
                cpus=settings.sandbox_cpus,
                pids_limit=settings.sandbox_pids_limit,
                tmpfs_mb=settings.sandbox_tmpfs_mb,
                runtime=settings.sandbox_runtime,
            )
        )
    factory.check_runtime()
    return SandboxPool(
        factory,
        size=settings.sandbox_size,
        jobs_per_slot=settings.sandbox_jobs_per_container,
        acquire_timeout_s=settings.sandbox_acquire_timeout_s,
    ).start()


def code_domain(settings: Settings, pool: SandboxPool) -> CodeDomain:
    """Code items share the one per-item budget (``item_timeout_s``) and its kill grace."""
    limits = Limits(
        time_limit_s=min(settings.code_time_limit_s, settings.item_timeout_s),
        budget_s=settings.item_timeout_s,
        memory_mb=settings.code_memory_mb,
        max_tests=settings.code_max_tests,
    )
    return CodeDomain(runner=pool.run, limits=limits, grace_s=settings.kill_grace_s)
