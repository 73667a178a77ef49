"""Manoeuvre detection over many objects' histories, in this process or on Dask.

Each object's history is independent (:func:`detect_maneuvers` looks at one
object's own sets only), so the work splits by blocks of whole objects:
every history goes whole into one task and results are concatenated in
object order, which is the single-process order.  The histories are
scattered to the Dask workers once; each task gets only its block's bounds.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

import numpy as np

from orbwatch.detect.maneuvers import DEFAULT_THRESHOLD, Maneuver, detect_maneuvers
from orbwatch.elements.model import ElementSet
from orbwatch.parallel import DaskRunner

__all__ = ["histories_by_object", "object_blocks", "detect_maneuvers_many"]

#: tasks per Dask worker (several, so a slow block does not hold up the rest)
BLOCKS_PER_WORKER = 4


def histories_by_object(sets: Sequence[ElementSet]) -> list[list[ElementSet]]:
    """Element sets grouped into one history per object, in catalogue-number order."""
    ordered = sorted(sets, key=lambda s: s.norad)  # stable: each history keeps its order
    return [list(g) for _, g in groupby(ordered, key=lambda s: s.norad)]


def object_blocks(sizes: Sequence[int], blocks: int) -> list[tuple[int, int]]:
    """Consecutive ranges ``[lo, hi)`` of items with about equal total size."""
    if not len(sizes):
        return []
    blocks = max(1, min(blocks, len(sizes)))
    cum = np.cumsum(np.asarray(sizes, dtype=np.int64))
    cuts = np.searchsorted(cum, cum[-1] * np.arange(1, blocks) / blocks, side="left") + 1
    edges = np.unique(np.r_[0, np.clip(cuts, 1, len(sizes)), len(sizes)])
    return [(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:], strict=True)]


def _block(ctx: tuple[list[list[ElementSet]], float], lo: int, hi: int) -> list[Maneuver]:
    histories, threshold = ctx
    return [m for h in histories[lo:hi] for m in detect_maneuvers(h, threshold=threshold)]


def detect_maneuvers_many(histories: Sequence[Sequence[ElementSet]], *,
                          threshold: float = DEFAULT_THRESHOLD,
                          runner: DaskRunner | None = None) -> list[Maneuver]:
    """Manoeuvres of every history (one object each), in history order.

    With ``runner`` the histories are detected in object blocks on Dask; the
    result is the same list as without it.
    """
    hs = [list(h) for h in histories]
    if runner is None:
        return _block((hs, threshold), 0, len(hs))
    jobs = object_blocks([len(h) for h in hs], BLOCKS_PER_WORKER * runner.workers)
    parts = runner.map(_block, jobs, shared=(hs, threshold))
    return [m for part in parts for m in part]
