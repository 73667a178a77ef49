"""Database schema (SQLAlchemy Core): objects, element-set history, ingest log,
and the monitor's state (runs, events, their changes, findings).

The same tables run on SQLite (default, a file) and PostgreSQL.  Element
sets are identified by their content key (:func:`orbwatch.elements.model.identity_key`),
never by ELEMENT_SET_NO, so the same set arriving twice, shuffled, or once
as TLE and once as OMM is stored once.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

__all__ = ["metadata", "meta", "ingest_batches", "objects", "element_sets", "catalog_records",
           "monitor_runs", "monitor_events", "monitor_event_changes", "monitor_findings",
           "SCHEMA_VERSION", "ELEMENT_COLUMNS", "OBJECT_COLUMNS"]

SCHEMA_VERSION = 1

metadata = MetaData()


def _catalog_columns() -> list[Column]:
    """Catalogue fields shared by ``objects`` and ``catalog_records``."""
    return [
        Column("intldes", String(16)),
        Column("owner", String(32)),
        Column("object_type", String(16)),  # payload, rocket body, debris, unknown
        Column("launch_date", String(10)),
        Column("decay_date", String(10)),
        Column("launch_site", String(16)),
        Column("rcs_size", String(8)),
        Column("rcs_m2", Float),
        Column("hbr_m", Float),
        Column("mass_kg", Float),
    ]

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

ingest_batches = Table(
    "ingest_batches",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", String(32), nullable=False),  # ISO UTC
    Column("finished_at", String(32)),
    Column("source", Text, nullable=False),  # "file:/path", "celestrak:GROUP=..."
    Column("content_sha256", String(64)),
    Column("format", String(32)),
    Column("records", Integer, nullable=False, default=0),
    Column("added", Integer, nullable=False, default=0),
    Column("present", Integer, nullable=False, default=0),
    Column("rejected", Integer, nullable=False, default=0),
    Column("rejects_json", Text),  # {"ChecksumError": 2, ...}
    Column("status", String(16), nullable=False),  # committed
)

objects = Table(
    "objects",
    metadata,
    Column("norad", BigInteger, primary_key=True, autoincrement=False),
    Column("name", Text),
    Column("name_epoch_us", BigInteger),  # epoch of the set the name came from
    *_catalog_columns(),
    Column("catalog_source", Text),
)

element_sets = Table(
    "element_sets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(32), nullable=False, unique=True),
    Column("norad", BigInteger, nullable=False),
    Column("epoch_us", BigInteger, nullable=False),
    Column("mean_motion", Float, nullable=False),
    Column("eccentricity", Float, nullable=False),
    Column("inclination", Float, nullable=False),
    Column("raan", Float, nullable=False),
    Column("arg_perigee", Float, nullable=False),
    Column("mean_anomaly", Float, nullable=False),
    Column("bstar", Float, nullable=False),
    Column("mean_motion_dot", Float, nullable=False),
    Column("mean_motion_ddot", Float, nullable=False),
    Column("classification", String(1), nullable=False),
    Column("ephemeris_type", Integer, nullable=False),
    Column("element_set_no", Integer),
    Column("rev_at_epoch", Integer),
    Column("name", Text),
    Column("intldes", String(16)),
    Column("source", Text, nullable=False),
    Column("format", String(16), nullable=False),
    Column("batch_id", Integer, ForeignKey("ingest_batches.id"), nullable=False),
)
Index("ix_element_sets_norad_epoch", element_sets.c.norad, element_sets.c.epoch_us)

# One row per object per catalogue file: the objects table is derived from these
# by source precedence (see orbwatch.store.catalog), so re-ingesting any file,
# in any order, leaves the objects as they were.
catalog_records = Table(
    "catalog_records",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("norad", BigInteger, nullable=False),
    Column("kind", String(32), nullable=False),  # celestrak-satcat, esri-oio, cara-hbr ...
    Column("origin", Text, nullable=False),  # the file or query it came from
    Column("name", Text),
    *_catalog_columns(),
    Column("batch_id", Integer, ForeignKey("ingest_batches.id"), nullable=False),
)
Index("ux_catalog_records_norad_origin", catalog_records.c.norad, catalog_records.c.origin,
      unique=True)

# The monitor (orbwatch.monitor): one row per run, with the element-set and
# ingest-batch high-water marks it covers and the steps it finished, so a run
# killed midway is resumed where it stopped.  Tables are added by create_all
# to databases made before they existed (it creates only missing tables).
monitor_runs = Table(
    "monitor_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", String(32), nullable=False),  # ISO UTC
    Column("finished_at", String(32)),
    Column("status", String(16), nullable=False),  # running | finished
    Column("from_set_id", Integer, nullable=False),  # element_sets.id > this ...
    Column("to_set_id", Integer, nullable=False),  # ... and <= this
    Column("to_batch_id", Integer, nullable=False),  # ingest_batches.id high-water mark
    Column("since_us", BigInteger),
    Column("settings_sha256", String(64), nullable=False),  # code, notifications, options
    Column("steps_json", Text, nullable=False, default="[]"),  # steps finished, in order
    Column("summary_json", Text),
)

# Events by a monitor key (the id the event had when first seen): a later run
# that measures the same event again (same kind and objects, overlapping
# time) updates the row instead of adding another.
monitor_events = Table(
    "monitor_events",
    metadata,
    Column("key", String(24), primary_key=True),
    Column("event_id", String(24), nullable=False),  # Event.id of the current version
    Column("kind", String(16), nullable=False),
    Column("objects", Text, nullable=False),  # "a,b,..."
    Column("epoch_us", BigInteger, nullable=False),
    Column("start_us", BigInteger),
    Column("end_us", BigInteger),
    Column("event_json", Text, nullable=False),
    Column("revision", Integer, nullable=False, default=1),
    Column("first_run", Integer, nullable=False),
    Column("last_run", Integer, nullable=False),
)
Index("ix_monitor_events_kind_objects", monitor_events.c.kind, monitor_events.c.objects)

monitor_event_changes = Table(
    "monitor_event_changes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(24), nullable=False),
    Column("run_id", Integer, nullable=False),
    Column("changes_json", Text, nullable=False),  # {"field": [old, new], ...}
)

# Findings of the latest judging (replaced as a whole by each run that judges).
monitor_findings = Table(
    "monitor_findings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, nullable=False),
    Column("rule_id", String(64), nullable=False),
    Column("verdict", String(16), nullable=False),
    Column("finding_json", Text, nullable=False),
)

#: ElementSet fields stored one-to-one in element_sets
ELEMENT_COLUMNS = (
    "norad", "epoch_us", "mean_motion", "eccentricity", "inclination", "raan", "arg_perigee",
    "mean_anomaly", "bstar", "mean_motion_dot", "mean_motion_ddot", "classification",
    "ephemeris_type", "element_set_no", "rev_at_epoch", "name", "intldes", "source", "format",
)

#: catalogue fields of the objects table
OBJECT_COLUMNS = (
    "intldes", "owner", "object_type", "launch_date", "decay_date", "launch_site", "rcs_size",
    "rcs_m2", "hbr_m", "mass_kg",
)
