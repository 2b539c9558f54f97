"""The QA pass of December 2026 on lists and documents: a cursor that `next` did not give
is a 422 (api.md "Lists"), PU-5 speaks English in `message_en`, and every write
documents the `Idempotency-Key` it honours."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.api.conftest import ApiClient, citizen_comment, token_for

INBOX = "/api/v1/m/apiby/inbox/items"
CHECK = "/api/v1/m/apiby/check"
QUESTION = "Når åpner svømmehallen igjen?"


@pytest.fixture
def api(world) -> ApiClient:
    """Communications: every channel, every scope."""
    return ApiClient(token_for(world.p.communications, world.municipality))


# --------------------------------------------------------------------------- cursors


@pytest.mark.parametrize("cursor", ["garbage", "nan:5", "-5:abc", "inf:3", "1:2:3", ":"])
def test_a_malformed_inbox_cursor_is_422_not_the_first_page(world, api, cursor):
    """QA #8: api.md "Lists" — a cursor is what `next` gave."""
    citizen_comment(world.channel, QUESTION)
    response = api.get(INBOX, cursor=cursor)
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["loc"] == ["query", "cursor"]


def test_the_cursor_next_gives_still_pages(world, api, clock):
    from datetime import timedelta

    for n in range(3):
        clock.shift(timedelta(minutes=1))
        citizen_comment(world.channel, f"Spørsmål nummer {n} om brøytingen?")
    first = api.get(INBOX, limit=2).json()
    rest = api.client.get(first["next"], headers=api._headers(None))
    assert rest.status_code == 200 and len(rest.json()["items"]) == 1


@pytest.mark.parametrize("cursor", ["garbage", "0", "-3", str(2**64)])
def test_a_malformed_archive_cursor_is_422(world, api, cursor):
    response = api.get("/api/v1/m/apiby/archive/records", cursor=cursor)
    assert response.status_code == 422 and response.json()["errors"]


def test_an_empty_reply_names_the_text_field(world, api):
    """QA #10: a refusal about one field names it in `errors`."""
    item = citizen_comment(world.channel, QUESTION)
    response = api.post(f"{INBOX}/{item.pk}/replies", {"text": "   "})
    assert response.status_code == 422
    problem = response.json()
    assert problem["errors"][0]["loc"] == ["body", "text"]
    assert problem["detail_nb"] == "Svaret er tomt."


# --------------------------------------------------------------------------- PU-5


def test_pu5_message_en_is_english(api):
    """QA #9: «Suggestion: skriv ut forkortelsen første gang den brukes.» in message_en."""
    text = (
        "Møtet i KST er flyttet til tirsdag, jf. vedtak i FSK og innspill fra KPX. "
        "Vi kommer tilbake med mer informasjon så snart saken er behandlet i alle "
        "utvalg og råd og har vært på høring hos alle berørte parter i kommunen vår."
    )
    findings = [
        f
        for f in api.post(CHECK, {"kind": "post", "text": text}).json()["findings"]
        if f["rule"] == "PU-5"
    ]
    assert findings
    norwegian = re.compile(r"\b(skriv|forkortelsen|første|gang|brukes|del opp|setningen|helst)\b")
    for f in findings:
        outside_quotes = re.sub(r"[“«][^”»]*[”»]", "", f["message_en"])
        assert not norwegian.search(outside_quotes), f["message_en"]
    kpx = next(f for f in findings if "KPX" in f["message_en"])
    assert "Spell out the abbreviation the first time it is used" in kpx["message_en"]


# --------------------------------------------------------------------------- OpenAPI


def test_every_write_documents_idempotency_key(api):
    """QA #11: the handlers honour it (`api_write`); the document must say so."""
    document = Client().get("/api/v1/openapi.json").json()
    missing = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method not in ("post", "patch", "delete") or path.endswith(("/check", "/triage")):
                continue
            names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
            if "Idempotency-Key" not in names:
                missing.append(f"{method.upper()} {path}")
    assert missing == []
