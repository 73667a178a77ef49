"""The ``--scheduler`` option shared by the commands that can run on Dask."""

from __future__ import annotations

import typer

from orbwatch.parallel import SCHEDULER_HELP, open_runner, parse_scheduler

__all__ = ["SchedulerOption", "open_runner", "parse_scheduler"]

SchedulerOption = typer.Option("none", "--scheduler", help=SCHEDULER_HELP)
