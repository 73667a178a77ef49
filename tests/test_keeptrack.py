"""keeptrack.space JSON catalogues: counts, object types, metadata, errors."""

from __future__ import annotations

import collections
import gzip
import json

import pytest

from orbwatch.elements.keeptrack import read_keeptrack_json
from orbwatch.elements.tle import parse_tle
from orbwatch.errors import ChecksumError, FieldValueError, FormatNotRecognizedError

# (file, objects, payloads, rocket bodies, debris) measured on the shared data
CATALOGUES = [
    ("catalog/keeptrack_TLE_2017-03-18.json.gz", 15944, 3923, 1801, 10220),
    ("catalog/keeptrack_TLE_2017-04-27.json.gz", 16475, 3922, 1803, 10750),
    ("catalog/keeptrack_TLE_2018-08-20.json.gz", 17399, 4607, 1804, 10988),
    ("debris/keeptrack/keeptrack_TLEdebris_2020-09-13.json.gz", 11308, 0, 0, 11308),
]

VANGUARD_1 = {"C": "US", "LS": "AFETR", "LV": "U", "ON": "VANGUARD 1", "OT": 1,
              "TLE1": "1 00005U 58002B   18231.04899011 -.00000006  00000-0 -31790-4 0  9999",
              "TLE2": "2 00005  34.2549 127.0872 1846306 224.8784 118.7047 10.84817889132765",
              "R": 1}


@pytest.mark.parametrize("name,objects,payloads,rocket_bodies,debris", CATALOGUES)
def test_catalogue_counts(shared_data, name, objects, payloads, rocket_bodies, debris):
    path = shared_data / name
    result = read_keeptrack_json(path.read_bytes(), str(path), source=f"file:{path.name}")
    assert result.records == objects
    assert len(result.sets) == objects
    assert result.errors == []
    assert len({es.norad for es in result.sets}) == objects
    types = collections.Counter(es.extra["object_type"] for es in result.sets)
    assert types == {k: v for k, v in (("payload", payloads), ("rocket body", rocket_bodies),
                                       ("debris", debris)) if v}
    assert all(es.source == f"file:{path.name}" for es in result.sets)


def test_2018_catalogue_vanguard_1(shared_data):
    result = read_keeptrack_json(
        (shared_data / "catalog/keeptrack_TLE_2018-08-20.json.gz").read_bytes())
    es = next(es for es in result.sets if es.norad == 5)
    assert es.name == "VANGUARD 1"
    assert es.intldes == "1958-002B"
    assert es.eccentricity == pytest.approx(0.1846306)
    assert es.mean_motion == pytest.approx(10.84817889)
    assert es.extra == {"country": "US", "object_type": "payload", "launch_site": "AFETR",
                        "launch_vehicle": "U", "rcs": 1}
    assert es.key() == parse_tle(VANGUARD_1["TLE1"], VANGUARD_1["TLE2"]).key()
    # names are unescaped ("R\/B" in the file)
    assert any(es.name == "VANGUARD R/B" for es in result.sets)


def test_2017_catalogue_launch_date(shared_data):
    result = read_keeptrack_json(
        (shared_data / "catalog/keeptrack_TLE_2017-03-18.json.gz").read_bytes())
    es = next(es for es in result.sets if es.norad == 5)
    assert es.extra["launch_date"] == "1958-03-17"
    assert es.extra["country"] == "US"


def test_debris_file_breakups(shared_data):
    result = read_keeptrack_json(
        (shared_data / "debris/keeptrack/keeptrack_TLEdebris_2020-09-13.json.gz").read_bytes())
    by_launch = collections.Counter((es.intldes or "")[:8] for es in result.sets)
    assert by_launch["1999-025"] == 2671  # Fengyun-1C
    assert by_launch["1993-036"] == 1026  # Cosmos 2251
    assert by_launch["1997-051"] == 311  # Iridium 33
    assert by_launch["2019-006"] == 5  # Microsat-R


def test_bad_record_reported_and_others_read():
    bad = dict(VANGUARD_1, TLE1=VANGUARD_1["TLE1"][:-1] + "0")
    no_tle = {"ON": "NOTHING", "OT": 3}
    text = json.dumps([VANGUARD_1, bad, no_tle, "junk"])
    result = read_keeptrack_json(gzip.compress(text.encode()), "x.json.gz")
    assert result.records == 4
    assert [es.norad for es in result.sets] == [5]
    assert [type(e) for e in result.errors] == [ChecksumError, FieldValueError,
                                                FieldValueError]
    assert [e.record for e in result.errors] == [2, 3, 4]
    assert result.errors[0].path == "x.json.gz"
    assert "record 2" in str(result.errors[0])
    assert result.errors[1].field == "TLE1"
    relaxed = read_keeptrack_json(text, verify_checksum=False)
    assert len(relaxed.sets) == 2


def test_unknown_object_type_and_missing_metadata():
    rec = {k: VANGUARD_1[k] for k in ("TLE1", "TLE2")}
    es = read_keeptrack_json(json.dumps([dict(rec, OT=7), rec])).sets
    assert [e.extra for e in es] == [{"object_type": "unknown"}, {"object_type": "unknown"}]
    assert es[0].name is None


def test_not_a_catalogue():
    with pytest.raises(FormatNotRecognizedError) as info:
        read_keeptrack_json("{not json", "bad.json")
    assert info.value.path == "bad.json"
    with pytest.raises(FormatNotRecognizedError):
        read_keeptrack_json('{"TLE1": "x"}')
