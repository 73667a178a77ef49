"""The Hermite error bounds the screener pads its tests with hold on real
catalogues: for every object it interpolates, the true SGP4 state between
nodes stays within the stated position and velocity bounds."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from orbwatch.elements.tle import read_tle
from orbwatch.propagate import SatelliteBatch
from orbwatch.screen.engine import INTERP_EVERY, _hermite, _interpolation_plan
from orbwatch.time import parse_iso


@pytest.mark.parametrize("name,start", [
    ("esri_tle_2015-05-27.txt.gz", "2015-05-27T00:00:00Z"),
    ("keeptrack_TLE3_2023-04-13.txt.gz", "2023-04-13T00:00:00Z"),
    ("everm1ss_leo_3le_2026-06-10.txt.gz", "2026-06-10T00:00:00Z"),
])
def test_hermite_errors_within_bounds(shared_data, name, start):
    sets = read_tle(gzip.open(shared_data / "catalog" / name, "rt").read(),
                    future_tolerance_days=None).sets
    step = 60.0
    smooth, pos_err, vel_err, _ = _interpolation_plan(sets, step, INTERP_EVERY)
    idx = np.flatnonzero(smooth)[::4]  # a quarter of them keeps the test quick
    batch = SatelliteBatch.from_element_sets([sets[i] for i in idx])
    big_h = INTERP_EVERY * step
    t0 = parse_iso(start)
    times = t0 + (np.arange(0, 6 * 3600, step) * 1e6).astype(np.int64)
    eph = batch.propagate(times)
    p, v = eph.position, eph.velocity
    worst_p = worst_v = 0.0
    for q in range(0, len(times) - INTERP_EVERY, INTERP_EVERY):
        for s in range(1, INTERP_EVERY):
            hp, hv = _hermite(p[:, q], v[:, q], p[:, q + INTERP_EVERY], v[:, q + INTERP_EVERY],
                              big_h, s / INTERP_EVERY)
            ep = np.linalg.norm(hp - p[:, q + s], axis=1) / pos_err[idx]
            ev = np.linalg.norm(hv - v[:, q + s], axis=1) / vel_err[idx]
            worst_p = max(worst_p, float(np.nanmax(ep)))
            worst_v = max(worst_v, float(np.nanmax(ev)))
    assert worst_p < 1.0 and worst_v < 1.0, (worst_p, worst_v)
    assert len(idx) > 1000
