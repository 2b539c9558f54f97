"""Small things that matter (#15): the Nynorsk console shows Nynorsk category names and
reply-template names; every help text a field points to (aria-describedby) exists."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from ordstyrer.inbox.models import InboxItem
from tests.factories import PASSWORD
from tests.inbox.conftest import comment, ingest

pytestmark = pytest.mark.django_db

LANGS = ("nb", "nn", "en")


def client_for(user, language: str = "nb") -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_the_nynorsk_console_names_categories_and_templates_in_nynorsk(world):
    item = ingest(world.channel, comment("c1", "Innvandrerne er en pest for bygda. Jag dem ut!"))
    InboxItem.objects.filter(pk=item.pk).update(category="hate_speech")
    url = reverse("inbox:detail", args=[world.municipality.slug, item.pk])
    nynorsk = client_for(world.p.communications, "nn").get(url).content.decode()
    assert "Hatefulle ytringar" in nynorsk and "Hatefulle ytringer" not in nynorsk
    # Indre Fosen's guideline has no DI-8: the template is offered without a rule id.
    assert 'refer_political#svar">Vis vidare til politisk nivå</a>' in nynorsk
    bokmal = client_for(world.p.communications).get(url).content.decode()
    assert "Hatefulle ytringer" in bokmal
    assert 'refer_political#svar">Henvis til politisk nivå</a>' in bokmal
    listing = client_for(world.editor, "nn").get(
        reverse("inbox:list", args=[world.municipality.slug])
    )
    assert "Krev sakshandsaming" in listing.content.decode()
    # An outsider gets 404 in any language.
    assert client_for(world.p.outsider, "nn").get(url).status_code == 404


def test_every_described_by_points_at_something_on_the_page(world):
    item = ingest(world.channel, comment("c1"))
    for user in (world.p.communications, world.editor):
        html = (
            client_for(user)
            .get(reverse("inbox:detail", args=[world.municipality.slug, item.pk]))
            .content.decode()
        )
        ids = set(re.findall(r'\sid="([^"]+)"', html))
        described = [
            i for ref in re.findall(r'aria-describedby="([^"]+)"', html) for i in ref.split()
        ]
        assert described, "the page's fields have help texts"
        missing = [ref for ref in described if ref not in ids]
        assert not missing, missing


def test_one_norwegian_date_format_on_the_item_page(world):
    """#15: «5. mai 2026 kl. 09.00» everywhere, not 05.05.2026 09:00 in one place and
    2026-05-05 in another."""
    item = ingest(world.channel, comment("c1"))
    url = reverse("inbox:detail", args=[world.municipality.slug, item.pk])
    for language in ("nb", "nn"):
        html = client_for(world.p.communications, language).get(url).content.decode()
        assert "5. mai 2026 kl. 09.00" in html and "05.05.2026" not in html


def test_the_suggestion_and_personal_data_follow_the_console_language(world):
    """QA (#16 session): "Retningslinjen sier" and the personal-data kinds were Bokmål in
    every console language, and the category names Bokmål in the English one."""
    item = ingest(world.channel, comment("c2", "Når åpner svømmehallen igjen etter ferien?"))
    InboxItem.objects.filter(pk=item.pk).update(
        action="refer_formal",
        personal_data=[{"type": "health", "start": 0, "end": 3, "detail": "", "label": "x"}],
    )
    url = reverse("inbox:detail", args=[world.municipality.slug, item.pk])
    pages = {lang: client_for(world.editor, lang).get(url).content.decode() for lang in LANGS}
    assert "Henvis til formell henvendelse og journalfør (DI-7)." in pages["nb"]
    assert "Vis vidare til formell førespurnad og journalfør (DI-7)." in pages["nn"]
    assert "Refer to a formal inquiry and record it in the journal (DI-7)." in pages["en"]
    assert "helseopplysninger" in pages["nb"] and "helseopplysningar" in pages["nn"]
    assert "health information" in pages["en"]
    assert "Category</dt><dd>Question" in pages["en"]


def test_only_those_who_may_act_see_the_lists_actions(world):
    """QA: the chief administrator reads every inbox (CH-4) but works in none; the bulk
    actions and the row buttons only failed for them (CH-3)."""
    ingest(world.channel, comment("c3", "Når åpner svømmehallen igjen etter ferien?"))
    url = reverse("inbox:list", args=[world.municipality.slug])
    chief = client_for(world.p.chief_administrator).get(url).content.decode()
    assert "inbox-row" in chief
    assert 'class="bulk"' not in chief and 'name="item"' not in chief
    assert 'value="assign_me:' not in chief and 'data-key="r"' not in chief
    for user in (world.editor, world.p.communications):
        html = client_for(user).get(url).content.decode()
        assert 'class="bulk"' in html and 'value="assign_me:' in html and 'name="item"' in html
