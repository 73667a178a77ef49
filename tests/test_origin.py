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
    # clock's assumption is broken, and the result says so; the revolution
    # count (194 revolutions at 14.50 rev/day) dates the release instead
    b = r.best
    assert b.method == "revolution_count" and b.dateable
    assert "cannot date" in b.why and "revolution count 194" in b.why
    truth = parse_iso("2019-12-06T00:00:00Z")  # reported release day
    assert abs(b.epoch_us - (truth + 43_200_000_000)) < 86_400_000_000
    lo, hi = b.epoch_interval_us
    assert lo <= truth + 43_200_000_000 <= hi <= [s for s in sets if s.norad == 44835][0].epoch_us
    ev = r.to_event()
    assert ev.evidence["method"] == "revolution_count" and ev.start_us == lo and ev.end_us == hi


@pytest.mark.parametrize("snapshot", ["keeptrack_TLE3_2022-08-16.txt.gz",
                                      "keeptrack_TLE3_2023-04-13.txt.gz"])
def test_cosmos_2543_projectile_of_2020_07_15(shared_data, snapshot):
    """Object 45915, which Cosmos 2543 released on 2020-07-15 (US Space Command,
    2020-07-23), seen two and three years later: the parent is the same-launch
    Cosmos 2543 (not a random close pass) and the count dates the release."""
    from orbwatch.elements.readers import read_path

    sets = read_path(shared_data / "catalog" / snapshot, future_tolerance_days=None).sets
    r = find_origin([s for s in sets if s.norad == 45915], sets)
    b = r.best
    assert b.parent == 44835 and b.same_launch and b.method == "revolution_count"
    truth = parse_iso("2020-07-15T12:00:00Z")
    assert abs(b.epoch_us - truth) < 2 * 86_400_000_000
    assert b.epoch_interval_us[0] <= truth <= b.epoch_interval_us[1]
    # and for Cosmos 2543 itself, its own later child 45915 is no candidate parent
    r2 = find_origin([s for s in sets if s.norad == 44835], sets)
    excluded = [c for c in r2.candidates if c.parent == 45915]
    assert excluded and excluded[0].method is None and "cannot be the parent" in excluded[0].why
    assert r2.best.parent == 44797


def test_revolution_clock_refuses_inherited_counts():
    from dataclasses import replace

    from orbwatch.elements import parse_tle
    from orbwatch.forensics.revclock import count_start, release_clock

    parent = parse_tle("1 44797U 19079A   19353.71295246  .00002585  00000-0  10062-3 0  9996",
                       "2 44797  97.8961  53.2631 0349815 242.7781 113.7390 14.85292297  3538")
    start = count_start(parent)  # 353 revolutions: the launch, 2019-11-25 17:52 UTC
    assert abs(start - parse_iso("2019-11-25T17:52:00Z")) < 86_400_000_000
    twin = replace(parent, norad=44798)
    rc = release_clock(twin, parent)
    assert not rc.dateable and "dates the launch" in rc.why
    assert release_clock(replace(parent, rev_at_epoch=None)) is None



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
