"""Where the team's shared material (../shared, beside the repository) lies: the XSDs, the
bank-file corpus, the reconbench set. The one place that computes that path.

A user's clone has no ../shared, so there the tests that need it are skipped, and the run
says at its end how many (tests/conftest.py). Under CI (CI=true) the folder must be there:
its absence fails those tests, so a wrong path can never turn checks into silent skips.

KASSENWART_TEST_SHARED_DIR points the tests at another folder (to check the above).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("KASSENWART_TEST_SHARED_DIR") or REPO.parent / "shared")
# Skip reasons start with this, so the summary can count them.
MISSING = "../shared is missing"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def shared_missing(path: Path) -> NoReturn:
    """Skip the test for want of `path` in ../shared, or fail it under CI."""
    where = f"{path} is not here ({SHARED} is the team's shared folder beside the repository)"
    if in_ci():
        pytest.fail(f"{MISSING} under CI: {where}. CI must have a copy of shared/ beside the clone.",
                    pytrace=False)
    pytest.skip(f"{MISSING}: {where}")


def shared_path(*parts: str) -> Path:
    """A file or folder in ../shared; the test skips (fails under CI) when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        shared_missing(path)
    return path
