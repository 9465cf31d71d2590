"""A throw-away PostgreSQL database for a benchmark run, dropped afterwards whatever happens."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

PG_SERVER = "postgresql://postgres@127.0.0.1:5432"


@contextmanager
def scratch_database(prefix: str) -> Iterator[str]:
    """Create a database on the local server; yields its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    subprocess.run(["psql", f"{PG_SERVER}/postgres", "-qc", f"CREATE DATABASE {name}"], check=True)
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        subprocess.run(["psql", f"{PG_SERVER}/postgres", "-qc", f"DROP DATABASE {name}"], check=False)
