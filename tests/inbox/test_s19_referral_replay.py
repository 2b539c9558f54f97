"""One referral, escalation and DI-11 report per intent: each form carries a key made
when it is rendered, and the same form posted twice (a double click, Back + submit, a
retried request) acts once and shows what the first post did. A formal referral is
journaled once (DI-7, AR-1; AR-3: a journal record can never be removed), an escalation
mails communications once (DI-10), a report opens one item (DI-11)."""

from __future__ import annotations

import re
import threading

import pytest
from django.core import mail
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.core.intents import new_intent_key
from ordstyrer.inbox.models import InboxItem, ItemKind, Referral, UnwantedReport
from ordstyrer.inbox.referrals import item_refer
from ordstyrer.inbox.reports_unwanted import unwanted_report
from tests.inbox.conftest import comment, ingest, make_world


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def key_of(html: str, action: str) -> str:
    """The intent key of the form posting to `action` on the page ("": to the page)."""
    opening = rf'action="{re.escape(action)}"' if action else 'method="post" class="stack'
    form = re.search(rf"<form[^>]*{opening}.*?</form>", html, re.S)
    assert form, f"no form posts to {action}"
    found = re.search(r'name="intent_key" value="([0-9a-f]{32})"', form.group(0))
    assert found, f"the form posting to {action} carries no intent key"
    return found.group(1)


def journal_records() -> int:
    return ArchiveRecord.objects.filter(kind="journal_inbound").count()


@pytest.mark.django_db
def test_a_double_posted_formal_referral_is_one_referral_journaled_once(world):
    """DI-7, AR-1, AR-3: «Henvis» clicked twice refers and journals the inquiry once."""
    item = ingest(world.channel, comment("c1", "Jeg har søkt om byggetillatelse, hva skjer?"))
    editor = client_for(world.editor)
    page = reverse("inbox:detail", args=[world.municipality.slug, item.pk])
    url = reverse("inbox:refer", args=[world.municipality.slug, item.pk])
    html = editor.get(page).content.decode()
    key = key_of(html, url)
    assert key != key_of(editor.get(page).content.decode(), url)  # fresh per render
    post = {"kind": "formal", "target": "", "note": "Byggesak", "intent_key": key}
    for _attempt in range(2):
        response = editor.post(url, post, follow=True)
        assert response.status_code == 200
        assert "Henvisningen er registrert." in response.content.decode()
    assert Referral.objects.filter(item=item).count() == 1
    assert journal_records() == 1
    assert item.events.filter(action="refer_formal").count() == 1
    # A new form (a new key) is a new referral, as before.
    post["intent_key"] = key_of(editor.get(page).content.decode(), url)
    post["kind"], post["target"] = "political", "formannskapet"
    editor.post(url, post)
    assert Referral.objects.filter(item=item).count() == 2


@pytest.mark.django_db
def test_a_double_posted_escalation_mails_communications_once(
    world, django_capture_on_commit_callbacks
):
    """DI-10: «Send til kommunikasjon» clicked twice escalates once, one e-mail."""
    item = ingest(world.channel, comment("c1"))
    editor = client_for(world.editor)
    page = reverse("inbox:detail", args=[world.municipality.slug, item.pk])
    url = reverse("inbox:escalate", args=[world.municipality.slug, item.pk])
    key = key_of(editor.get(page).content.decode(), url)
    mail.outbox.clear()
    for _attempt in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = editor.post(url, {"note": "Kan bli en mediesak.", "intent_key": key})
        assert response.status_code == 302
    assert Referral.objects.filter(item=item, kind="escalation").count() == 1
    assert item.events.filter(action="escalate").count() == 1
    assert [m.to[0] for m in mail.outbox] == [world.p.communications.email]


@pytest.mark.django_db
def test_a_double_posted_report_opens_one_item(world, django_capture_on_commit_callbacks):
    """DI-11: the report form sent twice opens one item, tells the administrators once,
    and both posts lead to that item."""
    reporter = client_for(world.p.communications)
    url = reverse("inbox:report_unwanted", args=[world.municipality.slug])
    key = key_of(reporter.get(url).content.decode(), "")  # the form posts to its own page
    post = {"channel": str(world.channel.pk), "text": "Stygg kommentar her.", "intent_key": key}
    mail.outbox.clear()
    locations = []
    for _attempt in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            response = reporter.post(url, post)
        assert response.status_code == 302
        locations.append(response["Location"])
    assert UnwantedReport.objects.count() == 1
    item = InboxItem.objects.get(kind=ItemKind.REPORT)
    assert locations == [reverse("inbox:detail", args=[world.municipality.slug, item.pk])] * 2
    assert len(mail.outbox) == 1
    # Another person's post with that key is their own report.
    other = client_for(world.p.archivist)
    with django_capture_on_commit_callbacks(execute=True):
        other.post(url, post)
    assert UnwantedReport.objects.count() == 2


@pytest.mark.django_db
def test_a_report_shown_again_after_an_error_keeps_its_key(world):
    """The form refused (nothing to report) keeps the key it was rendered with."""
    reporter = client_for(world.p.archivist)
    url = reverse("inbox:report_unwanted", args=[world.municipality.slug])
    key = new_intent_key()
    response = reporter.post(url, {"channel": str(world.channel.pk), "intent_key": key})
    assert response.status_code == 200
    assert key_of(response.content.decode(), "") == key
    assert not UnwantedReport.objects.exists()


def _race(call) -> list[int]:
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(call().pk)
        except BaseException as exc:  # noqa: BLE001 — reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two requests racing need PostgreSQL (DATABASE_URL=postgres://…)",
)
def test_two_posts_racing_make_one_referral_and_one_report(settings):
    """AR-3, DI-11: the constraints hold when the two posts of one form race."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    world = make_world("pgrefer")
    item = ingest(world.channel, comment("c-race", "Jeg har søkt om byggetillatelse."))
    key = new_intent_key()
    referred = _race(
        lambda: item_refer(actor=world.editor, item=item, kind="formal", intent_key=key)
    )
    assert len(referred) == 2 and len(set(referred)) == 1
    assert Referral.objects.filter(item=item).count() == 1 and journal_records() == 1
    key = new_intent_key()
    reported = _race(
        lambda: unwanted_report(
            actor=world.p.archivist, channel=world.channel, text="Stygt her.", intent_key=key
        )
    )
    assert len(reported) == 2 and len(set(reported)) == 1
    assert UnwantedReport.objects.count() == 1
    assert InboxItem.objects.filter(kind=ItemKind.REPORT).count() == 1
