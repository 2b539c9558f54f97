"""Issue #18: production mode behind a TLS proxy — HSTS and the HTTPS redirect on by
default (off only by their own variable), secure cookies and a real secret key required,
and `ordstyrer manage check --deploy --fail-level WARNING` clean with the documented
production variables (README "Configuration", .env.example). Run in fresh processes:
settings are read once."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ORDSTYRER = Path(sys.executable).with_name("ordstyrer")


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ORDSTYRER_", "META_", "DJANGO_ALLOW_ASYNC"))
    }
    env.update(
        ORDSTYRER_PRODUCTION="true",
        ORDSTYRER_SECRET_KEY=secrets.token_urlsafe(50),
        ORDSTYRER_SECURE_COOKIES="true",
        ORDSTYRER_ALLOWED_HOSTS="ordstyrer.kommune.no",
        ORDSTYRER_CSRF_TRUSTED_ORIGINS="https://ordstyrer.kommune.no",
        DATABASE_URL="postgres://ordstyrer:hemmelig@127.0.0.1:5432/ordstyrer",
        ORDSTYRER_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        ORDSTYRER_EMAIL_HOST="127.0.0.1",
        ORDSTYRER_FROM_EMAIL="ordstyrer@kommune.no",
        ORDSTYRER_BASE_URL="https://ordstyrer.kommune.no",
        ORDSTYRER_DATA_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    env.update(extra)
    return env


def settings_in(env: dict[str, str]) -> dict:
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({k: "
        "getattr(s, k, None) for k in ['SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', "
        "'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_PROXY_SSL_HEADER', "
        "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE']}))"
    )
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def run_ordstyrer(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [str(ORDSTYRER), *args],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_production_turns_on_https_redirect_hsts_and_trusts_the_proxy_header(tmp_path) -> None:
    values = settings_in(production_env(tmp_path))
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]


def test_each_can_be_turned_off_only_by_its_own_variable(tmp_path) -> None:
    values = settings_in(
        production_env(
            tmp_path,
            ORDSTYRER_SSL_REDIRECT="false",
            ORDSTYRER_HSTS_SECONDS="0",
            ORDSTYRER_PROXY_SSL_HEADER="X-Forwarded-Scheme",
        )
    )
    assert values["SECURE_SSL_REDIRECT"] is False and values["SECURE_HSTS_SECONDS"] == 0
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_SCHEME", "https"]


def test_the_embedded_default_is_not_production(tmp_path) -> None:
    env = production_env(tmp_path, ORDSTYRER_PRODUCTION="false", ORDSTYRER_SECURE_COOKIES="false")
    values = settings_in(env)
    assert not values["SECURE_SSL_REDIRECT"] and not values["SECURE_HSTS_SECONDS"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"ORDSTYRER_SECURE_COOKIES": "false"}, "ORDSTYRER_SECURE_COOKIES=true"),
        ({"ORDSTYRER_SECRET_KEY": "hemmelig"}, "at least 50 characters"),
        ({"ORDSTYRER_SECRET_KEY": ""}, "ORDSTYRER_SECRET_KEY must be set"),
        ({"ORDSTYRER_SECRET_KEY": "a" * 60}, "at least 50 characters"),
    ],
)
def test_production_refuses_to_start_without_secure_cookies_and_a_real_key(
    tmp_path, extra: dict[str, str], message: str
) -> None:
    done = run_ordstyrer(production_env(tmp_path, **extra), "manage", "check")
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr


def test_deploy_check_passes_with_the_documented_production_variables(tmp_path) -> None:
    done = run_ordstyrer(
        production_env(tmp_path), "manage", "check", "--deploy", "--fail-level", "WARNING"
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_documented_variables_are_in_env_example() -> None:
    example = (REPO / ".env.example").read_text(encoding="utf-8")
    for name in (
        "ORDSTYRER_SSL_REDIRECT",
        "ORDSTYRER_HSTS_SECONDS",
        "ORDSTYRER_PROXY_SSL_HEADER",
        "ORDSTYRER_LOGIN_FAILURE_LIMIT",
        "ORDSTYRER_LOGIN_COOLOFF_MINUTES",
        "ORDSTYRER_PROXY_COUNT",
    ):
        assert f"{name}=" in example
