"""Shared fixtures.  The real public data is read from one place only:
``$ORBWATCH_SHARED_DATA`` (default ``../shared/data`` relative to the repo)."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

pytest_plugins = ["sources_fixtures.fixtures"]


def load_benchmark(name: str):
    """The script ``benchmarks/<name>.py`` as a module (loaded once), for the tests that
    check its figures."""
    key = f"orbwatch_bench_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, REPO / "benchmarks" / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        spec.loader.exec_module(module)
    return sys.modules[key]


def shared_data_path() -> Path:
    env = os.environ.get("ORBWATCH_SHARED_DATA")
    return Path(env) if env else (REPO.parent / "shared" / "data")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Folder holding the real public data sets (never copied into the repo)."""
    path = shared_data_path()
    if not path.is_dir():
        pytest.fail(f"shared data not found at {path}; set ORBWATCH_SHARED_DATA")
    return path


def _service_or_skip(var: str, what: str) -> str:
    """A system service prepared by ``.ci/services.sh``.  Missing locally: skip
    with the way to get it; missing under CI (CI=true): fail, so CI can never
    silently skip the PostgreSQL or browser tests."""
    value = os.environ.get(var)
    if value:
        return value
    message = f"{what} not available: set {var} (run `source .ci/services.sh` first)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """SQLAlchemy URL of a throwaway PostgreSQL database (``.ci/services.sh``)."""
    return _service_or_skip("ORBWATCH_TEST_POSTGRES_URL", "PostgreSQL server")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's chromium binary, for Playwright's ``executable_path``."""
    path = _service_or_skip("ORBWATCH_TEST_CHROMIUM", "headless Chromium")
    if not Path(path).exists():
        pytest.fail(f"{path} does not exist; install Debian's chromium package")
    return path


#: SATCAT files whose owners cover the shared snapshots up to mid-2020
OWNER_FILES = ("satcat/celestrak_satcat_2019-08-06_from_trusat.csv.gz",
               "satcat/esri_oio_2020-07-14.csv.gz")


def owner_rows(shared: Path, files=OWNER_FILES) -> dict[int, dict]:
    """Catalogue rows (name, owner, object type, designator) by catalogue
    number, merged from shared SATCAT files."""
    from orbwatch.elements.satcat import merge_by_norad, read_satcat

    recs = []
    for p in files:
        recs += read_satcat(shared / p).records
    return {n: {"name": r.name, "owner": r.owner, "object_type": r.object_type,
                "intldes": r.intldes} for n, r in merge_by_norad(recs).items()}


@contextlib.contextmanager
def fresh_pg_schema(base_url: str, prefix: str):
    """A URL of ``base_url`` whose connections work in a fresh schema
    (``options=-csearch_path``), dropped with everything in it afterwards."""
    import secrets

    from sqlalchemy import create_engine, text

    schema = f"{prefix}_{secrets.token_hex(6)}"
    admin = create_engine(base_url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in base_url else "?"
    try:
        yield f"{base_url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
