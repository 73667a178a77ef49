"""Origin of a new object: synthetic fresh and old releases, and the real
Cosmos 2543 released by Cosmos 2542 on 2019-12-06."""

from __future__ import annotations

import dataclasses
import gzip
import json

import numpy as np
import pytest

from orbwatch.elements.tle import read_tle
from orbwatch.forensics.origin import find_origin
from orbwatch.forensics.synthetic import fragment, reepoch, tle_roundtrip
from orbwatch.time import parse_iso

DAY = 86_400_000_000
COSMOS = "catalog/odap_spacetrack_3le_2019-12-19.txt.gz"


@pytest.fixture(scope="module")
def catalog(shared_data):
    text = gzip.open(shared_data / "catalog/keeptrack_TLE3_2023-04-13.txt.gz", "rt").read()
    return read_tle(text, future_tolerance_days=None).sets


def _release(catalog, age_days, dv_rtn):
    parent = next(s for s in catalog if s.norad == 25338)
    t0 = parent.epoch_us + 2 * DAY
    child = fragment(parent, t0, [dv_rtn], first_norad=99001)[0]
    child = dataclasses.replace(child, intldes="1998-030Z")
    child_old = tle_roundtrip(reepoch([child], t0 + age_days * DAY))
    parent_now = tle_roundtrip(reepoch([parent], t0 + age_days * DAY))[0]
    cat = [s for s in catalog if s.norad != 25338] + [parent_now]
    return t0, child_old, cat


def test_fresh_release(catalog):
    t0, child, cat = _release(catalog, 3, [0.0, 0.002, 0.001])
    r = find_origin(child, cat)
    assert r.best.parent == 25338 and r.best.method == "closest_approach"
    assert abs(r.best.epoch_us - t0) / 1e6 < 60
    assert abs(r.best.dv_kms - np.sqrt(5) * 1e-3) < 1e-3
    ev = r.to_event()
    assert ev.kind == "release" and ev.objects == (25338, 99001)


def test_old_release_plane_convergence(catalog):
    t0, child, cat = _release(catalog, 365, [0.0, 0.02, 0.001])
    r = find_origin(child, cat, candidates=[25338], search_days=5)
    assert r.best.method == "plane_convergence" and r.best.dateable
    # the stated 68% interval (inclination, node noise, drag, model floor) holds the truth
    lo, hi = r.best.epoch_interval_us
    assert lo <= t0 <= hi and hi <= child[0].epoch_us
    assert r.best.epoch_sigma_s < 60 * 86400


def test_cosmos_2543(shared_data):
    from orbwatch.elements.readers import read_path

    sets = read_path(shared_data / COSMOS, future_tolerance_days=None).sets
    r = find_origin([s for s in sets if s.norad == 44835], sets)
    assert r.best.parent == 44797
    # the node clock says 2019-12-15 (+9.6 d), but the closest back-propagated
    # pass of these 13-day-old sets is 107 km: Cosmos 2542 manoeuvred, the
    # clock's assumption is broken, and the result must say it cannot date it
    b = r.best
    assert b.method == "plane_convergence" and not b.dateable
    assert "cannot date" in b.why and b.sigma_s is None
    lo, hi = b.epoch_interval_us
    assert lo is None and parse_iso("2019-12-06T00:00:00Z") <= hi
    ev = r.to_event()
    assert ev.start_us is None and ev.end_us == hi and ev.evidence["dateable"] is False


def test_cli(shared_data, capsys):
    import orbwatch.cli.forensics  # noqa: F401
    from orbwatch.cli.app import main

    f = str(shared_data / COSMOS)
    assert main(["origin", "44835", "--catalog", f, "--candidates", "44797",
                 "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["kind"] == "release" and d["objects"] == [44797, 44835]
    assert main(["origin", "1", "--catalog", f]) == 1
    err = capsys.readouterr().err
    assert err.startswith("orbwatch: UserError") and len(err.strip().splitlines()) == 1
