import stat

import pytest

from kassenwart.config import Config, secret_key


def test_secret_key_is_generated_once_with_mode_0600(tmp_path, monkeypatch):
    monkeypatch.delenv("KASSENWART_SECRET_KEY", raising=False)
    first = secret_key(tmp_path)
    assert len(first) > 40
    assert secret_key(tmp_path) == first
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600


def test_data_dir_and_database_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("KASSENWART_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = Config.from_environment()
    assert config.data_dir == tmp_path
    assert config.database_url == f"sqlite:///{tmp_path / 'kassenwart.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    assert Config.from_environment().database_url == "postgresql://u@h/db"


@pytest.mark.parametrize(("value", "language"), [(None, "en"), ("", "en"), ("de", "de"), ("de_AT", "de"), ("DE-de", "de"),
                                                 ("en-GB", "en")])
def test_the_command_line_speaks_english_unless_kassenwart_language_says_otherwise(value, language, monkeypatch):
    if value is None:
        monkeypatch.delenv("KASSENWART_LANGUAGE", raising=False)
    else:
        monkeypatch.setenv("KASSENWART_LANGUAGE", value)
    assert Config.from_environment().language == language


def test_a_language_kassenwart_does_not_speak_is_refused(monkeypatch):
    monkeypatch.setenv("KASSENWART_LANGUAGE", "fr")
    with pytest.raises(ValueError, match="KASSENWART_LANGUAGE='fr': Kassenwart speaks en and de"):
        Config.from_environment()


def test_kassenwart_url_names_the_origin_and_adds_its_host(monkeypatch):
    monkeypatch.setenv("KASSENWART_URL", "https://kassenwart.example:8443/")
    monkeypatch.setenv("KASSENWART_ALLOWED_HOSTS", "127.0.0.1")
    config = Config.from_environment()
    assert config.https
    assert config.origin == "https://kassenwart.example:8443"
    assert config.allowed_hosts == ["127.0.0.1", "kassenwart.example"]
    monkeypatch.setenv("KASSENWART_URL", "http://[::1]:8000")
    config = Config.from_environment()
    assert not config.https and config.allowed_hosts == ["127.0.0.1", "[::1]"]
    monkeypatch.setenv("KASSENWART_URL", "kassenwart.example")
    with pytest.raises(ValueError, match="whole address"):
        Config.from_environment()


def test_sessions_last_30_minutes_idle_and_12_hours_at_most_unless_configured(monkeypatch):
    monkeypatch.delenv("KASSENWART_SESSION_IDLE_MINUTES", raising=False)
    monkeypatch.delenv("KASSENWART_SESSION_MAX_MINUTES", raising=False)
    config = Config.from_environment()
    assert (config.session_idle_minutes, config.session_max_minutes) == (30, 720)
    monkeypatch.setenv("KASSENWART_SESSION_IDLE_MINUTES", "15")
    monkeypatch.setenv("KASSENWART_SESSION_MAX_MINUTES", "480")
    config = Config.from_environment()
    assert (config.session_idle_minutes, config.session_max_minutes) == (15, 480)
    monkeypatch.setenv("KASSENWART_SESSION_IDLE_MINUTES", "0")
    with pytest.raises(ValueError, match="above 0"):
        Config.from_environment()
