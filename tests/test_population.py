"""Synthetic catalogues for scale (orbwatch.scenario.population)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from orbwatch.cli.app import main
from orbwatch.elements.readers import read_path
from orbwatch.errors import UserError
from orbwatch.scenario.population import (
    FAMILIES,
    POPULATION_EPOCH_US,
    _best_phasing,
    family_counts,
    generate_population,
    write_population,
)
from orbwatch.screen.engine import screen


def test_deterministic_and_read_back_through_the_omm_reader(tmp_path):
    a = generate_population(3000, seed=7)
    b = generate_population(3000, seed=7)
    c = generate_population(3000, seed=8)
    assert a.sets == b.sets and a.sets != c.sets
    assert sum(a.families.values()) == len(a.sets) == 3000
    assert len({s.norad for s in a.sets}) == 3000
    path = write_population(a, tmp_path / "pop.json.gz")
    back = read_path(path, future_tolerance_days=None)
    assert not back.errors
    assert [s.with_source("x") for s in back.sets] == [s.with_source("x") for s in a.sets]
    assert back.sets[0].format == "omm-json"


def test_families_have_their_orbits():
    pop = generate_population(20_000, seed=0)
    by = {}
    for s in pop.sets:
        by.setdefault(s.name.split("-")[0].split(" ")[0], []).append(s)
    starlink = by["STARLINK"]
    alt = np.array([s.perigee_km for s in starlink])
    assert 515 < alt.min() and alt.max() < 580  # first copies within 7 km of the shells
    assert {round(s.inclination) for s in starlink} <= {53, 70, 98, 43, 33}
    geo = by["GEO"]
    assert all(abs(s.mean_motion - 1.0027) < 0.02 for s in geo)
    assert min(s.eccentricity for s in by["MOLNIYA"]) > 0.65
    # drag consistent with altitude: ndot falls steeply with perigee height
    low = [s.mean_motion_dot for s in pop.sets if 350 < s.perigee_km < 450]
    high = [s.mean_motion_dot for s in pop.sets if 900 < s.perigee_km < 1100]
    assert np.median(low) > 100 * np.median(high) > 0
    assert all(s.bstar == 0 for s in geo)
    # the phased families share the nominal epoch, the others spread over a day
    assert {s.epoch_us for s in starlink} == {POPULATION_EPOCH_US}
    deb = [s.epoch_us for s in pop.sets if "DEB" in s.name]
    assert POPULATION_EPOCH_US - 86_400_000_000 < min(deb) < max(deb) <= POPULATION_EPOCH_US
    assert len(FAMILIES) == 10


def test_walker_phasing_keeps_a_shell_apart():
    """The chosen phasing leaves no approach within 2 km inside a full generated
    shell (72 planes x 22) over an hour of SGP4."""
    f = _best_phasing(560, 97.6, 6, 58)
    assert f == 3
    pop = generate_population(6000, seed=1)
    shell = [s for s in pop.sets if s.name.startswith("STARLINK")][:72 * 22]  # 550 km, 53 deg
    assert {round(s.inclination, 1) for s in shell} == {53.0}
    res = screen(shell, POPULATION_EPOCH_US, POPULATION_EPOCH_US + 3_600_000_000,
                 threshold_km=2.0, workers=1)
    assert res.encounters == []


def test_large_catalogues_add_small_debris_not_satellites():
    small, big = family_counts(10_000), family_counts(1_000_000)
    assert sum(small.values()) == 10_000 and sum(big.values()) == 1_000_000
    assert small["starlink"] == 3000  # its share, below the filed shells
    assert big["starlink"] == FAMILIES["starlink"][2] < 40_000  # capped at the filings
    assert big["debris_clouds"] == 40_000
    assert big["debris_scattered"] > 0.6 * 1_000_000


def test_bad_size_is_a_user_error():
    with pytest.raises(UserError, match="1 to 5,000,000"):
        generate_population(0)


def test_cli_writes_omm(tmp_path, capsys):
    out = tmp_path / "p.json"
    rc = main(["scenario", "population", "--objects", "500", "--seed", "3", "--out", str(out),
               "-f", "json"])
    stdout, err = capsys.readouterr()
    assert rc == 0, err
    doc = json.loads(stdout)
    assert doc["objects"] == 500 and sum(doc["families"].values()) == 500
    recs = json.loads(out.read_text())
    assert len(recs) == 500 and recs[0]["NORAD_CAT_ID"] == 100000
    assert set(recs[0]) >= {"OBJECT_NAME", "EPOCH", "MEAN_MOTION", "BSTAR", "MEAN_MOTION_DOT"}
    assert main(["scenario", "population", "--objects", "5", "--out", str(tmp_path / "x.txt")]) == 1
    assert "--out: expected a .json" in capsys.readouterr().err
