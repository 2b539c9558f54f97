"""Bokmål on a page in English or Nynorsk is marked `lang="nb"` (WCAG 3.1.2, language of
parts), so a screen reader reads it with Norwegian pronunciation; Nynorsk stays marked
`lang="nn"`; on a Bokmål page Bokmål needs no mark. Before, the templates marked only
Nynorsk: with the console in English, the delete confirmation showed the author's
Bokmål notice (MO-4) unmarked, and so did the action page and the archive's record of
the notice and its Bokmål title (AR-1)."""

from __future__ import annotations

from typing import Any

import lxml.html
import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.inbox.models import InboxItem
from ordstyrer.moderation.models import ModerationAction
from tests.moderation.conftest import T0, citizen_comment, make_world, public_notices

pytestmark = pytest.mark.django_db

SPAM = "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/rask-gevinst"
SPAM_NN = "Tjen pengar heimanfrå!!! Klikk her og bli rik på ei veke: bit.ly/rask"
WHY = "Reklame for pengespill, lagt inn på flere innlegg."
# The mark a Bokmål text gets on a page in each console language.
BOKMAL_MARK = {"en": "nb", "nn": "nb", "nb": None}


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _thread_in_bokmal():
    yield
    translation.activate("nb")


def _client(user: Any, language: str) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _doc(response: Any) -> Any:
    assert response.status_code == 200, response.status_code
    return lxml.html.fromstring(response.content.decode())


def _comment(world: Any, text: str, standard: str) -> InboxItem:
    item = citizen_comment(world.channel, text)
    item.written_standard = standard  # as triage says
    item.save(update_fields=["written_standard"])
    return item


def _single(doc: Any, xpath: str) -> Any:
    found = doc.xpath(xpath)
    assert len(found) == 1, (xpath, len(found))
    return found[0]


@pytest.mark.parametrize("console", ["en", "nn", "nb"])
def test_a_bokmal_notice_is_marked_on_a_page_in_another_language(
    console, django_capture_on_commit_callbacks
):
    expected = BOKMAL_MARK[console]
    with time_machine.travel(T0, tick=False):
        world = make_world(f"s21lang{console}", "indre-fosen")
        public_notices(world.municipality)
        item = _comment(world, SPAM, "nb")
        client = _client(world.p.communications, console)
        delete = reverse("moderation:delete", args=[world.municipality.slug, item.pk])
        form = {"ground": "spam", "justification": WHY, "notify": "on"}

        # The delete confirmation: the notice the author gets, and the comment itself.
        confirm = client.post(delete, form)
        assert confirm.context["preview"].notice_language == "nb"
        doc = _doc(confirm)
        assert doc.get("lang") == console
        notice = _single(doc, '//section[@aria-labelledby="confirm-notice"]//blockquote')
        assert notice.get("lang") == expected
        assert _single(doc, '//dl[@class="facts"]//blockquote').get("lang") == expected

        with django_capture_on_commit_callbacks(execute=True):
            done = client.post(delete, {**form, "confirmed": "1"})
        assert done.status_code == 302
        action = ModerationAction.objects.get(item=item, kind="delete")
        assert action.notice_language == "nb"

        # The action's page: the notice as it was written.
        page = _doc(
            client.get(reverse("moderation:action", args=[world.municipality.slug, action.pk]))
        )
        said = [dd for dd in page.xpath("//dd") if dd.text_content() == action.notice_text]
        assert len(said) == 1 and said[0].get("lang") == expected

        # The archive's record of the notice: its Bokmål title and the notice's text.
        record = ArchiveRecord.objects.get(municipality=world.municipality, kind="journal_outbound")
        page = _doc(
            client.get(reverse("archive:detail", args=[world.municipality.slug, record.sequence]))
        )
        title = [p for p in page.xpath("//p") if p.text_content() == record.title]
        assert len(title) == 1 and title[0].get("lang") == expected
        assert _single(page, '//blockquote[@class="said"]').get("lang") == expected


@pytest.mark.parametrize("console", ["en", "nn"])
def test_a_citizen_s_bokmal_comment_is_marked_and_nynorsk_stays_marked(console):
    with time_machine.travel(T0, tick=False):
        world = make_world(f"s21langc{console}", "indre-fosen")
        bokmal = _comment(world, "Når åpner svømmehallen igjen etter ferien?", "nb")
        nynorsk = _comment(world, "Kva tid opnar symjehallen att etter ferien?", "nn")
        unknown = _comment(world, "Ok 👍", "")
        client = _client(world.p.communications, console)
        listing = _doc(client.get(reverse("inbox:list", args=[world.municipality.slug])))
        for item, lang in ((bokmal, "nb"), (nynorsk, "nn"), (unknown, None)):
            row = _single(listing, f'//tr[@data-item="{item.pk}"]//p[@class="snippet"]')
            assert row.get("lang") == lang, (item.text, row.get("lang"))
            page = _doc(
                client.get(reverse("inbox:detail", args=[world.municipality.slug, item.pk]))
            )
            text = _single(page, '//li[contains(@class, "is-current")]//p[@class="thread-text"]')
            assert text.get("lang") == lang, (item.text, text.get("lang"))


def test_a_nynorsk_notice_stays_marked_nynorsk_on_an_english_page():
    with time_machine.travel(T0, tick=False):
        world = make_world("s21langnn", "indre-fosen")
        public_notices(world.municipality)
        item = _comment(world, SPAM_NN, "nn")
        confirm = _client(world.p.communications, "en").post(
            reverse("moderation:delete", args=[world.municipality.slug, item.pk]),
            {"ground": "spam", "justification": WHY, "notify": "on"},
        )
        assert confirm.context["preview"].notice_language == "nn"
        doc = _doc(confirm)
        notice = _single(doc, '//section[@aria-labelledby="confirm-notice"]//blockquote')
        assert notice.get("lang") == "nn"
