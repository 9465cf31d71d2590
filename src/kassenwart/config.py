"""Where Kassenwart keeps its data and how it reaches its database.

Configuration comes from KASSENWART_* environment variables (and DATABASE_URL). The data
directory holds the SQLite database, the generated secret key and uploaded files.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path


def _data_dir() -> Path:
    configured = os.environ.get("KASSENWART_DATA_DIR")
    if configured:
        return Path(configured).expanduser().resolve()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "kassenwart"


def _xsd_dir() -> Path | None:
    """Where the pain/camt XSDs are (they are not ours to ship): KASSENWART_XSD_DIR, else a
    developer checkout's ../shared/xsd."""
    configured = os.environ.get("KASSENWART_XSD_DIR")
    if configured:
        return Path(configured).expanduser().resolve()
    beside = Path(__file__).resolve().parents[3] / "shared" / "xsd"
    return beside if beside.is_dir() else None


LANGUAGES = ("en", "de")


def _language() -> str:
    """The language the command line speaks: KASSENWART_LANGUAGE ("de", "de_AT" and "de-DE"
    all mean German), English when unset. A language Kassenwart does not speak is refused,
    not silently replaced."""
    value = os.environ.get("KASSENWART_LANGUAGE", "").strip().lower().replace("_", "-")
    if not value:
        return "en"
    language = value.split("-")[0]
    if language not in LANGUAGES:
        raise ValueError(f"KASSENWART_LANGUAGE={value!r}: Kassenwart speaks {' and '.join(LANGUAGES)}")
    return language


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def secret_key(data_dir: Path) -> str:
    """The key from KASSENWART_SECRET_KEY, else one generated once into the data directory."""
    given = os.environ.get("KASSENWART_SECRET_KEY")
    if given:
        return given
    path = data_dir / "secret_key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


@dataclass(frozen=True)
class Config:
    data_dir: Path
    database_url: str
    debug: bool
    allowed_hosts: list[str]
    fints_product_id: str
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    mail_from: str = "kassenwart@localhost"
    xsd_dir: Path | None = None
    language: str = "en"

    @property
    def email_backend(self) -> str:
        if self.smtp_host:
            return "django.core.mail.backends.smtp.EmailBackend"
        return "django.core.mail.backends.console.EmailBackend"

    @classmethod
    def from_environment(cls) -> Config:
        data_dir = _data_dir()
        database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{data_dir / 'kassenwart.sqlite3'}"
        hosts = os.environ.get("KASSENWART_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
        return cls(
            data_dir=data_dir,
            database_url=database_url,
            debug=_flag("KASSENWART_DEBUG", False),
            allowed_hosts=[h.strip() for h in hosts.split(",") if h.strip()],
            fints_product_id=os.environ.get("KASSENWART_FINTS_PRODUCT_ID", ""),
            smtp_host=os.environ.get("KASSENWART_SMTP_HOST", ""),
            smtp_port=int(os.environ.get("KASSENWART_SMTP_PORT", "587")),
            smtp_user=os.environ.get("KASSENWART_SMTP_USER", ""),
            smtp_password=os.environ.get("KASSENWART_SMTP_PASSWORD", ""),
            mail_from=os.environ.get("KASSENWART_MAIL_FROM", "kassenwart@localhost"),
            xsd_dir=_xsd_dir(),
            language=_language(),
        )
