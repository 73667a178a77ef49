"""The store keeps every distinct element set once, whatever order or format
it arrives in, and each file is one transaction."""

from __future__ import annotations

import gzip
import random

import pytest

from orbwatch.elements.tle import format_tle, read_tle
from orbwatch.errors import StoreError
from orbwatch.store import Store, ingest_path


@pytest.fixture(scope="module")
def iss_text(shared_data) -> str:
    return (shared_data / "maneuvers/iss_history/ISS_25544_3le_2021-01-01_2022-03-03.txt").read_text()


@pytest.fixture(scope="module")
def catalog_sets(shared_data):
    path = shared_data / "catalog/keeptrack_TLE3_2023-04-13.txt.gz"
    return read_tle(gzip.open(path, "rt").read(), source="file:keeptrack_TLE3_2023-04-13.txt.gz").sets


def test_history_kept_in_order(tmp_path, iss_text):
    store = Store(tmp_path / "a.db")
    sets = read_tle(iss_text, source="file:iss").sets
    rep = store.write_batch(sets, source="file:iss", fmt="tle")
    assert rep.committed and rep.added == len({s.key() for s in sets}) and rep.rejected == 0
    hist = store.history(25544)
    assert len(hist) == rep.added
    epochs = [s.epoch_us for s in hist]
    assert epochs == sorted(epochs)
    assert store.objects()[0]["name"] == "ISS (ZARYA)"


def test_reingest_same_shuffled_changes_nothing(tmp_path, catalog_sets):
    store = Store(tmp_path / "a.db")
    sub = catalog_sets[:3000]
    store.write_batch(sub, source="file:x", fmt="tle")
    d1 = store.digest()
    shuffled = sub[:]
    random.Random(1).shuffle(shuffled)
    rep = store.write_batch(shuffled, source="file:x", fmt="tle")
    assert rep.added == 0 and rep.present == len(sub)
    assert store.digest() == d1


def test_same_sets_in_other_order_give_same_content(tmp_path, catalog_sets):
    sub = catalog_sets[:2000]
    a, b = Store(tmp_path / "a.db"), Store(tmp_path / "b.db")
    a.write_batch(sub, source="file:x", fmt="tle")
    rev = list(reversed(sub))
    b.write_batch(rev[:700], source="file:x", fmt="tle")
    b.write_batch(rev[700:], source="file:x", fmt="tle")
    assert a.digest(content_only=True) == b.digest(content_only=True)


def test_element_set_number_is_not_a_key(tmp_path, iss_text):
    from dataclasses import replace

    store = Store(tmp_path / "a.db")
    s = read_tle(iss_text).sets[0]
    store.write_batch([s], source="a")
    rep = store.write_batch([replace(s, element_set_no=999, source="b")], source="b")
    assert rep.added == 0 and rep.present == 1
    changed = replace(s, mean_anomaly=s.mean_anomaly + 0.001)
    assert store.write_batch([changed], source="c").added == 1


def test_strict_batch_with_rejects_writes_nothing(tmp_path, iss_text):
    lines = iss_text.splitlines()
    lines[2] = lines[2][:68] + str((int(lines[2][68]) + 1) % 10)  # break one checksum
    f = tmp_path / "bad.tle"
    f.write_text("\n".join(lines) + "\n")
    store = Store(tmp_path / "s.db")
    before = store.digest()
    rep = ingest_path(store, f, strict=True)
    assert not rep.committed and rep.rejected == 1
    assert store.digest() == before and store.counts()["ingest_batches"] == 0
    rep = ingest_path(store, f)  # default: commit the valid ones, report the bad one
    assert rep.committed and rep.rejected == 1 and rep.rejects == {"ChecksumError": 1}
    assert rep.added == len({s.key() for s in read_tle(iss_text).sets}) - 1


def test_failed_batch_rolls_back(tmp_path, iss_text, monkeypatch):
    store = Store(tmp_path / "a.db")
    sets = read_tle(iss_text).sets
    before = store.digest()

    def boom(*a, **k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(store, "_apply_set_names", boom)
    with pytest.raises(StoreError, match="nothing was written"):
        store.write_batch(sets, source="x")
    monkeypatch.undo()
    assert store.digest() == before
    assert store.counts()["element_sets"] == 0 and store.counts()["ingest_batches"] == 0


def test_open_missing_database_without_create(tmp_path):
    with pytest.raises(StoreError, match="no database at"):
        Store(tmp_path / "nope.db", create=False)


def test_latest_sets_nearest_epoch(tmp_path, iss_text):
    store = Store(tmp_path / "a.db")
    sets = read_tle(iss_text).sets
    store.write_batch(sets, source="x")
    t = sets[100].epoch_us + 1000
    (near,) = store.latest_sets([25544], at_us=t)
    assert near.epoch_us == min((s.epoch_us for s in sets), key=lambda e: abs(e - t))


def test_export_then_ingest_round_trips(tmp_path, catalog_sets):
    """Sets written back out as TLE re-ingest as 'already present'."""
    store = Store(tmp_path / "a.db")
    sub = catalog_sets[:500]
    store.write_batch(sub, source="file:x", fmt="tle")
    text = "\n".join(line for s in store.element_sets() for line in format_tle(s))
    again = read_tle(text).sets
    rep = store.write_batch(again, source="export", fmt="tle")
    assert rep.added == 0 and rep.present == len(sub)
