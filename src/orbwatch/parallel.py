"""Run a stage's independent tasks on Dask: a local cluster or any scheduler.

Screening, manoeuvre detection and proximity scans cut their work into
tasks that share one large input (a catalogue) and differ only in a small
job description (a time window, a block of objects).  :class:`DaskRunner`
sends the shared input to every worker once (``scatter``, broadcast), then
submits one task per job; on the worker a ``prepare`` function turns the
shared input into the task context (satellite records, arrays) once per
process and keeps it for the run's later tasks.  Results come back in job
order, so a stage that merges them as its single-process path does gives
identical results.

The scheduler is chosen with a spec string, as the CLI's ``--scheduler``:

* ``none`` (default): no Dask; the stage runs in this process (or its own
  process pool).  Dask is not even imported.
* ``local``: a ``distributed.LocalCluster`` of ``workers`` processes with
  one thread each, started and stopped with the run.
* ``tcp://host:port`` (or ``tls://``, ``ucx://``): an existing scheduler
  whose workers have orbwatch installed.
"""

from __future__ import annotations

import contextlib
import os
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from orbwatch.errors import UserError

__all__ = ["SchedulerError", "DaskRunner", "parse_scheduler", "open_runner",
           "SCHEDULER_HELP"]

SCHEDULER_HELP = ("none (this process), local (a local Dask cluster of --workers "
                  "processes) or a Dask scheduler address tcp://host:8786.")
_REMOTE = ("tcp://", "tls://", "ucx://", "inproc://")


class SchedulerError(UserError):
    """A scheduler spec that is not understood, or a scheduler that cannot be reached."""


def parse_scheduler(spec: str | None) -> str:
    """The normalised spec: ``none``, ``local`` or a scheduler address."""
    s = (spec or "none").strip()
    if s.lower() in ("", "none", "single", "off"):
        return "none"
    if s.lower() == "local":
        return "local"
    if s.lower().startswith(_REMOTE) and len(s.split("://", 1)[1]) > 0:
        return s
    raise SchedulerError(f"--scheduler: expected none, local or an address like "
                         f"tcp://host:8786, found {spec!r}")


# ----------------------------------------------------------------- worker side
_CONTEXT: dict[str, Any] = {}  # token -> prepared context (this process's current run)
_LOCK = threading.Lock()


def _run_task(token: str, prepare: Callable[[Any], Any] | None, shared: Any,
              task: Callable[..., Any], job: tuple) -> Any:
    """Worker side: the run's context (prepared once per process), then the task."""
    with _LOCK:
        ctx = _CONTEXT.get(token)
        if ctx is None:
            _CONTEXT.clear()  # one run at a time per process: drop the previous one
            ctx = prepare(shared) if prepare is not None else shared
            _CONTEXT[token] = ctx
    return task(ctx, *job)


# ----------------------------------------------------------------- client side
class DaskRunner:
    """Maps tasks over jobs on a ``distributed.Client``."""

    def __init__(self, client, *, owns_cluster: bool = False) -> None:
        self.client = client
        self._owns = owns_cluster

    @property
    def workers(self) -> int:
        """Worker processes currently known to the scheduler."""
        return max(1, len(self.client.scheduler_info(n_workers=-1).get("workers", {})))

    def map(self, task: Callable[..., Any], jobs: Sequence[tuple], *, shared: Any = None,
            prepare: Callable[[Any], Any] | None = None,
            on_done: Callable[[int], None] | None = None) -> list:
        """``task(prepare(shared), *job)`` for every job, results in job order.

        ``shared`` is scattered to every worker once; ``prepare`` runs once per
        worker process.  ``on_done(index)`` is called as each job finishes.
        """
        from distributed import as_completed

        if not jobs:
            return []
        token = uuid.uuid4().hex
        [shared_f] = self.client.scatter([shared], broadcast=True, hash=False)
        futures = [self.client.submit(_run_task, token, prepare, shared_f, task, tuple(job),
                                      pure=False, key=f"orbwatch-{token}-{k}")
                   for k, job in enumerate(jobs)]
        index = {f.key: k for k, f in enumerate(futures)}
        out: list = [None] * len(jobs)
        try:
            for fut in as_completed(futures):
                k = index[fut.key]
                out[k] = fut.result()
                if on_done is not None:
                    on_done(k)
        finally:
            self.client.cancel([*futures, shared_f])
        return out

    def close(self) -> None:
        cluster = self.client.cluster if self._owns else None
        self.client.close()
        if cluster is not None:
            cluster.close()


@contextlib.contextmanager
def open_runner(spec: str | None, workers: int | None = None) -> Iterator[DaskRunner | None]:
    """A :class:`DaskRunner` for the spec (``None`` for ``none``), closed on exit.

    ``workers``: processes of a ``local`` cluster [default: all cores].
    """
    kind = parse_scheduler(spec)
    if kind == "none":
        yield None
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - distributed is a dependency
        raise SchedulerError("--scheduler needs the 'distributed' package "
                             "(pip install distributed)") from None
    if kind == "local":
        n = workers if workers and workers > 0 else (os.cpu_count() or 1)
        # no dashboard; the scheduler's HTTP endpoints (health) on a free port, so a
        # second cluster on the machine neither fails nor warns about port 8787
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                               dashboard_address=None, scheduler_port=0,
                               scheduler_kwargs={"dashboard_address": ":0"})
        runner = DaskRunner(Client(cluster), owns_cluster=True)
    else:
        try:
            client = Client(kind, timeout="20s")
        except (OSError, TimeoutError) as exc:
            raise SchedulerError(f"--scheduler: cannot reach the Dask scheduler at {kind} "
                                 f"({exc})") from None
        runner = DaskRunner(client)
    try:
        yield runner
    finally:
        runner.close()
