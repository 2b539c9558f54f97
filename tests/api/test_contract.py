"""API v1 through HTTP with a bearer token: every field api.md fixes, on the console's
own services (PU-1, DI-9, MO-1, MO-2, AR-2, AR-3)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.channels.models import Channel
from ordstyrer.inbox.models import Reply
from ordstyrer.moderation.models import ModerationAction
from tests.api.conftest import ApiClient, citizen_comment, token_for
from tests.archive.conftest import tamper
from tests.moderation.conftest import on_platform

FODSELSNUMMER = "15058310058"  # valid check digits, not a real person
SPAM = "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/rask-gevinst"
WHY = "Reklame for pengespill, lagt inn på flere innlegg."
FINDING_KEYS = {"rule", "severity", "message_nb", "message_en", "citation", "span"}
PROBLEM_KEYS = {"type", "title", "status", "detail", "detail_nb"}


@pytest.fixture
def api(world) -> ApiClient:
    """Communications: every channel, the archive, every scope."""
    return ApiClient(token_for(world.p.communications, world.municipality))


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what a request queued after commit (platform calls), as in production."""

    def call(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return call


def is_problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert PROBLEM_KEYS <= set(body) and body["status"] == status
    return body


def test_me_names_only_the_tokens_municipality(world):
    p = world.p
    # Communications is a member of a second municipality too; the token shows one.
    from tests.factories import MunicipalityFactory, RoleAssignmentFactory

    second = MunicipalityFactory(slug="annenby")
    RoleAssignmentFactory(user=p.communications, municipality=second, role="employee")
    body = ApiClient(token_for(p.communications, world.municipality)).get("/api/v1/me").json()
    assert body["username"] == p.communications.username
    assert body["name"] == p.communications.get_full_name()
    assert body["municipalities"] == [
        {"slug": "apiby", "name": "Apiby kommune", "roles": ["communications", "employee"]}
    ]
    assert set(body["token"]) == {"id", "scopes", "expires_at"}


def test_check_returns_findings_of_the_effective_policy(api):
    response = api.post(
        "/api/v1/m/apiby/check",
        {"kind": "post", "text": f"Vi har registrert {FODSELSNUMMER}.", "links": [], "media": []},
    )
    assert response.status_code == 200
    findings = response.json()["findings"]
    pu1 = next(f for f in findings if f["rule"] == "PU-1")
    assert set(pu1) == FINDING_KEYS and pu1["severity"] == "block"
    assert set(pu1["citation"]) == {"municipality", "section", "text"}
    assert pu1["citation"]["municipality"] == "Indre Fosen kommune"
    assert pu1["span"] == [18, 29]


def test_check_refuses_a_bad_media_object_with_a_norwegian_reason(api):
    body = is_problem(
        api.post("/api/v1/m/apiby/check", {"text": "Hei", "media": [{"type": "hologram"}]}), 422
    )
    assert "media[0].type" in body["detail_nb"]


def test_triage_answers_each_item_as_the_cli_does(api):
    response = api.post(
        "/api/v1/m/apiby/triage",
        {"items": [{"id": "a", "text": SPAM}, {"id": 7, "text": "Når åpner biblioteket?"}]},
    )
    assert response.status_code == 200
    items = response.json()["items"]
    assert [i["id"] for i in items] == ["a", 7]
    assert set(items[0]) >= {
        "id",
        "category",
        "categories",
        "language",
        "pii",
        "action",
        "grounds",
        "hate_ground",
        "findings",
    }
    assert items[0]["category"] == "spam" and "spam" in items[0]["grounds"]  # indre-fosen MO-1
    assert items[1]["category"] == "question"


def test_triage_takes_at_most_500_items(api):
    body = is_problem(api.post("/api/v1/m/apiby/triage", {"items": [{"text": "x"}] * 501}), 422)
    assert body["errors"][0]["loc"][-1] == "items"


def test_channels_have_the_contracts_fields_and_statuses(world, api):
    Channel.objects.filter(pk=world.other_channel.pk).update(status="paused")
    items = api.get("/api/v1/m/apiby/channels").json()["items"]
    assert {tuple(sorted(i)) for i in items} == {
        ("id", "name", "platform", "status", "url", "workflow_status")
    }
    by_name = {i["name"]: i for i in items}
    assert by_name["Skolen"]["status"] == "active" and by_name["Skolen"]["platform"] == "simulated"
    assert by_name["Biblioteket"]["status"] == "active"
    assert by_name["Biblioteket"]["workflow_status"] == "paused"


def test_inbox_item_fields(world, api):
    item = citizen_comment(world.channel, "Når åpner svømmehallen igjen?")
    body = api.get("/api/v1/m/apiby/inbox/items").json()
    assert body["next"] is None
    (row,) = body["items"]
    assert row == {
        "id": item.pk,
        "channel": world.channel.pk,
        "kind": "comment",
        "author_name": "Ola Nordmann",
        "text": "Når åpner svømmehallen igjen?",
        "received_at": "2026-05-05T07:00:00Z",
        "category": "question",
        "standard": "nb",
        "action": "answer",
        "status": "new",
        "first_response_due": item.first_response_due.isoformat().replace("+00:00", "Z"),
        "answer_due": item.resolution_due.isoformat().replace("+00:00", "Z"),
        "assigned_to": None,
    }


def test_national_id_numbers_are_masked_as_in_the_console(world, api):
    # PU-1 / issue #18: the API shows what the console shows by default.
    number = "15076500565"  # a valid test fødselsnummer
    item = citizen_comment(world.channel, f"Venter på svar, fødselsnummeret mitt er {number}")
    listed = api.get("/api/v1/m/apiby/inbox/items").json()["items"]
    detail = api.get(f"/api/v1/m/apiby/inbox/items/{item.pk}").json()
    assert number not in str(listed) and number not in str(detail)
    assert "******00565" in listed[0]["text"]


def test_inbox_filters(world, api):
    question = citizen_comment(world.channel, "Når åpner svømmehallen igjen?")
    other = citizen_comment(world.other_channel, "Takk for en fin konsert i går!")

    def ids(**params):
        return [i["id"] for i in api.get("/api/v1/m/apiby/inbox/items", **params).json()["items"]]

    assert ids(channel=world.channel.pk) == [question.pk]
    assert ids(category="question") == [question.pk]
    assert set(ids(status="new")) == {question.pk, other.pk}
    assert ids(status="answered") == []
    assert ids(overdue="true") == []
    is_problem(api.get("/api/v1/m/apiby/inbox/items", status="nonsense"), 422)


def test_inbox_paging_is_stable_under_inserts_and_limited_to_200(world, api, clock):
    made = []
    for n in range(5):
        clock.shift(timedelta(minutes=1))
        made.append(citizen_comment(world.channel, f"Spørsmål nummer {n} om brøytingen?").pk)
    first = api.get("/api/v1/m/apiby/inbox/items", limit=2).json()
    assert [i["id"] for i in first["items"]] == list(reversed(made))[:2]
    assert first["next"].startswith("http://testserver/api/v1/m/apiby/inbox/items?")
    clock.shift(timedelta(minutes=1))
    newest = citizen_comment(world.channel, "Et nytt spørsmål kom inn mens vi bladde?").pk
    seen = [i["id"] for i in first["items"]]
    url = first["next"]
    while url:
        page = api.client.get(url, headers=api._headers(None)).json()
        seen += [i["id"] for i in page["items"]]
        url = page["next"]
    assert seen == list(reversed(made)) and newest not in seen  # no repeats, none skipped
    is_problem(api.get("/api/v1/m/apiby/inbox/items", limit=201), 422)
    is_problem(api.get("/api/v1/m/apiby/inbox/items", limit=0), 422)


def test_inbox_lists_only_the_channels_the_person_answers_on(world):
    mine = citizen_comment(world.channel, "Når åpner svømmehallen igjen?")
    citizen_comment(world.other_channel, "Hvor kan jeg låne en sykkel?")
    editor = ApiClient(token_for(world.editor, world.municipality))
    assert [i["id"] for i in editor.get("/api/v1/m/apiby/inbox/items").json()["items"]] == [mine.pk]


def test_item_detail_has_thread_replies_and_moderation(world, api, commit):
    item = citizen_comment(world.channel, "Når åpner svømmehallen igjen?")
    commit(
        api.post,
        f"/api/v1/m/apiby/inbox/items/{item.pk}/replies",
        {"text": "Hei! Svømmehallen åpner mandag. Hilsen Kari"},
    )
    body = api.get(f"/api/v1/m/apiby/inbox/items/{item.pk}").json()
    assert body["id"] == item.pk and body["status"] == "answered"
    assert [r["status"] for r in body["replies"]] == ["sent"]
    assert [e["from_page"] for e in body["thread"]] == [False, True]
    assert body["moderation"] == []
    assert "reply" in [e["action"] for e in body["events"]]


def test_reply_201_then_sent_on_the_platform(world, api, commit):
    item = citizen_comment(world.channel, "Når åpner svømmehallen igjen?")
    response = commit(
        api.post,
        f"/api/v1/m/apiby/inbox/items/{item.pk}/replies",
        {"text": "Hei! Svømmehallen åpner mandag. Hilsen Kari"},
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "status", "findings"}
    assert body["status"] == "queued" and body["findings"] == []
    assert Reply.objects.get(pk=body["id"]).status == "sent"


def test_reply_blocked_by_pu1_is_422_with_findings(world, api):
    item = citizen_comment(world.channel, "Når åpner svømmehallen igjen?")
    body = is_problem(
        api.post(
            f"/api/v1/m/apiby/inbox/items/{item.pk}/replies",
            {"text": f"Vi har registrert {FODSELSNUMMER} på deg. Hilsen Kari"},
        ),
        422,
    )
    assert body["rule"] == "PU-1" and body["code"] == "blocked"
    assert [f["rule"] for f in body["findings"]] == ["PU-1"]
    assert set(body["findings"][0]) == FINDING_KEYS
    assert Reply.objects.count() == 0


def test_reply_with_a_warning_needs_an_override_reason(world, api):
    item = citizen_comment(world.channel, "Når åpner svømmehallen igjen?")
    url = f"/api/v1/m/apiby/inbox/items/{item.pk}/replies"
    text = "Ring servicetorget på 412 34 567, så hjelper de deg. Hilsen Kari"
    body = is_problem(api.post(url, {"text": text}), 422)
    assert body["code"] == "needs_override" and body["findings"][0]["severity"] == "warn"
    ok = api.post(url, {"text": text, "override_reason": "Servicetorgets eget nummer."})
    assert ok.status_code == 201 and ok.json()["findings"][0]["rule"] == "PU-1"
    assert Reply.objects.get().override_reason == "Servicetorgets eget nummer."


def test_reply_needs_a_channel_editor_role(world):
    item = citizen_comment(world.other_channel, "Når åpner svømmehallen igjen?")
    editor = ApiClient(token_for(world.editor, world.municipality))  # editor of world.channel
    response = editor.post(f"/api/v1/m/apiby/inbox/items/{item.pk}/replies", {"text": "Hei"})
    assert is_problem(response, 403)["detail_nb"]


def test_moderation_delete_is_202_archived_first_then_gone(world, api, commit):
    item = citizen_comment(world.channel, SPAM)
    response = commit(
        api.post,
        f"/api/v1/m/apiby/inbox/items/{item.pk}/moderation",
        {"action": "delete", "ground": "spam", "reason": WHY},
    )
    assert response.status_code == 202
    body = response.json()
    assert set(body) == {"id", "status"} and body["status"] == "queued"
    action = ModerationAction.objects.get(pk=body["id"])
    assert action.status == "done" and action.archive_record.kind == "deleted_comment"
    assert on_platform(world.channel, item.platform_id)["removed"] is True
    # A second deletion of the same comment is a state conflict.
    again = api.post(
        f"/api/v1/m/apiby/inbox/items/{item.pk}/moderation",
        {"action": "delete", "ground": "spam", "reason": WHY},
    )
    assert is_problem(again, 409)["code"] == "gone"  # already deleted


def test_moderation_on_a_ground_the_guideline_does_not_allow_is_422(world, api):
    item = citizen_comment(world.channel, SPAM)
    body = is_problem(
        api.post(
            f"/api/v1/m/apiby/inbox/items/{item.pk}/moderation",
            {"action": "delete", "ground": "rumour", "reason": WHY},  # not an Indre Fosen ground
        ),
        422,
    )
    assert body["rule"] == "MO-1" and "Retningslinjen sier" in body["detail_nb"]
    assert ArchiveRecord.objects.count() == 0


def test_hide_then_hide_again_is_409_and_unhide_202(world, api, commit):
    item = citizen_comment(world.channel, SPAM)
    url = f"/api/v1/m/apiby/inbox/items/{item.pk}/moderation"
    assert commit(api.post, url, {"action": "hide"}).status_code == 202
    is_problem(api.post(url, {"action": "hide"}), 409)
    assert (
        commit(api.post, url, {"action": "unhide", "reason": "Var ikke spam."}).status_code == 202
    )
    is_problem(api.post(url, {"action": "explode"}), 422)


def test_editor_may_not_moderate(world):
    item = citizen_comment(world.channel, SPAM)
    editor = ApiClient(token_for(world.editor, world.municipality))
    is_problem(
        editor.post(f"/api/v1/m/apiby/inbox/items/{item.pk}/moderation", {"action": "hide"}), 403
    )


def test_archive_records_verify_and_export(world, api, commit, clock, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    item = citizen_comment(world.channel, SPAM)
    commit(
        api.post,
        f"/api/v1/m/apiby/inbox/items/{item.pk}/moderation",
        {"action": "delete", "ground": "spam", "reason": WHY},
    )
    records = api.get("/api/v1/m/apiby/archive/records").json()
    assert records["next"] is None and len(records["items"]) >= 1
    assert set(records["items"][0]) == {"id", "seq", "kind", "created_at", "title", "hash"}
    seqs = [r["seq"] for r in records["items"]]
    assert seqs == sorted(seqs, reverse=True)
    first_page = api.get("/api/v1/m/apiby/archive/records", limit=1).json()
    assert first_page["items"][0]["seq"] == seqs[0]
    if len(seqs) > 1:
        second = api.client.get(first_page["next"], headers=api._headers(None)).json()
        assert second["items"][0]["seq"] == seqs[1]
    assert api.get("/api/v1/m/apiby/archive/verify").json() == {
        "ok": True,
        "records": len(seqs),
        "first_bad": None,
    }
    # The deposit takes only days that are over (AR-3): export the next day, up to
    # yesterday, the day the records were archived.
    clock.shift(timedelta(days=1))
    created = commit(
        api.post,
        "/api/v1/m/apiby/archive/exports",
        {"format": "noark5-uttrekk", "since": "2026-01-01"},
    )
    assert created.status_code == 202 and set(created.json()) == {"id", "status"}
    status = api.get(f"/api/v1/m/apiby/archive/exports/{created.json()['id']}").json()
    assert status["status"] == "done"
    download = api.client.get(status["download_url"], headers=api._headers(None))
    assert download.status_code == 200
    assert b"".join(download.streaming_content)[:2] == b"PK"


def test_archive_verify_reports_the_first_broken_record(world, api, commit):
    item = citizen_comment(world.channel, SPAM)
    commit(
        api.post,
        f"/api/v1/m/apiby/inbox/items/{item.pk}/moderation",
        {"action": "delete", "ground": "spam", "reason": WHY},
    )
    record = ArchiveRecord.objects.order_by("sequence").first()
    body = json.loads(record.canonical)
    body["said"]["text"] = "Endret i ettertid."
    tamper(  # as an intruder with database access would (AR-3 trigger off on PostgreSQL)
        "UPDATE archive_archiverecord SET canonical = %s WHERE id = %s",
        (json.dumps(body), record.pk),
    )
    verdict = api.get("/api/v1/m/apiby/archive/verify").json()
    assert verdict["ok"] is False and verdict["first_bad"] == record.sequence


def test_archive_is_for_communications_and_the_archive_office(world):
    employee = ApiClient(token_for(world.p.employee, world.municipality))
    is_problem(employee.get("/api/v1/m/apiby/archive/records"), 403)
    archivist = ApiClient(token_for(world.p.archivist, world.municipality))
    assert archivist.get("/api/v1/m/apiby/archive/records").status_code == 200


def test_list_queries_do_not_grow_with_the_page(world, api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(path: str, **params) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get(path, **params).status_code == 200
        return len(queries)

    for n in range(2):
        citizen_comment(world.channel, f"Spørsmål {n}: når kommer brøytebilen?")
    api.get("/api/v1/me")  # the token's last use is written once a minute, not measured here
    small = count("/api/v1/m/apiby/inbox/items")
    for n in range(6):
        citizen_comment(world.channel, f"Flere spørsmål {n}: når kommer brøytebilen?")
    assert count("/api/v1/m/apiby/inbox/items") == small


def test_categories_are_corrected_through_the_api(world, api, commit):
    """Issue #16: the item page's "Rett kategorien" for other programs; idempotent."""
    item = citizen_comment(world.channel, "Når åpner svømmehallen igjen?")
    url = f"/api/v1/m/apiby/inbox/items/{item.pk}/categories"
    response = commit(api.post, url, {"labels": ["complaint", "case_processing"]})
    assert response.status_code == 200
    assert response.json() == {
        "id": item.pk,
        "category": response.json()["category"],
        "categories": ["complaint", "case_processing"],
        "action": "refer_formal",  # DI-7
    }
    again = api.post(url, {"labels": ["case_processing", "complaint"]})
    assert again.status_code == 200
    assert item.events.filter(action="categories").count() == 1
    refused = is_problem(api.post(url, {"labels": ["complaint"], "hate_ground": "religion"}), 422)
    assert "§ 185" in refused["detail_nb"]
    assert is_problem(api.post(url, {"labels": []}), 422)
    item.refresh_from_db()
    assert item.categories == ["complaint", "case_processing"]
