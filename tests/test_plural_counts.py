"""Every count a person reads agrees with its noun: «1 henvendelse», «3 henvendelser» in
Bokmål, «1 førespurnad», «3 førespurnader» in Nynorsk (#15, item 10; language review
2026-12, row 28). Through the places that show them and through the catalogues."""

from __future__ import annotations

from datetime import date

import pytest
from django.template import engines
from django.test import Client
from django.urls import reverse
from django.utils import translation

from ordstyrer.archive.services import archive_append
from ordstyrer.channels.selectors import channel_detail_flags
from ordstyrer.tenants.selectors import policy_for
from tests.archive.conftest import inquiry
from tests.channels.conftest import active_channel
from tests.conftest import make_personas

CASES = [
    # (singular msgid, plural msgid, language, count, expected)
    (
        "%(count)s henvendelse er ikke besvart innen fristen.",
        "%(count)s henvendelser er ikke besvart innen fristen.",
        "nb",
        1,
        "1 henvendelse er ikke besvart innen fristen.",
    ),
    (
        "%(count)s henvendelse er ikke besvart innen fristen.",
        "%(count)s henvendelser er ikke besvart innen fristen.",
        "nn",
        1,
        "1 førespurnad er ikkje svara på innan fristen.",
    ),
    (
        "%(count)s henvendelse er ikke besvart innen fristen.",
        "%(count)s henvendelser er ikke besvart innen fristen.",
        "nn",
        4,
        "4 førespurnader er ikkje svara på innan fristen.",
    ),
    (
        "Utført for %(count)s henvendelse.",
        "Utført for %(count)s henvendelser.",
        "nn",
        1,
        "Utført for 1 førespurnad.",
    ),
    (
        "Utført for %(count)s henvendelse.",
        "Utført for %(count)s henvendelser.",
        "en",
        2,
        "Done for 2 inquiries.",
    ),
    ("%(count)s fil", "%(count)s filer", "en", 1, "1 file"),
    (
        "%(count)s planlagt innlegg satt på pause.",
        "%(count)s planlagte innlegg satt på pause.",
        "nb",
        1,
        "1 planlagt innlegg satt på pause.",
    ),
    (
        "%(count)s planlagt innlegg satt på pause.",
        "%(count)s planlagte innlegg satt på pause.",
        "nn",
        3,
        "3 planlagde innlegg sette på pause.",
    ),
    (
        "%(count)s skjermet registrering",
        "%(count)s skjermede registreringer",
        "nn",
        2,
        "2 skjerma registreringar",
    ),
]


@pytest.mark.parametrize(("one", "many", "language", "count", "expected"), CASES)
def test_the_catalogues_agree_with_the_count(one, many, language, count, expected):
    with translation.override(language):
        assert translation.ngettext(one, many, count) % {"count": count} == expected


@pytest.mark.parametrize(
    ("template", "context", "language", "expected"),
    [
        (
            "{% blocktranslate count count=n %}Kjeden har {{ count }} post.{% plural %}Kjeden "
            "har {{ count }} poster.{% endblocktranslate %}",
            {"n": 1},
            "nb",
            "Kjeden har 1 post.",
        ),
        (
            "{% blocktranslate count count=n %}Kjeden har {{ count }} post.{% plural %}Kjeden "
            "har {{ count }} poster.{% endblocktranslate %}",
            {"n": 7},
            "nn",
            "Kjeda har 7 postar.",
        ),
        (
            "{% blocktranslate count comments=n %}{{ comments }} kommentar{% plural %}"
            "{{ comments }} kommentarer{% endblocktranslate %}",
            {"n": 1},
            "nn",
            "1 kommentar",
        ),
        ('{% translate "Publiseres" context "at a time" %}', {}, "en", "To be published"),
        ('{% translate "Publiseres" %}', {}, "en", "Publishing"),
    ],
)
def test_templates_agree_with_the_count(template, context, language, expected):
    rendered = engines["django"].from_string("{% load i18n %}" + template)
    with translation.override(language):
        assert rendered.render(context) == expected


@pytest.mark.django_db
def test_one_overdue_item_is_one_henvendelse_on_the_channel(settings):
    """CH-5 (Gausdal): the flag fires at one overdue item."""
    gausdal = make_personas("en-sen", "gausdal")
    channel = active_channel(gausdal)
    settings.ORDSTYRER_OVERDUE_COUNTERS = [lambda ids: dict.fromkeys(ids, 1)]
    policy = policy_for(municipality=channel.municipality)
    (flag,) = channel_detail_flags(channel, policy=policy, today=date(2026, 9, 1))
    assert str(flag.message) == "1 henvendelse er ikke besvart innen fristen."


@pytest.mark.django_db
def test_the_archive_says_one_post_for_a_chain_of_one(personas):
    archive_append(actor=None, entry=inquiry(personas, text="Spørsmål"))
    client = Client()
    client.force_login(personas.archivist)
    html = client.get(reverse("archive:list", args=[personas.municipality.slug])).content
    assert "Kjeden har 1 post." in html.decode()
