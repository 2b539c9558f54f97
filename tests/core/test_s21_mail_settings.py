"""Production e-mail reaches a real relay, or production does not start (PU-12, DI-10).

The notices to the crisis leader and deputies (PU-12), to the approvers of a post and the
DI-10 escalations are e-mail. With ORDSTYRER_PRODUCTION=true and the mail variables
forgotten, every one of them went to the worker's console; with the SMTP backend set,
there was no way to name the relay, its port, TLS or login, and no timeout, so a stalled
relay held the one-task-at-a-time worker. Settings are read once per process, so each
case reads a fresh copy of the settings module (`runpy`) under its own environment; two
cases go through the `ordstyrer` command, to show the one line a refusal prints."""

from __future__ import annotations

import os
import runpy
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from config.env import ConfigError

REPO = Path(__file__).resolve().parents[2]
ORDSTYRER = Path(sys.executable).with_name("ordstyrer")
SMTP = "django.core.mail.backends.smtp.EmailBackend"
PASSWORD = "relay-hemmelighet-42"  # noqa: S105

# What an operator sets for mail (docs/deploy.md §4, .env.example). 127.0.0.1: nothing is
# sent by these tests, and nothing could leave the machine if it were.
MAIL = {
    "ORDSTYRER_EMAIL_BACKEND": SMTP,
    "ORDSTYRER_EMAIL_HOST": "127.0.0.1",
    "ORDSTYRER_FROM_EMAIL": "Ordstyrer <ordstyrer@kommune.no>",
    "ORDSTYRER_BASE_URL": "https://ordstyrer.kommune.no",
}


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ORDSTYRER_", "META_", "DJANGO_", "DATABASE_URL"))
    }
    env["ORDSTYRER_DATA_DIR"] = str(tmp_path / "data")
    env.update(extra)
    return env


def production(tmp_path: Path, **extra: str) -> dict[str, str]:
    """Production with the secrets it always needed, and no mail variables."""
    values = {
        "ORDSTYRER_PRODUCTION": "true",
        "ORDSTYRER_SECRET_KEY": secrets.token_urlsafe(50),
        "ORDSTYRER_SECURE_COOKIES": "true",
        "ORDSTYRER_ALLOWED_HOSTS": "ordstyrer.kommune.no",
        "ORDSTYRER_CSRF_TRUSTED_ORIGINS": "https://ordstyrer.kommune.no",
        "DATABASE_URL": "postgres://ordstyrer:hemmelig@127.0.0.1:5432/ordstyrer",
    }
    return environment(tmp_path, **{**values, **extra})


def check(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        [str(ORDSTYRER), "manage", "check"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


NAMES = [
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_USE_TLS",
    "EMAIL_USE_SSL",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_TIMEOUT",
    "DEFAULT_FROM_EMAIL",
]


def mail_settings(env: dict[str, str]) -> dict[str, Any]:
    """The mail settings a process started with `env` would have (ConfigError if refused)."""
    with mock.patch.dict(os.environ, env, clear=True):
        values = runpy.run_path(str(REPO / "config" / "settings.py"))
    return {name: values[name] for name in NAMES}


def refusal(env: dict[str, str]) -> str:
    with pytest.raises(ConfigError) as caught:
        mail_settings(env)
    return str(caught.value)


def refused(done: subprocess.CompletedProcess[str]) -> str:
    """The one Norwegian line a refused setting gives, with no traceback."""
    assert done.returncode == 2, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ordstyrer: ugyldig oppsett: "), lines
    assert "Traceback" not in done.stderr
    return lines[0]


def test_production_without_the_mail_variables_refuses_to_start(tmp_path) -> None:
    # Before: it started, and every notice went to the worker's stdout with no warning.
    line = refused(check(production(tmp_path)))
    assert "ORDSTYRER_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend" in line
    assert "not console, which sends nothing" in line


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            {"ORDSTYRER_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
            "not locmem, which sends nothing",
        ),
        (
            {"ORDSTYRER_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"},
            "not dummy, which sends nothing",
        ),
        (
            {"ORDSTYRER_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend"},
            "not filebased, which sends nothing",
        ),
        # The relay forgotten: Django would quietly try localhost:25.
        ({"ORDSTYRER_EMAIL_HOST": ""}, "with the SMTP backend needs ORDSTYRER_EMAIL_HOST"),
        ({"ORDSTYRER_FROM_EMAIL": ""}, "needs ORDSTYRER_FROM_EMAIL"),
        ({"ORDSTYRER_FROM_EMAIL": "ordstyrer@localhost"}, "not @localhost"),
        ({"ORDSTYRER_FROM_EMAIL": "Ordstyrer <ordstyrer@LOCALHOST>"}, "not @localhost"),
        # No link base: every link in e-mail would point at http://localhost:8000.
        ({"ORDSTYRER_BASE_URL": ""}, "needs ORDSTYRER_BASE_URL (or ORDSTYRER_PUBLIC_URL)"),
        ({"ORDSTYRER_BASE_URL": "http://ordstyrer.kommune.no"}, "https:// address"),
        ({"ORDSTYRER_BASE_URL": "ordstyrer.kommune.no"}, "https:// address"),
    ],
)
def test_production_refuses_mail_that_would_not_arrive_or_links_that_would_not_open(
    tmp_path, extra: dict[str, str], message: str
) -> None:
    line = refusal(production(tmp_path, **{**MAIL, **extra}))
    assert message in line
    assert not (tmp_path / "data").exists()  # stopped before anything was made


def test_the_public_url_serves_as_the_link_base_in_production(tmp_path) -> None:
    env = production(
        tmp_path,
        **{**MAIL, "ORDSTYRER_BASE_URL": "", "ORDSTYRER_PUBLIC_URL": "https://o.kommune.no"},
    )
    assert mail_settings(env)["EMAIL_BACKEND"] == SMTP


def test_with_the_smtp_variables_production_names_the_relay_and_limits_a_stall(tmp_path) -> None:
    env = production(
        tmp_path,
        **{
            **MAIL,
            "ORDSTYRER_EMAIL_HOST": "smtp.kommune.no",
            "ORDSTYRER_EMAIL_USE_TLS": "true",
            "ORDSTYRER_EMAIL_HOST_USER": "ordstyrer",
            "ORDSTYRER_EMAIL_HOST_PASSWORD": PASSWORD,
        },
    )
    assert mail_settings(env) == {
        "EMAIL_BACKEND": SMTP,
        "EMAIL_HOST": "smtp.kommune.no",
        "EMAIL_PORT": 587,  # STARTTLS's submission port unless told otherwise
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "EMAIL_HOST_USER": "ordstyrer",
        "EMAIL_HOST_PASSWORD": PASSWORD,
        "EMAIL_TIMEOUT": 20,
        "DEFAULT_FROM_EMAIL": "Ordstyrer <ordstyrer@kommune.no>",
    }
    implicit = production(
        tmp_path, **MAIL, ORDSTYRER_EMAIL_USE_SSL="true", ORDSTYRER_EMAIL_TIMEOUT="7"
    )
    values = mail_settings(implicit)
    assert (values["EMAIL_PORT"], values["EMAIL_USE_SSL"], values["EMAIL_TIMEOUT"]) == (
        465,
        True,
        7,
    )
    own_port = production(tmp_path, **MAIL, ORDSTYRER_EMAIL_PORT="2525")
    assert mail_settings(own_port)["EMAIL_PORT"] == 2525


def test_the_embedded_default_prints_mail_but_never_waits_for_ever(tmp_path) -> None:
    values = mail_settings(environment(tmp_path))
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert values["EMAIL_TIMEOUT"] == 20


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            {"ORDSTYRER_EMAIL_USE_TLS": "true", "ORDSTYRER_EMAIL_USE_SSL": "true"},
            "exclude each other",
        ),
        ({"ORDSTYRER_EMAIL_HOST_USER": "ordstyrer"}, "go together"),
        ({"ORDSTYRER_EMAIL_HOST_PASSWORD": PASSWORD}, "go together"),
        ({"ORDSTYRER_EMAIL_TIMEOUT": "0"}, "ORDSTYRER_EMAIL_TIMEOUT must be at least 1"),
        ({"ORDSTYRER_EMAIL_PORT": "70000"}, "ORDSTYRER_EMAIL_PORT must be at most 65535"),
        ({"ORDSTYRER_EMAIL_USE_TLS": "yes"}, "ORDSTYRER_EMAIL_USE_TLS must be 'true' or 'false'"),
    ],
)
def test_a_relay_setting_it_will_not_guess_about_stops_every_command(
    tmp_path, extra: dict[str, str], message: str
) -> None:
    line = refusal(environment(tmp_path, **extra))
    assert message in line
    assert PASSWORD not in line  # the relay's password is never repeated


def test_a_relay_setting_refusal_is_one_line_from_any_command(tmp_path) -> None:
    line = refused(check(environment(tmp_path, ORDSTYRER_EMAIL_TIMEOUT="0")))
    assert "ORDSTYRER_EMAIL_TIMEOUT must be at least 1" in line
