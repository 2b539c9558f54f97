"""MO-1 on the guide, the settings page and the moderation report, in each guideline's words.

Until stop 23 the employees' guide and the policy settings page said «Terskelen for å
slette kommentarer eller utestenge personer er svært høy», and the moderation report's lead
«Terskelen for å slette skal være svært høy», for every municipality. «Svært høy terskel»
is Indre Fosen's alone (docs/moderation.md): Rennebu's guideline says such posts «slettes
så snart de oppdages», Midt-Telemark's that deleting «bør bare gjøres i ekstraordinære
tilfeller», Birkenes' that «slike innlegg skal slettes». The house rules and the moderation
pages already followed the preset's `[house_rules].deletion`; now these three do too.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import make_personas

pytestmark = pytest.mark.django_db

# What each page says, by preset (the guide's MO-1 text, the report's lead).
GUIDE = {
    "indre-fosen": "Terskelen for å slette kommentarer eller utestenge personer er svært høy.",
    "rennebu": "Innlegg på de grunnlagene kommunen har listet opp, slettes så snart de oppdages.",
    "midt-telemark": "Kommentarer bør bare slettes i ekstraordinære tilfeller.",
    "birkenes": "Innlegg på de grunnlagene kommunen har listet opp, skal slettes.",
}
REPORT = {
    "indre-fosen": "Terskelen for å slette skal være svært høy; her ser dere hvor ofte den "
    "er nådd.",
    "rennebu": "Retningslinjen sier at innlegg på disse grunnlagene slettes så snart de "
    "oppdages; her ser dere hvor ofte det er gjort.",
    "midt-telemark": "Retningslinjen sier at sletting bare bør gjøres i ekstraordinære "
    "tilfeller; her ser dere hvor ofte det er gjort.",
    "birkenes": "Retningslinjen sier at innlegg på disse grunnlagene skal slettes; her ser "
    "dere hvor ofte det er gjort.",
}
LEAD = (
    "Skjulte, slettede og utestengte kommentarer i perioden, etter grunnlaget kommunens "
    "retningslinje gir (MO-1)."
)


def _get(user, url: str) -> str:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nb"
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize("preset", sorted(GUIDE))
def test_guide_settings_and_report_put_deleting_in_the_guidelines_words(preset):
    p = make_personas("kom", preset)
    guide = _get(p.employee, "/m/kom/retningslinjer/")
    settings_page = _get(p.communications, "/m/kom/innstillinger/")
    report = _get(p.communications, "/m/kom/moderering/rapport/")
    assert GUIDE[preset] in guide
    assert GUIDE[preset] in settings_page
    assert LEAD in report and REPORT[preset] in report
    if preset != "indre-fosen":
        for page in (guide, settings_page, report):
            # The guide quotes the guideline in a blockquote; never «svært høy» outside it.
            assert "svært høy" not in page.replace("\n", " ")


def test_gausdal_s_report_lead_names_no_wording():
    """Gausdal's guideline has no MO-1 (no grounds, no wording): the lead says what the
    report counts, nothing about how the guideline puts deleting."""
    p = make_personas("kom", "gausdal")
    report = _get(p.communications, "/m/kom/moderering/rapport/")
    assert LEAD in report
    assert "svært høy" not in report and "Retningslinjen sier at" not in report
