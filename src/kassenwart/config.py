"""Where Kassenwart keeps its data and how it reaches its database.

Configuration comes from KASSENWART_* environment variables (and DATABASE_URL). The data
directory holds the SQLite database, the generated secret key and uploaded files.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit


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


def _url() -> str:
    """The address people open, e.g. https://kassenwart.example.com (KASSENWART_URL); "" when
    unset. Only its scheme and host are used: an https address turns on everything HTTPS needs."""
    value = os.environ.get("KASSENWART_URL", "").strip().rstrip("/")
    if value and not value.startswith(("http://", "https://")):
        raise ValueError(f"KASSENWART_URL={value!r}: give the whole address, e.g. https://kassenwart.example.com")
    return value


def _minutes(name: str, default: int, unit: str = "minutes") -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    minutes = int(value)
    if minutes <= 0:
        raise ValueError(f"{name}={value!r}: give a number of {unit} above 0")
    return minutes


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
    url: str = ""
    session_idle_minutes: int = 30
    session_max_minutes: int = 12 * 60
    trusted_proxy: str = ""  # as configured; `proxy` is the address believed
    api_rate_per_minute: int = 1200  # calls of one API token a minute, then 429
    webhooks_allow_private: bool = False  # webhooks to http:// and internal addresses too
    webhook_deliveries_keep_days: int = 30  # the delivery log's age, then pruned

    @property
    def https(self) -> bool:
        return self.url.startswith("https://")

    @property
    def proxy(self) -> str:
        """The address whose X-Forwarded-* headers are believed: KASSENWART_TRUSTED_PROXY, else
        127.0.0.1 behind TLS (KASSENWART_URL=https://...), else none."""
        return self.trusted_proxy or ("127.0.0.1" if self.https else "")

    @property
    def origin(self) -> str:
        """Scheme and host (with port) of KASSENWART_URL: what a browser sends as Origin."""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}" if self.url else ""

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
        url = _url()
        return cls(
            data_dir=data_dir,
            database_url=database_url,
            debug=_flag("KASSENWART_DEBUG", False),
            allowed_hosts=_hosts(hosts, url),
            fints_product_id=os.environ.get("KASSENWART_FINTS_PRODUCT_ID", ""),
            smtp_host=os.environ.get("KASSENWART_SMTP_HOST", ""),
            smtp_port=int(os.environ.get("KASSENWART_SMTP_PORT", "587")),
            smtp_user=os.environ.get("KASSENWART_SMTP_USER", ""),
            smtp_password=os.environ.get("KASSENWART_SMTP_PASSWORD", ""),
            mail_from=os.environ.get("KASSENWART_MAIL_FROM", "kassenwart@localhost"),
            xsd_dir=_xsd_dir(),
            language=_language(),
            url=url,
            session_idle_minutes=_minutes("KASSENWART_SESSION_IDLE_MINUTES", 30),
            session_max_minutes=_minutes("KASSENWART_SESSION_MAX_MINUTES", 12 * 60),
            trusted_proxy=os.environ.get("KASSENWART_TRUSTED_PROXY", "").strip(),
            api_rate_per_minute=_minutes("KASSENWART_API_RATE_PER_MINUTE", 1200),
            webhooks_allow_private=_flag("KASSENWART_WEBHOOKS_ALLOW_PRIVATE", False),
            webhook_deliveries_keep_days=_minutes("KASSENWART_WEBHOOK_DELIVERIES_KEEP_DAYS", 30, "days"),
        )


def _hosts(configured: str, url: str) -> list[str]:
    """KASSENWART_ALLOWED_HOSTS plus the host of KASSENWART_URL, so setting the address is enough."""
    hosts = [h.strip() for h in configured.split(",") if h.strip()]
    host = urlsplit(url).hostname or ""
    host = f"[{host}]" if ":" in host else host
    if host and host not in hosts:
        hosts.append(host)
    return hosts
