"""Kill ``orbwatch ingest`` with SIGKILL at random moments, again and again.

After every kill: ``PRAGMA integrity_check`` is ok, no element set is stored
twice, and every file the process acknowledged ("committed ...") is wholly
present.  A final re-run completes the database to the same digest as an
uninterrupted ingest.  CI runs a bounded number of kills
(``ORBWATCH_KILLS``, default 30); ``scripts/soak_kill_ingest.py`` runs more.
"""

from __future__ import annotations

import gzip
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from orbwatch.elements.tle import read_tle
from orbwatch.store import Store


def split_catalog(src: Path, out: Path, files: int, per_file: int) -> list[Path]:
    lines = gzip.open(src, "rt").read().splitlines()
    records = [lines[i:i + 3] for i in range(0, len(lines) - 2, 3)]
    paths = []
    for k in range(files):
        p = out / f"part{k:03d}.tle"
        p.write_text("\n".join(x for r in records[k * per_file:(k + 1) * per_file] for x in r)
                     + "\n")
        paths.append(p)
    return paths


def run_ingest(db: Path, files: list[Path], kill_after: float | None):
    """Run the CLI; kill it after ``kill_after`` seconds.  Returns the files
    it acknowledged."""
    cmd = [sys.executable, "-m", "orbwatch", "ingest", "--db", str(db), "--format", "json",
           *map(str, files)]
    env = dict(os.environ, COLUMNS="400")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                            text=True)
    if kill_after is not None:
        time.sleep(kill_after)
        proc.send_signal(signal.SIGKILL)
    _, err = proc.communicate(timeout=300)
    acked = []
    for line in err.splitlines():
        if line.startswith("committed "):
            acked.append(Path(line.split()[1]))
    return proc.returncode, acked


def check_consistent(db: Path, acked: set[Path], expected_keys: dict[Path, set[str]]) -> None:
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        total, distinct = con.execute(
            "SELECT count(*), count(DISTINCT key) FROM element_sets").fetchone()
        assert total == distinct, "an element set is stored twice"
        stored = {r[0] for r in con.execute("SELECT key FROM element_sets")}
    finally:
        con.close()
    for f in acked:
        missing = expected_keys[f] - stored
        assert not missing, f"{f.name} was acknowledged but {len(missing)} sets are missing"


def test_kill_during_ingest_loses_nothing_acknowledged(tmp_path, shared_data):
    kills = int(os.environ.get("ORBWATCH_KILLS", "30"))
    files = split_catalog(shared_data / "catalog/keeptrack_TLE3_2023-04-13.txt.gz", tmp_path,
                          files=12, per_file=400)
    expected = {f: {s.key() for s in read_tle(f.read_text()).sets} for f in files}

    ref = tmp_path / "ref.db"
    t0 = time.monotonic()
    rc, acked = run_ingest(ref, files, None)
    full = time.monotonic() - t0
    assert rc == 0 and len(acked) == len(files)
    ref_digest = Store(ref).digest(content_only=True)

    db = tmp_path / "killed.db"
    rng = random.Random(20200715)
    all_acked: set[Path] = set()
    for _ in range(kills):
        rc, acked = run_ingest(db, files, rng.uniform(0.05, full * 1.1))
        all_acked.update(acked)
        if db.exists():
            check_consistent(db, all_acked, expected)
    rc, acked = run_ingest(db, files, None)
    assert rc == 0
    check_consistent(db, set(files), expected)
    assert Store(db).digest(content_only=True) == ref_digest
    assert all_acked, "no kill landed after a commit; the loop tested nothing"


@pytest.mark.slow
def test_kill_soak(tmp_path, shared_data, monkeypatch):
    monkeypatch.setenv("ORBWATCH_KILLS", os.environ.get("ORBWATCH_SOAK_KILLS", "200"))
    test_kill_during_ingest_loses_nothing_acknowledged(tmp_path, shared_data)
