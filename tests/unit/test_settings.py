"""Settings from TMC_* variables: bad values stop start-up with one clear line."""

import pytest

from trackmycrime.settings import SettingsError, load_settings


def test_defaults_to_a_sqlite_file():
    settings = load_settings({}, mode="demo")
    assert settings.database_url.startswith("sqlite:///")


def test_production_refuses_a_missing_or_default_secret_key():
    with pytest.raises(SettingsError, match="TMC_SECRET_KEY"):
        load_settings({}).check_for_production()
    with pytest.raises(SettingsError, match="TMC_SECRET_KEY"):
        load_settings({"TMC_SECRET_KEY": "change-me"}).check_for_production()
    with pytest.raises(SettingsError, match="too short"):
        load_settings({"TMC_SECRET_KEY": "short"}).check_for_production()
    load_settings({"TMC_SECRET_KEY": "x" * 40}).check_for_production()


def test_demo_and_test_mode_accept_the_default_key(tmp_path):
    load_settings(
        {"TMC_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}"}, mode="demo"
    ).check_for_production()
    load_settings({"TMC_MODE": "test"}).check_for_production()


@pytest.mark.parametrize(
    "database_url",
    [
        "postgresql://postgres@127.0.0.1:5432/trackmycrime",
        "sqlite:///trackmycrime.sqlite3",
        "sqlite:////srv/tmc.db",
    ],
)
def test_demo_mode_is_refused_on_any_database_but_a_throwaway_one(database_url):
    settings = load_settings(
        {"TMC_MODE": "demo", "TMC_DATABASE_URL": database_url, "TMC_SECRET_KEY": "x" * 40}
    )
    with pytest.raises(SettingsError, match="TMC_MODE=demo is only for `tmc demo`"):
        settings.check_for_production()


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TMC_SMTP_PORT", "twenty-five", "TMC_SMTP_PORT must be a whole number"),
        ("TMC_SMTP_PORT", "70000", "between 1 and 65535"),
        ("TMC_SMTP_TLS", "maybe", "none, starttls or tls"),
        ("TMC_DATABASE_URL", "mysql://localhost/tmc", "sqlite:/// or postgresql://"),
        ("TMC_BASE_URL", "portal.example", "must start with http"),
        ("TMC_MODE", "staging", "production, demo or test"),
        ("TMC_DB_POOL_SIZE", "0", "between 1 and 1000"),
    ],
)
def test_malformed_settings_are_explained(name, value, message):
    with pytest.raises(SettingsError, match=message):
        load_settings({name: value})


def test_https_base_url_means_secure_cookies():
    assert load_settings({"TMC_BASE_URL": "https://portal.example"}).secure_cookies
    assert not load_settings({"TMC_BASE_URL": "http://127.0.0.1:8000"}).secure_cookies


def test_postgresql_urls_get_our_own_async_driver():
    from trackmycrime.database import async_url

    assert async_url("postgresql://u@h/db").startswith("postgresql+asyncpg://")
    assert async_url("sqlite:///x.db") == "sqlite+aiosqlite:///x.db"


async def _pool_of(url: str, pool_size: int) -> tuple[int, int]:
    from trackmycrime.database import Database

    database = Database(url, pool_size=pool_size)
    try:
        pool = database.engine.sync_engine.pool
        return pool.size(), pool._max_overflow  # type: ignore[attr-defined]
    finally:
        await database.dispose()


def test_the_postgresql_pool_is_the_size_set_and_never_overflows():
    """A burst waits for one of the pool's connections instead of opening and closing more."""
    import asyncio

    settings = load_settings({"TMC_DB_POOL_SIZE": "7"})
    assert settings.db_pool_size == 7
    assert load_settings({}).db_pool_size == 20
    size, overflow = asyncio.run(_pool_of("postgresql://u@127.0.0.1/never_connected", settings.db_pool_size))
    assert (size, overflow) == (7, 0)
