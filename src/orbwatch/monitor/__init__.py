"""The monitor: process new element sets incrementally, judge, report.

>>> from orbwatch.monitor import run_monitor
>>> run_monitor(store, "report")                 # doctest: +SKIP

* :mod:`~orbwatch.monitor.changes`: what arrived since the last run;
* :mod:`~orbwatch.monitor.detectors`: every detector over what changed;
* :mod:`~orbwatch.monitor.state`: runs, events (upserted by monitor key),
  their changes and the findings, in the store's database;
* :mod:`~orbwatch.monitor.lock`: one run at a time;
* :mod:`~orbwatch.monitor.run`: :func:`run_monitor`.
"""

from orbwatch.monitor.changes import ChangeSet, changes_between, high_water
from orbwatch.monitor.detectors import DETECTORS, Window, forensics_events, screen_days
from orbwatch.monitor.lock import MonitorBusyError, PgRunLock, RunLock, lock_path, run_lock
from orbwatch.monitor.run import ALL_REGIMES, STEPS, MonitorResult, run_monitor
from orbwatch.monitor.state import MonitorState, identity

__all__ = ["ChangeSet", "changes_between", "high_water", "DETECTORS", "Window",
           "forensics_events", "screen_days", "MonitorBusyError", "RunLock", "PgRunLock",
           "run_lock", "lock_path", "ALL_REGIMES", "STEPS", "MonitorResult", "run_monitor",
           "MonitorState", "identity"]
