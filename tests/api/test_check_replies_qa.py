"""The QA pass of December 2026 on the check and on replies: the API and the console give
the same findings (PU-9, PU-12), a removed comment is a conflict, and a crisis approval
nobody waited for is a conflict (api.md "Errors": 409 on a state conflict)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from ordstyrer.core.models import AuditEntry
from ordstyrer.inbox.models import Reply
from ordstyrer.tenants.services import municipality_identity_update
from tests.api.conftest import ApiClient, citizen_comment, token_for

INBOX = "/api/v1/m/apiby/inbox/items"
CHECK = "/api/v1/m/apiby/check"
QUESTION = "Når åpner svømmehallen igjen?"
ANSWER = "Hei! Svømmehallen åpner mandag. Hilsen Kari"


@pytest.fixture
def api(world) -> ApiClient:
    """Communications: every channel, every scope."""
    return ApiClient(token_for(world.p.communications, world.municipality))


@pytest.fixture
def leader(world) -> ApiClient:
    return ApiClient(token_for(world.p.crisis_leader, world.municipality))


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    def call(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return call


def rules(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [f["rule"] for f in response.json()["findings"]]


def console_rules(world, user, data: dict) -> list[str]:
    """The rules the console's «Sjekk tekst» names (its findings fragment)."""
    browser = Client()
    browser.force_login(user)
    page = browser.post(
        "/m/apiby/sjekk/", data, headers={"X-Ordstyrer-Fragment": "findings"}
    ).content.decode()
    return sorted(set(re.findall(r"\b(?:PU|DI|CH|MO|AR)-\d+\b", page)))


# --------------------------------------------------------------------------- the check


def test_the_check_knows_the_municipalitys_own_website_as_posting_does(world, api):
    """QA #3a: PU-9 under `policy_for` (the municipality's own website), not the
    preset's: the API's check and a post give the same finding."""
    municipality_identity_update(
        actor=world.p.communications, municipality=world.municipality, website="apiby.no"
    )
    text = "Biblioteket har nye åpningstider fra mandag. Les mer på "
    elsewhere = api.post(CHECK, {"kind": "post", "text": text + "https://annen.no/bibliotek"})
    pu9 = [f for f in elsewhere.json()["findings"] if f["rule"] == "PU-9"]
    assert pu9 and "apiby.no" in pu9[0]["message_nb"]
    own = api.post(CHECK, {"kind": "post", "text": text + "https://apiby.no/bibliotek"})
    assert "PU-9" not in rules(own)
    # The console's «Sjekk tekst» says the same (one selector, `text_check`).
    data = {"kind": "post", "text": text + "https://annen.no/bibliotek"}
    assert "PU-9" in console_rules(world, world.p.communications, data)
    data["text"] = text + "https://apiby.no/bibliotek"
    assert "PU-9" not in console_rules(world, world.p.communications, data)


@pytest.mark.parametrize("kind", ["post", "reply"])
def test_the_check_names_pu12_during_a_crisis_as_the_console_does(world, api, leader, kind):
    """QA #3b: the console's check passes `crisis_active`; the API's did not."""
    body = {"kind": kind, "text": ANSWER}
    assert "PU-12" not in rules(api.post(CHECK, body))
    assert leader.post("/api/v1/m/apiby/crisis", {"name": "Flom"}).status_code == 201
    assert "PU-12" in rules(api.post(CHECK, body))


# --------------------------------------------------------------------------- replies


def test_replying_to_a_comment_the_municipality_deleted_is_a_neutral_409(world, api, commit):
    """QA #5: our moderator deleted it — not its author — and that is the item's state."""
    item = citizen_comment(world.channel, "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/x")
    deleted = commit(
        api.post,
        f"{INBOX}/{item.pk}/moderation",
        {"action": "delete", "ground": "spam", "reason": "Reklame for pengespill."},
    )
    assert deleted.status_code == 202
    refused = api.post(f"{INBOX}/{item.pk}/replies", {"text": ANSWER})
    assert refused.status_code == 409, refused.content
    problem = refused.json()
    assert problem["code"] == "gone"
    assert problem["detail_nb"] == "Kommentaren er fjernet; den kan ikke besvares."
    assert not Reply.objects.filter(item=item).exists()


def test_approving_a_reply_that_never_waited_for_the_crisis_leader_is_409(
    world, api, leader, commit
):
    """QA #6: no decision happened, so no 200 and no audit entry of one (as for posts)."""
    item = citizen_comment(world.channel, QUESTION)
    sent = commit(api.post, f"{INBOX}/{item.pk}/replies", {"text": ANSWER}).json()
    assert sent["status"] == "queued"
    leader.post("/api/v1/m/apiby/crisis", {"name": "Flom"})
    url = f"/api/v1/m/apiby/crisis/approvals/reply/{sent['id']}/approve"
    refused = leader.post(url)
    assert refused.status_code == 409, refused.content
    assert refused.json()["rule"] == "PU-12"
    assert not AuditEntry.objects.filter(action="api_crisis_approve_reply").exists()
    assert Reply.objects.get(pk=sent["id"]).crisis_decided_by is None


def test_the_crisis_leaders_own_approval_replayed_changes_nothing(world, api, leader, commit):
    leader.post("/api/v1/m/apiby/crisis", {"name": "Flom"})
    item = citizen_comment(world.channel, QUESTION)
    waiting = api.post(f"{INBOX}/{item.pk}/replies", {"text": ANSWER}).json()
    assert waiting["status"] == "awaiting_crisis_approval"
    url = f"/api/v1/m/apiby/crisis/approvals/reply/{waiting['id']}/approve"
    assert commit(leader.post, url).status_code == 200
    again = leader.post(url)  # the same person's replay: idempotent
    assert again.status_code == 200 and again.json()["status"] == "sent"
    # Someone else (communications is no crisis approver here) gets no decision either.
    assert api.post(url).status_code in (403, 409)
