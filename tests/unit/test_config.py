"""Settings come from RAYON_* variables and refuse values they cannot understand."""

import pytest

from server.config import ConfigError, Settings


def test_defaults_use_the_embedded_database_under_var() -> None:
    """Without RAYON_DATABASE_URL the app uses SQLite in var/."""
    settings = Settings.from_env({})
    assert settings.is_sqlite and settings.database_url.endswith("var/rayon.sqlite3")
    assert settings.secret_key  # generated when unset


def test_values_are_parsed_by_type() -> None:
    """Booleans, integers and optional integers are converted."""
    settings = Settings.from_env(
        {
            "RAYON_DEBUG": "yes",
            "RAYON_MAX_PAGE_SIZE": "100",
            "RAYON_SEED_COUNT": "",
            "RAYON_DATABASE_URL": "postgresql+psycopg://u@h/db",
        }
    )
    assert settings.debug is True and settings.max_page_size == 100 and settings.seed_count is None
    assert not settings.is_sqlite


@pytest.mark.parametrize(("name", "value"), [("RAYON_DEBUG", "ture"), ("RAYON_MAX_PAGE_SIZE", "many")])
def test_unparseable_values_stop_start_up(name: str, value: str) -> None:
    """A typo is an error that names the variable, not a silent default."""
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({name: value})
