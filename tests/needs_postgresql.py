"""For tests of several writers at the same moment (races, workers sharing the queue): they
run on PostgreSQL only, since SQLite lets one writer at a time and nothing would overlap."""

from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

MARKS = [
    pytest.mark.skipif("postgresql" not in settings.DATABASES["default"]["ENGINE"],
                       reason="PostgreSQL only: SQLite lets one writer at a time, so nothing overlaps"),
    pytest.mark.django_db(transaction=True),
]


def database_url() -> str:
    """The test database's address, for processes the test starts."""
    db = connection.settings_dict
    user = quote(db["USER"], safe="") + (f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else "")
    return f"postgresql://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'], safe='')}"
