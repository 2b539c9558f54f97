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
    assert "Vis vidare til politisk nivå (DI-8)" in nynorsk
    bokmal = client_for(world.p.communications).get(url).content.decode()
    assert "Hatefulle ytringer" in bokmal and "Henvis til politisk nivå (DI-8)" in bokmal
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
