"""``orbwatch watch`` over real snapshots ingested in date order (bounded: the
geostationary objects over 40-80 E in the 2019-12-19 Space-Track and
2020-07-13 catalogues, owners from the CelesTrak SATCAT): the findings a
reviewer would audit name parties, rest on stored events and carry the
measured numbers."""

from __future__ import annotations

import json

import numpy as np
import pytest

from orbwatch.elements.readers import read_path
from orbwatch.forensics.orbit import geodetic
from orbwatch.monitor import MonitorState, run_monitor
from orbwatch.store import Store, ingest_path

SNAPSHOTS = ("odap_spacetrack_3le_2019-12-19.txt.gz", "esri_tle_2020-07-13.txt.gz")
LON_DEG = (40.0, 80.0)


def _geo_band(sets):
    """Sets of near-geostationary objects whose sub-satellite longitude at
    epoch lies in :data:`LON_DEG`."""
    out = []
    for s in sets:
        if not (0.98 < s.mean_motion < 1.02 and s.eccentricity < 0.01 and s.inclination < 15):
            continue
        e, r, _v = s.satrec().sgp4(*_jd(s.epoch_us))
        if e == 0 and LON_DEG[0] <= geodetic(r, s.epoch_us)[1] <= LON_DEG[1]:
            out.append(s)
    return out


def _jd(t_us):
    from orbwatch.time import jd_fr

    jd, fr = jd_fr(np.array([t_us], np.int64))
    return float(jd[0]), float(fr[0])


@pytest.fixture(scope="module")
def watched(shared_data, tmp_path_factory):
    out = tmp_path_factory.mktemp("real")
    store = Store(out / "real.db")
    ingest_path(store, shared_data / "satcat" / "celestrak_satcat_2019-08-06_from_trusat.csv.gz")
    results = []
    for name in SNAPSHOTS:
        sets = _geo_band(read_path(shared_data / "catalog" / name).sets)
        assert len(sets) > 50, f"{name}: only {len(sets)} GEO sets over {LON_DEG}"
        store.write_batch(sets, source=f"file:{name}#geo-{LON_DEG[0]:g}-{LON_DEG[1]:g}E",
                          fmt="tle")
        results.append(run_monitor(store, out / "report", regimes=("geo",), max_days=1,
                                   figures="none", title="real snapshots, GEO 40-80 E"))
    return store, results, out / "report"


def test_each_snapshot_is_one_run_in_date_order(watched):
    store, results, _report = watched
    assert [r.run_ids for r in results] == [[1], [2]]
    first, second = (r.changes[0] for r in results)
    assert first["last_epoch"] < second["first_epoch"][:4] + "-07-01"  # date order kept
    assert second["from_set_id"] == first["to_set_id"]
    # a single snapshot shows no newly catalogued object: absence needs a before
    assert first["new_objects"] == 0
    assert results[1].events >= results[0].events > 0


def test_findings_can_be_audited(watched):
    store, results, report = watched
    state = MonitorState(store)
    events = {e.id: e for e in state.events()}
    findings = state.findings()
    breaches = [f for f in findings if f["verdict"] == "breach"]
    assert breaches, "no breach found among the GEO objects"
    for f in findings:
        assert f["parties"] and f["text"] and f["source"]
        assert f["events"] and all(i in events for i in f["events"])  # evidence is stored
    for f in breaches:
        assert f["measured"] and all(isinstance(v, (int, float)) for v in f["measured"].values())
        assert "unknown" not in " ".join(f["parties"]).lower()
        ev = events[f["events"][0]]
        assert set(f["objects"]) <= set(ev.objects) | {n for e in events.values()
                                                        for n in e.objects}
        assert ev.evidence.get("element_sets"), "the event does not name its element sets"
    doc = json.loads((report / "report.json").read_text())
    assert len(doc["findings"]) == len(findings) and len(doc["events"]) == len(events)
    assert (report / "index.html").read_text().count("finding-") >= len(findings)
