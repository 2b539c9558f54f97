"""Operations QA pass (sprint 14), following docs/deploy.md literally.

* Behind the documented proxy, `ordstyrer serve` (waitress) passes the proxy's
  X-Forwarded-Proto and X-Forwarded-For to Django — tested through a real `serve`
  process and raw HTTP: no redirect loop, HSTS, the login lockout counted per client
  address — and drops them from any other peer.
* `/healthz` answers a probe that names no public host, without an ERROR line.
* Backups are readable by their owner only; `demo-setup` refuses production;
  `bin/dev start --port N` reaches the e-mail links.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from django.test import Client

REPO = Path(__file__).resolve().parents[2]
ORDSTYRER = str(Path(sys.executable).with_name("ordstyrer"))
HOST = "ordstyrer.kommune.no"


def base_env(root: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ORDSTYRER_", "META_", "DJANGO_", "DATABASE_URL"))
    }
    env.update(
        DATABASE_URL=f"sqlite:///{root / 'ordstyrer.sqlite3'}",
        ORDSTYRER_DATA_DIR=str(root / "data"),
        **extra,
    )
    return env


def production_env(root: Path, **extra: str) -> dict[str, str]:
    values = {
        "ORDSTYRER_PRODUCTION": "true",
        "ORDSTYRER_SECRET_KEY": secrets.token_urlsafe(50),
        "ORDSTYRER_SECURE_COOKIES": "true",
        "ORDSTYRER_ALLOWED_HOSTS": HOST,
        "ORDSTYRER_CSRF_TRUSTED_ORIGINS": f"https://{HOST}",
        "ORDSTYRER_LOGIN_FAILURE_LIMIT": "3",
        "ORDSTYRER_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "ORDSTYRER_EMAIL_HOST": "127.0.0.1",
        "ORDSTYRER_FROM_EMAIL": f"ordstyrer@{HOST}",
        "ORDSTYRER_BASE_URL": f"https://{HOST}",
    }
    return base_env(root, **{**values, **extra})


def run(env: dict[str, str], *args: str, umask: int | None = None) -> subprocess.CompletedProcess:
    command = [ORDSTYRER, *args]
    if umask is not None:
        command = ["/bin/sh", "-c", f'umask {umask:03o}; exec "$@"', "sh", *command]
    return subprocess.run(  # noqa: S603
        command, env=env, cwd=REPO, capture_output=True, text=True, timeout=300, check=False
    )


@pytest.fixture(scope="module")
def installation(tmp_path_factory) -> Path:
    """A migrated SQLite installation, shared by this module's servers and commands."""
    root = tmp_path_factory.mktemp("installation")
    done = run(base_env(root), "migrate", "--no-input")
    assert done.returncode == 0, done.stderr
    return root


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(env: dict[str, str], log: Path) -> Iterator[str]:
    """`ordstyrer serve --no-worker` on a free port, as the systemd unit starts it."""
    port = free_port()
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603
            [ORDSTYRER, "serve", "--no-worker", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=REPO,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    httpx.get(f"{base}/healthz", timeout=5)
                    break
                except httpx.TransportError:
                    assert process.poll() is None, log.read_text()
                    assert time.monotonic() < deadline, log.read_text()
                    time.sleep(0.3)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=30)


def proxied(client: str, *, https: bool = True) -> dict[str, str]:
    """The headers nginx (deploy/nginx.conf) adds for a client at `client`."""
    headers = {"Host": HOST, "X-Forwarded-For": client}
    if https:
        headers["X-Forwarded-Proto"] = "https"
    return headers


def failed_login(base: str, headers: dict[str, str], username: str) -> int:
    """One failed login through the login form, as a browser does it; the status."""
    page = httpx.get(f"{base}/logg-inn/", headers=headers, timeout=30)
    assert page.status_code == 200, page.status_code
    cookie = re.search(r"csrftoken=([^;]+)", page.headers.get("set-cookie", ""))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert cookie and token
    scheme = "https" if headers.get("X-Forwarded-Proto") == "https" else "http"
    answer = httpx.post(
        f"{base}/logg-inn/",
        headers={**headers, "Cookie": f"csrftoken={cookie[1]}", "Origin": f"{scheme}://{HOST}"},
        data={"csrfmiddlewaretoken": token[1], "username": username, "password": "feil-passord"},
        timeout=30,
    )
    return answer.status_code


def test_behind_the_proxy_waitress_passes_https_and_the_client_address(installation, tmp_path):
    env = production_env(installation, ORDSTYRER_PROXY_COUNT="1")
    log = tmp_path / "serve.log"
    with serving(env, log) as base:
        # HTTPS as the proxy says: no redirect back to https (the loop), HSTS sent.
        page = httpx.get(f"{base}/", headers=proxied("203.0.113.10"), timeout=30)
        assert page.status_code != 301, page.headers.get("location")
        assert page.headers.get("strict-transport-security", "").startswith("max-age=31536000")
        assert page.headers.get("location", "/").startswith("/")
        # Plain HTTP through the proxy is still sent to HTTPS.
        plain = httpx.get(f"{base}/", headers=proxied("203.0.113.10", https=False), timeout=30)
        assert plain.status_code == 301
        assert plain.headers["location"] == f"https://{HOST}/"

        # The lockout counts per client address: three failures from one address lock it
        # (ORDSTYRER_LOGIN_FAILURE_LIMIT=3), not everyone behind the proxy.
        for n in range(3):
            failed_login(base, proxied("203.0.113.10"), f"ukjent-a{n}")
        assert failed_login(base, proxied("203.0.113.10"), "ukjent-a9") == 429
        assert failed_login(base, proxied("203.0.113.20"), "ukjent-b1") == 200
        # An address a client puts in front of the proxy's own is not the one counted.
        assert failed_login(base, proxied("203.0.113.20, 203.0.113.10"), "ukjent-b2") == 429

        # A probe from inside the network names no public host (deploy.md §8).
        health = httpx.get(f"{base}/healthz", timeout=30)
        assert health.status_code == 200
        assert set(health.json()) == {"status", "database", "worker"}
    output = log.read_text()
    assert "DisallowedHost" not in output and "Traceback" not in output


def test_forwarded_headers_from_anyone_but_the_proxy_are_dropped(installation, tmp_path):
    """A client that reaches a web port directly (the proxy is elsewhere) claims HTTPS and
    other addresses in vain."""
    env = production_env(
        installation,
        ORDSTYRER_PROXY_COUNT="1",
        ORDSTYRER_TRUSTED_PROXY="192.0.2.1",
        ORDSTYRER_SSL_REDIRECT="false",
    )
    with serving(env, tmp_path / "serve.log") as base:
        page = httpx.get(f"{base}/", headers=proxied("198.51.100.1"), timeout=30)
        assert "strict-transport-security" not in page.headers  # not taken for HTTPS
        for n in range(3):
            failed_login(base, proxied(f"198.51.100.{n + 2}"), f"spoof-{n}")
        # Every attempt counted against the real peer, whatever it claimed.
        assert failed_login(base, proxied("198.51.100.99"), "spoof-9") == 429


def test_waitress_trusts_no_proxy_unless_one_is_configured(settings):
    from ordstyrer.core.management.commands.serve import waitress_options

    settings.PROXY_COUNT = 0
    assert "trusted_proxy" not in waitress_options(host="127.0.0.1", port=8000, threads=4)
    settings.PROXY_COUNT = 2
    settings.TRUSTED_PROXY = "10.0.0.5"
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_SCHEME", "https")
    options = waitress_options(host="127.0.0.1", port=8000, threads=4)
    assert options["trusted_proxy"] == "10.0.0.5" and options["trusted_proxy_count"] == 2
    # Only the headers Django's settings read: X-Forwarded-Proto is not the SSL header here.
    assert options["trusted_proxy_headers"] == {"x-forwarded-for"}


def test_healthz_answers_a_probe_that_names_no_public_host(db, caplog):
    caplog.set_level(logging.INFO)
    response = Client().get("/healthz", HTTP_HOST="10.20.30.40:8001")
    assert response.status_code == 200
    assert set(response.json()) == {"status", "database", "worker"}
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    # Every other path still checks the host, and /healthz still only answers GET.
    assert Client().get("/logg-inn/", HTTP_HOST="10.20.30.40:8001").status_code == 400
    assert Client().post("/healthz", HTTP_HOST="10.20.30.40:8001").status_code == 405


def test_a_backup_is_readable_by_its_owner_only(installation, tmp_path):
    out = tmp_path / "kopi.tar"
    done = run(base_env(installation), "backup", "create", "--out", str(out), umask=0o022)
    assert done.returncode == 0, done.stderr
    assert out.stat().st_mode & 0o777 == 0o600
    unit = (REPO / "deploy/systemd/ordstyrer-backup.service").read_text(encoding="utf-8")
    assert "\nUMask=0077\n" in unit


def test_demo_setup_refuses_production_and_creates_nobody(installation):
    done = run(production_env(installation), "demo-setup")
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "produksjon" in lines[0], done.stderr
    with sqlite3.connect(installation / "ordstyrer.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM auth_user").fetchone() == (0,)


@pytest.mark.parametrize("port_args", [["--port", "8106"], ["--port=8106"]])
def test_bin_dev_start_port_reaches_the_email_links(tmp_path, port_args):
    """`bin/dev start --port 8106`: the links in e-mail say 8106 (core.mail.console_url)."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    digest = hashlib.sha256(
        (REPO / "requirements.lock").read_bytes() + (REPO / "pyproject.toml").read_bytes()
    ).hexdigest()
    (venv / ".ordstyrer-lock").write_text(digest + "\n")  # bin/dev's "venv is current" stamp
    (venv / "bin/python").write_text("#!/bin/sh\nexit 0\n")
    link = (
        "import django; django.setup(); from ordstyrer.core.mail import console_url; "
        "print('link', console_url('/m/demo/'))"
    )
    (venv / "bin/ordstyrer").write_text(
        "#!/bin/sh\n"
        'echo "$1 ${ORDSTYRER_PORT:-unset}" >> "$QA_LOG"\n'
        '[ "$1" = serve ] && exec "$QA_PYTHON" -c "$QA_LINK" >> "$QA_LOG"\n'
        "exit 0\n"
    )
    for stub in ("python", "ordstyrer"):
        (venv / "bin" / stub).chmod(0o755)
    # Only what bin/dev needs on PATH: no dpkg or apt, so it installs nothing.
    tools = tmp_path / "tools"
    tools.mkdir()
    for tool in ("bash", "cat", "sha256sum", "cut", "dirname"):
        found = next(Path(d) / tool for d in ("/usr/bin", "/bin") if (Path(d) / tool).exists())
        (tools / tool).symlink_to(found)
    log = tmp_path / "calls.log"
    env = {
        "PATH": str(tools),
        "ORDSTYRER_VENV": str(venv),
        "ORDSTYRER_DATA_DIR": str(tmp_path / "data"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "QA_LOG": str(log),
        "QA_PYTHON": sys.executable,
        "QA_LINK": link,
    }
    done = subprocess.run(  # noqa: S603
        [str(tools / "bash"), str(REPO / "bin/dev"), "start", *port_args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert log.read_text().splitlines() == [
        "migrate 8106",
        "demo-setup 8106",
        "serve 8106",
        "link http://localhost:8106/m/demo/",
    ]
