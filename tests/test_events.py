"""The shared Event model: validation, stable ids, JSON round trip, schema."""

from __future__ import annotations

import json
import math

import pytest

from orbwatch.events import EVENT_JSON_SCHEMA, SCHEMA, Event, events_from_json, events_to_json
from orbwatch.time import parse_iso


def make(**kw) -> Event:
    base = dict(kind="conjunction", objects=(25544, 44797), epoch_us=parse_iso(
        "2020-07-15T06:43:12.3456Z"), metrics={"miss_km": 0.41, "rel_speed_kms": 14.2,
                                               "pc": float("nan")},
                confidence=0.9)
    base.update(kw)
    return Event(**base)


def test_json_round_trip_and_fields():
    e = make(start_us=parse_iso("2020-07-15T06:40:00Z"), evidence={"sets": [1, 2]})
    d = json.loads(e.to_json())
    assert d["schema"] == SCHEMA and d["kind"] == "conjunction"
    assert d["epoch"] == "2020-07-15T06:43:12.346Z" and d["end"] is None
    assert d["metrics"]["pc"] is None  # NaN is not JSON
    back = events_from_json(events_to_json([e]))[0]
    assert back.objects == e.objects and back.kind == e.kind and back.id == e.id


def test_id_is_stable_and_discriminating():
    assert make().id == make(metrics={}).id
    assert make().id != make(objects=(44797, 25544)).id
    assert make().id != make(kind="proximity").id


def test_schema_keys_match_serialisation():
    d = make().to_dict()
    assert set(d) == set(EVENT_JSON_SCHEMA["properties"])
    assert set(EVENT_JSON_SCHEMA["required"]) <= set(d)


@pytest.mark.parametrize("kw,match", [({"kind": "party"}, "unknown event kind"),
                                      ({"confidence": 1.5}, "confidence")])
def test_invalid_events_are_refused(kw, match):
    with pytest.raises(ValueError, match=match):
        make(**kw)


def test_numpy_values_serialise():
    np = pytest.importorskip("numpy")
    e = make(metrics={"miss_km": np.float64(1.5), "n": np.int64(3), "v": np.array([1.0, 2.0])
                      .tolist(), "bad": np.float64(math.inf)})
    d = e.to_dict()
    assert d["metrics"] == {"miss_km": 1.5, "n": 3, "v": [1.0, 2.0], "bad": None}


def test_id_survives_the_json_round_trip_at_every_sub_second():
    base = parse_iso("2020-07-15T06:43:12Z")
    for frac_us in (0, 499, 500, 999_499, 999_500, 999_999):
        e = make(epoch_us=base + frac_us)
        assert events_from_json(events_to_json([e]))[0].id == e.id
