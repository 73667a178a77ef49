"""orbwatch for analysts: the capabilities of the ``orbwatch`` commands as
documented functions returning typed results and pandas DataFrames.

A :class:`Catalog` is loaded from files or a database; :func:`conjunctions`,
:func:`maneuvers`, :func:`proximity`, :func:`origin`, :func:`breakup` and
:func:`judge` run the stages over it; :func:`events_frame` and friends turn
the results into tables.
One page per capability in ``docs/api/``; their examples run as doctests
in the test suite (``tests/test_docs_examples.py``).  This facade sits after
every stage (like the CLI) and only calls them.
"""

from __future__ import annotations

from orbwatch.api.analysis import breakup, conjunctions, judge, maneuvers, origin, proximity
from orbwatch.api.catalog import FRAMES, Catalog, as_us
from orbwatch.api.frames import cloud_frame, ephemeris_frame, events_frame, findings_frame

__all__ = [
    "Catalog", "FRAMES", "as_us",
    "conjunctions", "maneuvers", "proximity", "origin", "breakup", "judge",
    "events_frame", "findings_frame", "ephemeris_frame", "cloud_frame",
]
