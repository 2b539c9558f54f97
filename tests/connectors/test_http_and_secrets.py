"""The outgoing HTTP session, masked/encrypted tokens and the connector registry."""

from __future__ import annotations

import logging
import pickle

import httpx
import pytest
from cryptography.fernet import Fernet

from ordstyrer.connectors.base import Capability, ConnectorError, ErrorCode, supports
from ordstyrer.connectors.registry import CONNECTORS, connector_class, get_connector
from ordstyrer.connectors.secrets import (
    ENV_KEY,
    SecretToken,
    TokenCipher,
    TokenDecryptError,
    TokenKeyError,
)
from ordstyrer.core.http import HttpSession, HttpTransportError, redact_text, redact_url

# -- HttpSession -----------------------------------------------------------------------------


def _session(statuses: list[int], seen: list[httpx.Request], sleeps: list[float]) -> HttpSession:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(statuses.pop(0) if statuses else 200, json={"ok": True})

    return HttpSession(
        transport=httpx.MockTransport(handler), sleep=sleeps.append, jitter=lambda: 0.0
    )


@pytest.mark.parametrize(
    ("method", "idempotent", "statuses", "calls", "final"),
    [
        ("GET", None, [503, 502], 3, 200),
        ("GET", None, [503, 503, 503], 3, 503),  # bounded: 2 retries
        ("DELETE", None, [504], 2, 200),
        ("POST", None, [503], 1, 503),  # a POST is not repeated
        ("POST", True, [503], 2, 200),  # unless the caller says it is idempotent
        ("GET", None, [500], 1, 500),  # other statuses go back to the caller
    ],
)
def test_retries_only_where_safe(method, idempotent, statuses, calls, final) -> None:
    seen: list[httpx.Request] = []
    sleeps: list[float] = []
    with _session(list(statuses), seen, sleeps) as s:
        response = s.request(method, "https://graph.example/v25.0/1", idempotent=idempotent)
    assert len(seen) == calls and response.status_code == final
    assert len(sleeps) == calls - 1


def test_retry_after_header_is_respected_within_a_cap() -> None:
    sleeps: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if not sleeps:
            return httpx.Response(503, headers={"Retry-After": "3"})
        return httpx.Response(200)

    with HttpSession(transport=httpx.MockTransport(handler), sleep=sleeps.append) as s:
        assert s.request("GET", "https://x.example/").status_code == 200
    assert sleeps == [3.0]


def test_connection_failure_is_retried_then_raised_without_token() -> None:
    attempts = []

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(1)
        raise httpx.ConnectError("refused", request=request)

    with HttpSession(transport=httpx.MockTransport(handler), sleep=lambda s: None) as s:
        with pytest.raises(HttpTransportError) as info:
            s.request("POST", "https://graph.example/v25.0/1/feed?access_token=EAAsecret123")
    assert len(attempts) == 3  # nothing was sent: safe even for a POST
    assert "EAAsecret123" not in str(info.value) and "access_token=***" in str(info.value)


def test_read_timeout_on_a_post_is_not_retried() -> None:
    attempts = []

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(1)
        raise httpx.ReadTimeout("slow", request=request)

    with HttpSession(transport=httpx.MockTransport(handler), sleep=lambda s: None) as s:
        with pytest.raises(HttpTransportError):
            s.request("POST", "https://graph.example/x")
    assert len(attempts) == 1


def test_redaction_helpers() -> None:
    url = "https://graph.example/v25.0/me?access_token=EAAx&fields=id&appsecret_proof=abc"
    assert (
        redact_url(url)
        == "https://graph.example/v25.0/me?access_token=***&fields=id&appsecret_proof=***"
    )
    assert (
        redact_text("feil: client_secret=hemmelig og EAAtok", "EAAtok")
        == "feil: client_secret=*** og ***"
    )


def test_httpx_request_logs_never_carry_tokens(fb, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    fb.list_posts()
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "published_posts" in text
    token = fb.client._token.reveal()
    assert token not in text and "access_token=***" in text


# -- SecretToken / TokenCipher -------------------------------------------------------------------


def test_secret_token_is_masked_everywhere() -> None:
    token = SecretToken("EAAverysecret")
    for shown in (repr(token), str(token), f"{token}", f"{token!r}", "%s" % token, str([token])):  # noqa: UP031
        assert "EAAverysecret" not in shown
    assert token.reveal() == "EAAverysecret" and token == SecretToken("EAAverysecret")
    with pytest.raises(TypeError):
        pickle.dumps(token)
    with pytest.raises(AttributeError):
        token._value = "x"  # type: ignore[misc]
    with pytest.raises(ValueError):
        SecretToken("")


def test_cipher_round_trip_rotation_and_errors() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    stored = TokenCipher(old).encrypt(SecretToken("EAApage"))
    assert "EAApage" not in stored
    rotated_cipher = TokenCipher(f"{new},{old}")
    assert rotated_cipher.decrypt(stored).reveal() == "EAApage"
    rotated = rotated_cipher.rotate(stored)
    assert TokenCipher(new).decrypt(rotated).reveal() == "EAApage"
    with pytest.raises(TokenDecryptError) as wrong:
        TokenCipher(new).decrypt(stored)
    assert ENV_KEY in str(wrong.value)


@pytest.mark.parametrize(
    ("env", "fragment"), [({}, "er ikke satt"), ({ENV_KEY: "kort"}, "er ugyldig")]
)
def test_missing_or_invalid_key_is_a_clear_error(env, fragment) -> None:
    with pytest.raises(TokenKeyError) as info:
        TokenCipher.from_env(env)
    assert fragment in str(info.value) and ENV_KEY in str(info.value)


def test_connector_reads_an_encrypted_token(fake, page, graph_config, monkeypatch) -> None:
    key = Fernet.generate_key().decode()
    monkeypatch.setenv(ENV_KEY, key)
    stored = TokenCipher(key).encrypt(SecretToken(page.token))
    fb = get_connector("facebook", {**graph_config, "page_id": page.id, "token_encrypted": stored})
    assert fb.check_access().id == page.id
    monkeypatch.delenv(ENV_KEY)
    with pytest.raises(ConnectorError) as info:
        get_connector("facebook", {**graph_config, "page_id": page.id, "token_encrypted": stored})
    assert info.value.permanent and ENV_KEY in str(info.value)


# -- registry ----------------------------------------------------------------------------------------


def test_registry_is_lazy_and_complete() -> None:
    assert set(CONNECTORS) == {"simulated", "facebook", "instagram"}
    for kind in CONNECTORS:
        assert connector_class(kind).kind == kind
    with pytest.raises(ConnectorError) as info:
        get_connector("tiktok", {})
    assert info.value.code == ErrorCode.UNSUPPORTED and "tiktok" in str(info.value)


def test_missing_settings_are_reported(graph_config) -> None:
    with pytest.raises(ConnectorError) as info:
        get_connector("facebook", {**graph_config, "token": "x"})
    assert "page_id" in str(info.value)
    with pytest.raises(ConnectorError) as no_token:
        get_connector("instagram", {**graph_config, "ig_user_id": "1"})
    assert "token" in str(no_token.value)


def test_capability_matrix(fb, ig) -> None:
    from datetime import UTC, datetime

    sim = get_connector(
        "simulated", {"seed": 1, "history_days": 1, "now": lambda: datetime(2026, 5, 4, tzinfo=UTC)}
    )
    matrix = {
        name: {c for c in Capability if supports(conn, c)}
        for name, conn in (("facebook", fb), ("instagram", ig), ("simulated", sim))
    }
    assert matrix["simulated"] == set(Capability)
    assert matrix["facebook"] == set(Capability) - {Capability.COMMENT_SWITCH}
    assert matrix["instagram"] == set(Capability) - {Capability.BLOCKER, Capability.SCHEDULER}
    assert not supports(object(), Capability.REPLIER)
