"""A banned person's platform id never reaches the operations log (MO-1, docs/privacy.md).

The Page's ban list is asked with the person's id in the address: `unblock` is
`DELETE /{page}/blocked?user=<id>` and `is_blocked` is `GET /{page}/blocked?user=<id>`
(spec §1.7). httpx logs every request's address at INFO; the one redaction filter
(`core.http._RedactCredentials`) masked only credentials, so the log named who the
municipality had banned. Against the Graph stand-in, through the public connector.
"""

from __future__ import annotations

import logging

import httpx
import pytest

from ordstyrer.core.http import HttpSession, HttpTransportError, redact_text, redact_url

PERSON = "5550009173"


def _logged(caplog: pytest.LogCaptureFixture) -> str:
    """Every captured record as a log handler would see it: message and attributes."""
    return "\n".join(f"{r.getMessage()} {vars(r)}" for r in caplog.records)


def test_ban_list_calls_log_no_person_id(fb, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    assert fb.block(PERSON) is True
    assert fb.is_blocked(PERSON) is True
    assert fb.unblock(PERSON) is True
    assert fb.unblock(PERSON) is False  # already unblocked (100/33)
    lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    blocked = [line for line in lines if "/blocked" in line]
    # The GET and the two DELETEs named the person in their address; the POST in its form.
    assert sum("GET" in line for line in blocked) == 1
    assert sum("DELETE" in line for line in blocked) == 2
    assert all("user=***" in line for line in blocked if "POST" not in line)
    assert PERSON not in _logged(caplog)


def test_transport_error_masks_the_person_id() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with HttpSession(transport=httpx.MockTransport(handler), sleep=lambda s: None) as s:
        with pytest.raises(HttpTransportError) as info:
            s.request("GET", f"https://graph.example/v25.0/1/blocked?user={PERSON}")
    assert PERSON not in str(info.value) and "user=***" in str(info.value)


@pytest.mark.parametrize("key", ["user", "uid", "user_id", "psid", "asid", "recipient"])
def test_person_parameters_are_masked(key: str) -> None:
    url = f"https://graph.example/v25.0/1/blocked?{key}={PERSON}&fields=id"
    assert redact_url(url) == f"https://graph.example/v25.0/1/blocked?{key}=***&fields=id"
    assert redact_text(f"DELETE {url} feilet") == f"DELETE {redact_url(url)} feilet"


def test_words_that_only_end_in_a_person_parameter_are_kept() -> None:
    # Only the parameter itself: `fb_user=` or a sentence's "superuser=" names nobody here.
    assert redact_text("superuser=ja og fb_user=2") == "superuser=ja og fb_user=2"
