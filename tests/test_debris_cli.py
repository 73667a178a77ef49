"""``orbwatch debris simulate|whatif``: JSON, figures, one-line errors."""

from __future__ import annotations

import gzip
import json

import pytest

import orbwatch.cli.debris  # noqa: F401  (registers the sub-app)
from orbwatch.cli.app import main


@pytest.fixture(scope="module")
def small_catalog(shared_data, tmp_path_factory):
    """Cosmos 1408 (13552) and the ISS (25544) from the 2020-07-13 snapshot."""
    lines = gzip.open(shared_data / "catalog" / "esri_tle_2020-07-13.txt.gz", "rt").read()
    keep = [ln for ln in lines.splitlines() if ln[2:7] in ("13552", "25544")]
    assert len(keep) == 4
    path = tmp_path_factory.mktemp("cat") / "two.tle"
    path.write_text("\n".join(keep) + "\n")
    return str(path)


FAST = ["--years", "5", "--step-days", "10", "--min-size", "0.3", "--target-mass", "1750"]


def test_simulate_json_and_figures(small_catalog, tmp_path, capsys):
    rc = main(["debris", "simulate", "--target", "13552", "--event", "collision",
               "--catalog", small_catalog, "--figures", str(tmp_path / "fig"),
               "--format", "json", *FAST])
    out = capsys.readouterr()
    assert rc == 0, out.err
    doc = json.loads(out.out)
    assert doc["space_weather"] == "fallback model"
    assert doc["catastrophic"] is True and doc["objects_in_orbit_initial"] > 10
    rem = doc["remaining_after_years"]
    assert list(rem) == ["1", "5"] and rem["1"] >= rem["5"]
    assert set(doc["band_crossings_objects"]) >= {"ISS (400-430 km)", "dense band (700-900 km)"}
    (iss,) = doc["collision_rate_increase"]
    assert iss["norad"] == 25544 and iss["mean_extra_collisions_per_year"] > 0
    assert len(doc["figures"]) == 3
    for p in doc["figures"]:
        assert (tmp_path / "fig").joinpath(p.rsplit("/", 1)[-1]).read_bytes()[:4] == b"\x89PNG"


def test_whatif_side_by_side(small_catalog, capsys):
    rc = main(["debris", "whatif", "--target", "13552", "--catalog", small_catalog,
               "--format", "json", *FAST])
    out = capsys.readouterr()
    assert rc == 0, out.err
    doc = json.loads(out.out)
    nd, de = doc["scenarios"]["non_destructive"], doc["scenarios"]["destructive"]
    assert nd["objects_in_orbit_initial"] == 1
    assert de["objects_in_orbit_initial"] > nd["objects_in_orbit_initial"]
    assert (de["collision_rate_increase"][0]["mean_extra_collisions_per_year"]
            > nd["collision_rate_increase"][0]["mean_extra_collisions_per_year"])
    rc = main(["debris", "whatif", "--target", "13552", "--catalog", small_catalog, *FAST])
    assert rc == 0 and "non_destructive" in capsys.readouterr().out


@pytest.mark.parametrize("args, message", [
    (["--target", "99999", "--event", "collision"], "has no element sets"),
    (["--target", "13552", "--event", "implosion"], "--event must be"),
    (["--target", "13552", "--event", "explosion", "--space-weather", "/nonexistent.csv"],
     "cannot read space-weather file"),
    (["--target", "13552", "--event", "explosion", "--against", "12345"], "--against"),
    (["--target", "13552", "--event", "explosion", "--years", "0"], "--years"),
])
def test_errors_are_one_line(small_catalog, capsys, args, message):
    rc = main(["debris", "simulate", "--catalog", small_catalog, *args])
    err = capsys.readouterr().err
    assert rc == 1
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


SW_CSV = (
    "DATE,BSRN,ND,KP1,AP_AVG,F10.7_OBS,F10.7_OBS_CENTER81\n"
    "2021-06-01,2560,1,3,7,78.9,80.1\n"
    "2021-06-02,2560,2,3,9,80.5,80.4\n"
)


def test_space_weather_from_celestrak_through_the_cache(fake, tmp_path):
    """SW-All.csv comes through the real request code and the disk cache."""
    from orbwatch.debris.density import SpaceWeather
    from orbwatch.sources import Cache, CelestrakClient

    fake.override("/SpaceData/SW-All.csv", 200, SW_CSV.encode(), content_type="text/csv")
    with CelestrakClient(fake.url, cache=Cache(tmp_path / "cache")) as client:
        sw = SpaceWeather.from_celestrak(client)
        again = SpaceWeather.from_celestrak(client)
    assert sw.label == "celestrak" and again.label == "celestrak"
    assert len(fake.hits("/SpaceData")) == 1  # the second answer came from the cache
    assert list(sw.daily["f107"]) == [78.9, 80.5]


def test_space_weather_celestrak_offline_falls_back(small_catalog, tmp_path, capsys,
                                                    monkeypatch):
    monkeypatch.setenv("ORBWATCH_CACHE", str(tmp_path / "empty-cache"))
    from orbwatch.errors import OfflineError
    from orbwatch.sources import CelestrakClient

    def offline(self, **kw):
        raise OfflineError("offline: no cached copy of GET .../SW-All.csv")

    monkeypatch.setattr(CelestrakClient, "space_weather", offline)
    rc = main(["debris", "simulate", "--target", "13552", "--event", "explosion", "--catalog",
               str(small_catalog), "--years", "1", "--space-weather", "celestrak",
               "--format", "json"])
    out, err = capsys.readouterr()
    assert rc == 0 and "CelesTrak unreachable" in err
    assert json.loads(out)["space_weather"] == "fallback model"
