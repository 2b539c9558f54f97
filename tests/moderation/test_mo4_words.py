"""The MO-4 settings help quotes the municipality's own guideline (policy.citation), not a
text written into the form (language review 2026-12, row 21: every municipality that
switched MO-4 on would have seen Indre Fosen's words, typo included)."""

from __future__ import annotations

import html

import pytest

from ordstyrer.moderation.forms import SettingsForm
from ordstyrer.tenants.selectors import policy_for
from tests.moderation.test_views import client_for, mod_url

pytestmark = pytest.mark.django_db


def test_the_settings_page_quotes_the_municipalitys_own_mo4_words(world):
    citation = policy_for(municipality=world.municipality).citation("MO-4")
    assert citation is not None  # Indre Fosen's preset switches MO-4 on, with its words
    page = client_for(world.p.communications).get(mod_url(world, "settings"))
    text = html.unescape(page.content.decode())
    assert f"Retningslinjen krever det (MO-4): «{citation.text}»" in text


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (
            "Vi sier alltid fra om hvorfor.",
            "Retningslinjen krever det (MO-4): «Vi sier alltid fra om hvorfor.»",
        ),
        ("", "Retningslinjen krever det (MO-4)."),
    ],
)
def test_the_help_follows_the_words_it_is_given(words, expected):
    form = SettingsForm(rules=[], mo4=True, mo4_words=words)
    assert str(form.fields["notify_author"].help_text) == expected
    assert "Hvis du utestenger en personen" not in str(form.fields["notify_author"].help_text)
    assert form.fields["notify_author"].disabled
