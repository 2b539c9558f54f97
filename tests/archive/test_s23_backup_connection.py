"""pg_dump and pg_restore connect where Django connects (docs/deploy.md §10).

An empty HOST (the local socket, peer authentication) became `--host 127.0.0.1`, and
the connection's OPTIONS (sslmode, sslrootcert, sslcert, sslkey) were dropped: the
backup of a database Django reached could not connect, or connected without the TLS
checks the installation asked for. The password stays out of the command line.
"""

from __future__ import annotations

from ordstyrer.archive import backup


def test_the_local_socket_and_the_tls_options_reach_the_client_tools(settings, monkeypatch):
    db = settings.DATABASES["default"]
    monkeypatch.setitem(db, "HOST", "")
    monkeypatch.setitem(db, "PORT", "")
    monkeypatch.setitem(db, "USER", "ordstyrer")
    monkeypatch.setitem(db, "PASSWORD", "hemmelig")
    options = {
        "sslmode": "verify-full",
        "sslrootcert": "/etc/ssl/kommune-ca.pem",
        "sslcert": "/etc/ordstyrer/client.crt",
        "sslkey": "/etc/ordstyrer/client.key",
    }
    monkeypatch.setitem(db, "OPTIONS", options)

    args, env = backup._pg_env()

    assert args == ["--username", "ordstyrer"]  # no --host: the socket, as for Django
    assert env["PGSSLMODE"] == "verify-full"
    assert env["PGSSLROOTCERT"] == "/etc/ssl/kommune-ca.pem"
    assert env["PGSSLCERT"] == "/etc/ordstyrer/client.crt"
    assert env["PGSSLKEY"] == "/etc/ordstyrer/client.key"
    assert env["PGPASSWORD"] == "hemmelig"
    assert "hemmelig" not in args


def test_a_host_and_port_are_passed_as_given(settings, monkeypatch):
    db = settings.DATABASES["default"]
    monkeypatch.setitem(db, "HOST", "db.kommune.no")
    monkeypatch.setitem(db, "PORT", "6432")
    monkeypatch.setitem(db, "USER", "")
    monkeypatch.setitem(db, "OPTIONS", {})

    args, _ = backup._pg_env()

    assert args == ["--host", "db.kommune.no", "--port", "6432"]
