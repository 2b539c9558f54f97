"""Operations QA pass (sprint 14): settings that would have given a traceback, or been
accepted silently and wrongly, stop every command with one line; production needs its
database URL and sits behind a proxy; the translations are found wherever the package is
installed. Each case runs in a fresh process: settings are read once."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ORDSTYRER = Path(sys.executable).with_name("ordstyrer")


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ORDSTYRER_", "META_", "DJANGO_", "DATABASE_URL"))
    }
    env["ORDSTYRER_DATA_DIR"] = str(tmp_path / "data")
    env.update(extra)
    return env


def production(tmp_path: Path, **extra: str) -> dict[str, str]:
    values = {
        "ORDSTYRER_PRODUCTION": "true",
        "ORDSTYRER_SECRET_KEY": secrets.token_urlsafe(50),
        "ORDSTYRER_SECURE_COOKIES": "true",
        "ORDSTYRER_ALLOWED_HOSTS": "ordstyrer.kommune.no",
        "ORDSTYRER_CSRF_TRUSTED_ORIGINS": "https://ordstyrer.kommune.no",
        "DATABASE_URL": "postgres://ordstyrer:hemmelig@127.0.0.1:5432/ordstyrer",
        "ORDSTYRER_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "ORDSTYRER_EMAIL_HOST": "127.0.0.1",
        "ORDSTYRER_FROM_EMAIL": "ordstyrer@kommune.no",
        "ORDSTYRER_BASE_URL": "https://ordstyrer.kommune.no",
    }
    return clean_env(tmp_path, **{**values, **extra})


def check(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [str(ORDSTYRER), "manage", "check"],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def python(env: dict[str, str], code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


REFUSED = [
    ({"DATABASE_URL": "garbage"}, "DATABASE_URL must be a PostgreSQL"),
    ({"DATABASE_URL": "mysql2://ordstyrer:hemmelig@db/ordstyrer"}, "mysql2:// is not supported"),
    ({"DATABASE_URL": "postgres://ordstyrer:hemmelig@db:port/ordstyrer"}, "not a valid URL"),
    ({"ORDSTYRER_LOG_LEVEL": "LOUD"}, "ORDSTYRER_LOG_LEVEL must be DEBUG, INFO"),
    ({"ORDSTYRER_ACCESS_LOG_LEVEL": "verbose"}, "ORDSTYRER_ACCESS_LOG_LEVEL must be"),
    ({"ORDSTYRER_DATA_DIR": "/proc/nope"}, "ORDSTYRER_DATA_DIR /proc/nope cannot be created"),
    (
        {"ORDSTYRER_OIDC_CLIENT_ID": "app", "ORDSTYRER_OIDC_CLIENT_SECRET": "s"},
        "need ORDSTYRER_OIDC_ISSUER",
    ),
    ({"ORDSTYRER_OIDC_CLIENT_SECRET": "s"}, "need ORDSTYRER_OIDC_ISSUER"),
    ({"ORDSTYRER_API_RATE_PER_MINUTE": "-5"}, "ORDSTYRER_API_RATE_PER_MINUTE must be at least 1"),
    ({"ORDSTYRER_API_AUTH_FAILURES_PER_IP": "0"}, "must be at least 1"),
    ({"ORDSTYRER_LOGIN_FAILURE_LIMIT": "0"}, "ORDSTYRER_LOGIN_FAILURE_LIMIT must be at least 1"),
    ({"ORDSTYRER_LOGIN_COOLOFF_MINUTES": "-1"}, "must be at least 1"),
    ({"ORDSTYRER_PROXY_COUNT": "-1"}, "ORDSTYRER_PROXY_COUNT must be at least 0"),
    ({"ORDSTYRER_TRUSTED_PROXY": "proxy.kommune.no"}, "must be an IP address or '*'"),
    ({"ORDSTYRER_PORT": "70000"}, "ORDSTYRER_PORT must be at most 65535"),
    ({"ORDSTYRER_SSO_SESSION_HOURS": "0"}, "ORDSTYRER_SSO_SESSION_HOURS must be at least 1"),
]


@pytest.mark.parametrize(("extra", "message"), REFUSED)
def test_a_bad_setting_stops_the_command_with_one_line(tmp_path, extra, message) -> None:
    done = check(clean_env(tmp_path, **extra), tmp_path)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ordstyrer: ugyldig oppsett: "), lines
    assert message in done.stderr and "Traceback" not in done.stderr
    assert "hemmelig" not in done.stderr  # a database URL's password is never repeated


PRODUCTION_REFUSED = [
    ({"DATABASE_URL": ""}, "ORDSTYRER_PRODUCTION=true needs DATABASE_URL"),
    ({"ORDSTYRER_DEBUG": "true"}, "ORDSTYRER_DEBUG=true is refused when ORDSTYRER_PRODUCTION=true"),
    ({"ORDSTYRER_HSTS_SECONDS": "-1"}, "ORDSTYRER_HSTS_SECONDS must be at least 0"),
    ({"ORDSTYRER_PROXY_COUNT": "0"}, "ORDSTYRER_PROXY_COUNT must be at least 1 in production"),
]


@pytest.mark.parametrize(("extra", "message"), PRODUCTION_REFUSED)
def test_production_refuses_what_would_be_wrong_there(tmp_path, extra, message) -> None:
    done = check(production(tmp_path, **extra), tmp_path)
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert message in done.stderr and "Traceback" not in done.stderr
    # Nothing was made on the way: no SQLite file beside the command.
    assert not (tmp_path / "data").exists()


def test_production_is_behind_one_proxy_unless_told_otherwise(tmp_path) -> None:
    code = "from django.conf import settings as s; print(s.PROXY_COUNT, s.TRUSTED_PROXY)"
    assert python(production(tmp_path), code, REPO).stdout.split() == ["1", "127.0.0.1"]
    tmp_path.joinpath("data").mkdir()
    embedded = clean_env(tmp_path)
    assert python(embedded, code, REPO).stdout.split() == ["0", "127.0.0.1"]
    other = production(tmp_path, ORDSTYRER_PROXY_COUNT="2", ORDSTYRER_TRUSTED_PROXY="::1")
    assert python(other, code, REPO).stdout.split() == ["2", "::1"]


def test_env_example_is_read_by_a_shell_and_accepted_as_it_is(tmp_path) -> None:
    """deploy.md §4: the environment file is copied from .env.example and read by
    `set -a; . FILE` (deploy/ordstyrer) as well as by systemd."""
    shell = shutil.which("sh") or "/bin/sh"
    code = "from django.conf import settings as s; print(s.PROXY_COUNT, s.DATABASES['default']['ENGINE'])"
    done = subprocess.run(  # noqa: S603
        [
            shell,
            "-c",
            'set -a; . "$0"; set +a; ORDSTYRER_DATA_DIR="$1"; exec "$2" -c "$3"',
            str(REPO / ".env.example"),
            str(tmp_path / "data"),
            sys.executable,
            code,
        ],
        env={**clean_env(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings"},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0", "django.db.backends.sqlite3"]


def test_the_translations_are_found_when_installed_as_a_wheel(tmp_path) -> None:
    """A wheel puts `config` and `ordstyrer` side by side in site-packages, with no `src`
    (pyproject: [tool.hatch.build.targets.wheel]); the checkout's layout must not matter."""
    site = tmp_path / "site-packages"
    site.mkdir()
    shutil.copytree(REPO / "config", site / "config")
    (site / "ordstyrer").symlink_to(REPO / "src" / "ordstyrer", target_is_directory=True)
    code = (
        "import django; django.setup()\n"
        "from pathlib import Path\n"
        "from django.conf import settings\n"
        "from django.template import Context, Template\n"
        "from django.utils import translation\n"
        "for path in settings.LOCALE_PATHS:\n"
        "    for lang in ('nn', 'en'):\n"
        "        print(lang, (Path(path) / lang / 'LC_MESSAGES' / 'django.mo').is_file())\n"
        "page = Template('{% load i18n %}{% translate \"Kanaler\" %}')\n"
        "for lang in ('en', 'nn', 'nb'):\n"
        "    with translation.override(lang):\n"
        "        print(lang, page.render(Context()))\n"
    )
    env = clean_env(tmp_path, PYTHONPATH=str(site))
    done = python(env, code, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "nn True",
        "en True",
        "en Channels",
        "nn Kanalar",
        "nb Kanaler",
    ]
