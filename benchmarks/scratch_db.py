"""Kept for scripts that import the scratch database by this name; it lives in harness.py."""

from harness import PG_SERVER, scratch_database  # noqa: F401
