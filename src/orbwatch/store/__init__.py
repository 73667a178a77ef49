"""The database: objects, full element-set history, ingest log (SQLAlchemy;
SQLite by default, PostgreSQL by URL)."""

from orbwatch.store.db import BatchReport, Store, default_db_path, open_store
from orbwatch.store.ingest import expand_paths, ingest_bytes, ingest_path

__all__ = ["BatchReport", "Store", "default_db_path", "expand_paths", "ingest_bytes",
           "ingest_path", "open_store"]
