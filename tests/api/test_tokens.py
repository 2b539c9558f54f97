"""API tokens: the CLI, hashed storage, expiry and revocation, the console page, rate
limits, audit attribution and Idempotency-Key (api.md "Authentication", "Idempotency")."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from ordstyrer.api.models import ApiToken, IdempotencyRecord
from ordstyrer.api.tokens import api_token_revoke
from ordstyrer.api.writes import idempotency_sweep
from ordstyrer.cli import main
from ordstyrer.core.models import AuditEntry
from ordstyrer.inbox.models import Reply
from ordstyrer.moderation.models import ModerationAction
from tests.api.conftest import ApiClient, citizen_comment, token_for
from tests.factories import PASSWORD

REPLY = "Hei! Svømmehallen åpner mandag. Hilsen Kari"


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    """`ordstyrer <django command>` closes every connection when it ends; in a test that
    would close the test's own transaction (PostgreSQL)."""
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)


def cli(capsys, *args: str) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


# --- the CLI ----------------------------------------------------------------------------


def test_cli_create_prints_the_token_alone_on_the_last_line(world, capsys):
    p = world.p
    code, out, _err = cli(
        capsys,
        "api-token",
        "create",
        "--municipality",
        "apiby",
        "--user",
        p.communications.username,
        "--days",
        "30",
    )
    assert code == 0
    secret = out.strip().splitlines()[-1]
    assert secret.startswith("ord_") and " " not in secret
    token = ApiToken.objects.get()
    # Stored hashed: neither the token nor its secret is in the row.
    assert secret not in str(token.__dict__)
    assert token.secret_hash == hashlib.sha256(secret.split("_", 2)[2].encode()).hexdigest()
    assert token.expires_at - token.created_at == timedelta(days=30)
    # No --scopes: everything communications' roles allow.
    assert "archive:export" in token.scopes and "crisis:write" in token.scopes
    assert ApiClient(secret).get("/api/v1/me").status_code == 200
    entry = AuditEntry.objects.get(action="api_token_create")
    assert entry.data["token"] == token.prefix and entry.municipality == p.municipality


def test_cli_scopes_are_narrowed_to_what_the_roles_allow(world, capsys):
    employee = world.p.employee.username
    code, out, _ = cli(capsys, "api-token", "create", "--municipality", "apiby", "--user", employee)
    assert code == 0
    assert "archive:read" not in ApiToken.objects.get().scopes  # AR-1: not for employees
    with pytest.raises(SystemExit) as refused:
        main(
            [
                "api-token",
                "create",
                "--municipality",
                "apiby",
                "--user",
                employee,
                "--scopes",
                "inbox:read,archive:read",
            ]
        )
    assert refused.value.code != 0
    assert "archive:read" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(
            [
                "api-token",
                "create",
                "--municipality",
                "apiby",
                "--user",
                employee,
                "--scopes",
                "everything",
            ]
        )
    assert "Ukjent tilgang" in capsys.readouterr().err
    # Not a member of the municipality: no token.
    with pytest.raises(SystemExit):
        main(
            ["api-token", "create", "--municipality", "apiby", "--user", world.p.outsider.username]
        )
    assert "ingen rolle" in capsys.readouterr().err
    assert ApiToken.objects.count() == 1


def test_cli_revoke_one_and_all(world, capsys):
    p = world.p
    first = token_for(p.communications, p.municipality)
    second = token_for(p.communications, p.municipality)
    prefix = first.split("_")[1]
    assert cli(capsys, "api-token", "revoke", prefix)[0] == 0
    assert ApiClient(first).get("/api/v1/me").status_code == 401
    assert ApiClient(second).get("/api/v1/me").status_code == 200
    code, out, _ = cli(capsys, "api-token", "revoke", "--all", "--user", p.communications.username)
    assert code == 0 and "1" in out
    assert ApiClient(second).get("/api/v1/me").status_code == 401
    assert AuditEntry.objects.filter(action="api_token_revoke").count() == 2


def test_an_expired_token_is_refused(world, clock):
    secret = token_for(world.p.communications, world.municipality, days=1)
    api = ApiClient(secret)
    assert api.get("/api/v1/me").status_code == 200
    clock.shift(timedelta(days=1, seconds=1))
    assert api.get("/api/v1/me").status_code == 401


def test_a_deactivated_person_s_token_is_refused(world):
    api = ApiClient(token_for(world.p.communications, world.municipality))
    world.p.communications.is_active = False
    world.p.communications.save()
    assert api.get("/api/v1/me").status_code == 401


def test_a_wrong_secret_with_a_real_prefix_is_refused(world):
    secret = token_for(world.p.communications, world.municipality)
    assert (
        ApiClient(secret[:-1] + ("A" if secret[-1] != "A" else "B")).get("/api/v1/me").status_code
        == 401
    )


def test_last_used_is_kept_without_a_write_per_request(world, clock):
    secret = token_for(world.p.communications, world.municipality)
    api = ApiClient(secret)
    api.get("/api/v1/me")
    token = ApiToken.objects.get()
    assert token.last_used_at is not None and token.last_used_ip == "127.0.0.1"
    first = token.last_used_at
    clock.shift(timedelta(seconds=10))
    api.get("/api/v1/me")
    assert ApiToken.objects.get().last_used_at == first
    clock.shift(timedelta(minutes=2))
    api.get("/api/v1/me")
    assert ApiToken.objects.get().last_used_at > first


def test_scopes_narrow_what_the_roles_allow(world):
    p = world.p
    item = citizen_comment(world.channel, "Når åpner svømmehallen igjen?")
    reader = ApiClient(token_for(p.communications, p.municipality, scopes=["inbox:read"]))
    assert reader.get("/api/v1/m/apiby/inbox/items").status_code == 200
    refused = reader.post(f"/api/v1/m/apiby/inbox/items/{item.pk}/replies", {"text": REPLY})
    assert refused.status_code == 403 and refused.json()["scope"] == "inbox:write"
    assert reader.get("/api/v1/m/apiby/archive/records").status_code == 403
    assert Reply.objects.count() == 0


# --- rate limits --------------------------------------------------------------------------


def test_rate_limit_per_token_is_429_with_retry_after(world, settings):
    settings.API_RATE_PER_MINUTE = 3
    api = ApiClient(token_for(world.p.communications, world.municipality))
    other = ApiClient(token_for(world.p.archivist, world.municipality))
    assert [api.get("/api/v1/me").status_code for _ in range(3)] == [200, 200, 200]
    limited = api.get("/api/v1/me")
    assert limited.status_code == 429 and int(limited["Retry-After"]) >= 1
    assert limited["Content-Type"] == "application/problem+json"
    assert other.get("/api/v1/me").status_code == 200  # per token


def test_failed_bearer_attempts_are_throttled_per_address(world, settings):
    settings.API_AUTH_FAILURES_PER_IP = 3
    good = token_for(world.p.communications, world.municipality)
    guesser = ApiClient("ord_deadbeef00_guess")
    assert [guesser.get("/api/v1/me").status_code for _ in range(3)] == [401, 401, 401]
    assert guesser.get("/api/v1/me").status_code == 429
    # From that address guessing waits until the window ends; a live token is never
    # refused for another's guesses (a shared host) …
    assert ApiClient(good).get("/api/v1/me").status_code == 200
    assert guesser.get("/api/v1/me").status_code == 429
    # … and another address may guess.
    elsewhere = Client(REMOTE_ADDR="10.0.0.7")
    response = elsewhere.get("/api/v1/me", headers={"Authorization": "Bearer ord_deadbeef00_x"})
    assert response.status_code == 401


def test_behind_a_trusted_proxy_the_forwarded_address_is_throttled(world, settings):
    settings.API_AUTH_FAILURES_PER_IP = 2
    settings.PROXY_COUNT = 1
    good = token_for(world.p.communications, world.municipality)
    proxy = Client(REMOTE_ADDR="10.0.0.1")

    def get(token: str, forwarded: str) -> int:
        headers = {"Authorization": f"Bearer {token}", "X-Forwarded-For": forwarded}
        return proxy.get("/api/v1/me", headers=headers).status_code

    assert [get("ord_deadbeef00_guess", "203.0.113.9") for _ in range(3)] == [401, 401, 429]
    # Another client behind the same proxy is not punished for the guesser.
    assert get(good, "198.51.100.4") == 200
    assert ApiToken.objects.get().last_used_ip == "198.51.100.4"


# --- attribution and idempotency ------------------------------------------------------------


def test_writes_and_reads_of_personal_data_are_attributed_to_the_token(world):
    secret = token_for(world.p.communications, world.municipality)
    prefix = secret.split("_")[1]
    api = ApiClient(secret)
    item = citizen_comment(world.channel, "Når åpner svømmehallen igjen?")
    before = AuditEntry.objects.count()
    api.get("/api/v1/m/apiby/inbox/items")
    api.get(f"/api/v1/m/apiby/inbox/items/{item.pk}")
    reads = AuditEntry.objects.filter(action="api_read", actor=world.p.communications)
    assert AuditEntry.objects.count() == before + 2 == before + reads.count()
    assert {r.data["token"] for r in reads} == {prefix}
    response = api.post(f"/api/v1/m/apiby/inbox/items/{item.pk}/replies", {"text": REPLY})
    entry = AuditEntry.objects.get(action="api_reply")
    assert entry.actor == world.p.communications and entry.data["token"] == prefix
    assert entry.data["id"] == response.json()["id"] and entry.data["status"] == 201


def test_idempotency_key_replays_the_first_result_and_does_nothing_again(
    world, clock, django_capture_on_commit_callbacks
):
    api = ApiClient(token_for(world.p.communications, world.municipality))
    item = citizen_comment(world.channel, "Når åpner svømmehallen igjen?")
    url = f"/api/v1/m/apiby/inbox/items/{item.pk}/replies"
    key = {"Idempotency-Key": "svar-1"}
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = api.post(url, {"text": REPLY}, headers=key)
    sent_tasks = len(callbacks)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = api.post(url, {"text": REPLY}, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Reply.objects.count() == 1 and sent_tasks >= 1 and len(callbacks) == 0
    # The key on another request is refused; another key makes another reply.
    moderation = api.post(
        f"/api/v1/m/apiby/inbox/items/{item.pk}/moderation", {"action": "hide"}, headers=key
    )
    assert moderation.status_code == 422 and ModerationAction.objects.count() == 0
    assert api.post(url, {"text": REPLY}, headers={"Idempotency-Key": "svar-2"}).status_code == 201
    assert Reply.objects.count() == 2
    # After 24 hours the key is free again (and the sweep forgets old records).
    clock.shift(timedelta(hours=24, seconds=1))
    assert idempotency_sweep(now=timezone.now()) == 2
    assert IdempotencyRecord.objects.count() == 0


def test_a_refused_write_stores_nothing_to_replay(world):
    api = ApiClient(token_for(world.p.communications, world.municipality))
    item = citizen_comment(world.channel, "Når åpner svømmehallen igjen?")
    url = f"/api/v1/m/apiby/inbox/items/{item.pk}/replies"
    key = {"Idempotency-Key": "svar-1"}
    blocked = {"text": "Vi har registrert 15058310058 på deg."}  # PU-1: a fødselsnummer
    assert api.post(url, blocked, headers=key).status_code == 422
    assert IdempotencyRecord.objects.count() == 0
    assert api.post(url, {"text": REPLY}, headers=key).status_code == 201


def test_a_bad_idempotency_key_is_422(world):
    api = ApiClient(token_for(world.p.communications, world.municipality))
    item = citizen_comment(world.channel, "Når åpner svømmehallen igjen?")
    response = api.post(
        f"/api/v1/m/apiby/inbox/items/{item.pk}/replies",
        {"text": REPLY},
        headers={"Idempotency-Key": "x" * 300},
    )
    assert response.status_code == 422 and Reply.objects.count() == 0


# --- the console page -----------------------------------------------------------------------


def login(user) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_console_lists_ones_own_tokens_and_communications_sees_all(world):
    p = world.p
    token_for(p.employee, p.municipality, name="Intranettet")
    token_for(p.communications, p.municipality, name="Sakssystemet")
    own = login(p.employee).get("/m/apiby/api-nokler/")
    assert own.status_code == 200
    assert "Intranettet" in own.content.decode() and "Sakssystemet" not in own.content.decode()
    every = login(p.communications).get("/m/apiby/api-nokler/").content.decode()
    assert "Intranettet" in every and "Sakssystemet" in every
    assert "<script>" not in every and 'style="' not in every


def test_console_revoke_asks_first_then_revokes(world):
    p = world.p
    secret = token_for(p.employee, p.municipality)
    token = ApiToken.objects.get()
    client = login(p.employee)
    url = f"/m/apiby/api-nokler/{token.pk}/trekk-tilbake/"
    page = client.get(url)
    assert page.status_code == 200 and "401" in page.content.decode()
    assert ApiToken.objects.get().revoked_at is None  # nothing done by looking
    assert client.post(url, {"confirmed": "1"}).status_code == 302
    assert ApiToken.objects.get().revoked_at is not None
    assert ApiClient(secret).get("/api/v1/me").status_code == 401
    assert client.post(url, {"confirmed": "1"}).status_code == 302  # a replayed form is harmless
    assert AuditEntry.objects.filter(action="api_token_revoke").count() == 1


def test_console_revoke_of_someone_elses_token(world):
    p = world.p
    token_for(p.communications, p.municipality)
    token = ApiToken.objects.get()
    url = f"/m/apiby/api-nokler/{token.pk}/trekk-tilbake/"
    assert login(p.employee).post(url, {"confirmed": "1"}).status_code == 404
    assert login(p.outsider).get(url).status_code == 404
    assert login(p.outsider).get("/m/apiby/api-nokler/").status_code == 404
    assert ApiToken.objects.get().revoked_at is None
    # The chief administrator may revoke any of the municipality's tokens.
    assert login(p.chief_administrator).post(url, {"confirmed": "1"}).status_code == 302
    assert ApiToken.objects.get().revoked_at is not None


def test_revoke_service_refuses_a_member_for_anothers_token(world):
    from ordstyrer.core.errors import NotPermitted

    token_for(world.p.communications, world.municipality)
    with pytest.raises(NotPermitted):
        api_token_revoke(actor=world.p.employee, token_id=ApiToken.objects.get().pk)


def test_rate_limit_counters_are_shared_by_every_process(settings, db):
    # Several `serve` processes count one token together: the counters live in the
    # database cache, not in one process's memory (docs/deploy.md).
    from django.core.cache import caches

    assert settings.CACHES["default"]["BACKEND"].endswith("db.DatabaseCache")
    caches["default"].set("shared-probe", 1)
    assert caches["default"].get("shared-probe") == 1
