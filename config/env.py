"""Typed readers for environment variables that reject bad values instead of guessing."""

from __future__ import annotations

import ipaddress
import logging
import os
import re
from pathlib import Path
from typing import Any

import dj_database_url


class ConfigError(ValueError):
    """A setting in the environment has a value we will not guess about."""


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() == "true":
        return True
    if raw.lower() == "false":
        return False
    raise ConfigError(f"{name} must be 'true' or 'false', not {raw!r}")


def env_int(
    name: str, default: int, *, minimum: int | None = None, maximum: int | None = None
) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from exc
    if minimum is not None and value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {raw!r}")
    if maximum is not None and value > maximum:
        raise ConfigError(f"{name} must be at most {maximum}, not {raw!r}")
    return value


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, not {raw!r}") from exc
    if value < 0:
        raise ConfigError(f"{name} must not be negative, not {raw!r}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_path(name: str, default: Path) -> Path:
    raw = os.environ.get(name)
    return Path(raw).expanduser().resolve() if raw else default.resolve()


def env_log_level(name: str, default: str) -> str:
    """A level name of Python's logging (DEBUG, INFO, WARNING, ERROR, CRITICAL)."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    level = raw.upper()
    if level not in logging.getLevelNamesMapping():
        raise ConfigError(f"{name} must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {raw!r}")
    return level


def env_proxy_address(name: str, default: str) -> str:
    """The address the reverse proxy connects from, as the web server sees the peer (an
    IP address, compared as text: a host name never matches), or `*` for any peer."""
    raw = os.environ.get(name, "").strip() or default
    if raw == "*":
        return raw
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        raise ConfigError(f"{name} must be an IP address or '*', not {raw!r}") from None


# The databases Ordstyrer is built and tested on (docs/deploy.md).
SUPPORTED_ENGINES = ("django.db.backends.postgresql", "django.db.backends.sqlite3")


def env_database(name: str, *, conn_max_age: int) -> dict[str, Any] | None:
    """`name` as Django's database settings, or None when it is empty. Refused: a URL that
    does not parse, and any database but PostgreSQL and SQLite. The value is never
    repeated in the message (it holds the password); only its scheme is."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    scheme, found, _rest = raw.partition("://")
    plain = found and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]{0,30}", scheme)
    unsupported = f"; {scheme}:// is not supported" if plain else ""
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(raw, conn_max_age=conn_max_age))
    except dj_database_url.UnknownSchemeError:
        config = {}
    except ValueError:
        raise ConfigError(
            f"{name} is not a valid URL: postgres://USER:PASSWORD@HOST:5432/NAME, with "
            "special characters in the password percent-encoded"
        ) from None
    if config.get("ENGINE") not in SUPPORTED_ENGINES:
        raise ConfigError(
            f"{name} must be a PostgreSQL (postgres://USER:PASSWORD@HOST:5432/NAME) or SQLite "
            f"(sqlite:////PATH) URL{unsupported}"
        )
    return config
