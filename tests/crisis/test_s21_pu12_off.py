"""Review s21: the crisis page says PU-12 as the municipality's settings leave it, as the
guide does (`policy.render.rule_title`, `quote_status`).

Before, the page quoted the guideline's promise (Birkenes' «godkjennes all informasjon av
kriseleder», Indre Fosen's «all kommunikasjon gå via kommunens krisestab») with no
framing, even where the chief administrator had switched the crisis leader's approval
off, wholly or in part: the quote read as the rule in force while posts and replies went
out without waiting. Now the page shows the title in force and, over the quote, the
guide's line that the guideline's words do not (or only partly) apply here.
"""

from __future__ import annotations

import html

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from ordstyrer.crisis.selectors import active_crisis
from ordstyrer.tenants.services import policy_update
from tests.conftest import make_personas

pytestmark = pytest.mark.django_db

QUOTES = {
    "birkenes": "godkjennes all informasjon av kriseleder",
    "indre-fosen": "Under krisesituasjoner skal all kommunikasjon gå via kommunens krisestab.",
}
# The catalogue's title (PU-12 in force) and the titles `publishing.crisis_setting` gives.
TITLE_ON = "Krise: kriseledelsen godkjenner"
TITLE_OFF = "Krise: godkjenning slått av"
TITLE_POSTS = "Krise: kriseledelsen godkjenner innlegg"
# The guide's framing lines (`render.T["quote_off"]`, `["quote_partly"]`).
FRAME_OFF = (
    "Retningslinjen sier dette, men det gjelder ikke her: kommunen har slått det av i "
    "innstillingene."
)
FRAME_PARTLY = "Retningslinjen sier dette, men det gjelder bare delvis her"
FRAME_OFF_NN = "Retningslinja seier dette, men det gjeld ikkje her"
FRAME_ANY = ("Retningslinjen sier dette", "Retningslinja seier dette")


def client_for(user, lang: str = "nb") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client


def switch(p, **params: bool) -> None:
    """PU-12's approvals as the chief administrator sets them, before any crisis
    (`policy_update` refuses PU-12 from anyone else, and during a crisis)."""
    assert active_crisis(municipality=p.municipality) is None
    version = policy_update(
        actor=p.chief_administrator,
        municipality=p.municipality,
        overrides={"PU-12": params},
        reason="Kriseledelsen godkjenner ikke alt.",
    )
    assert version is not None


def declared_page(p, lang: str = "nb") -> str:
    """The crisis page after the crisis leader has declared a crisis through the console."""
    client = client_for(p.crisis_leader, lang)
    slug = p.municipality.slug
    response = client.post(
        reverse("crisis:declare", args=[slug]), {"name": "Flom", "confirm": "yes"}
    )
    assert response.status_code == 302
    assert active_crisis(municipality=p.municipality) is not None
    response = client.get(reverse("crisis:index", args=[slug]))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def heading(text: str) -> str:
    """The page from its heading to the status section: the rule, framing and quote."""
    return text.split("<h1>", 1)[1].split('<section aria-labelledby="status-heading">', 1)[0]


def framed(top: str, frame: str, quote: str) -> bool:
    """The framing line stands right before the quote: nothing between but the end of
    its own paragraph and the quote's opening markup."""
    start, at = top.find(frame), top.find(quote)
    return 0 <= start < at and top[start:at].count("<p") == 1


@pytest.mark.parametrize("preset", ["birkenes", "indre-fosen"])
def test_approval_off_titles_the_rule_off_and_frames_the_quote(preset):
    p = make_personas(preset.replace("-", "")[:6] + "x", preset)
    switch(p, approve_posts=False, approve_replies=False)
    top = heading(declared_page(p))
    quote = QUOTES[preset]
    assert quote in top  # the guideline's words are still shown, as the guideline's
    assert TITLE_OFF in top and TITLE_ON not in top
    assert framed(top, FRAME_OFF, quote), top


@pytest.mark.parametrize("preset", ["birkenes", "indre-fosen"])
def test_approval_on_shows_the_rule_in_force_unframed(preset):
    p = make_personas(preset.replace("-", "")[:6] + "y", preset)
    top = heading(declared_page(p))
    assert QUOTES[preset] in top
    assert TITLE_ON in top and TITLE_OFF not in top
    assert not any(frame in top for frame in FRAME_ANY)


def test_approval_partly_off_titles_what_waits_and_frames_the_quote_as_partly():
    p = make_personas("birkpx", "birkenes")
    switch(p, approve_replies=False)  # posts still wait for the crisis leader
    top = heading(declared_page(p))
    assert TITLE_POSTS in top and TITLE_OFF not in top
    assert framed(top, FRAME_PARTLY, QUOTES["birkenes"]), top
    assert FRAME_OFF not in top


def test_the_framing_is_in_the_readers_language():
    p = make_personas("birknn", "birkenes")
    switch(p, approve_posts=False, approve_replies=False)
    top = heading(declared_page(p, "nn"))
    assert framed(top, FRAME_OFF_NN, QUOTES["birkenes"]), top
    assert FRAME_OFF not in top


def test_before_a_crisis_the_page_says_the_same():
    p = make_personas("birkfr", "birkenes")
    switch(p, approve_posts=False, approve_replies=False)
    response = client_for(p.communications).get(reverse("crisis:index", args=[p.municipality.slug]))
    assert response.status_code == 200
    top = heading(html.unescape(response.content.decode()))
    assert TITLE_OFF in top and framed(top, FRAME_OFF, QUOTES["birkenes"])


def test_another_municipalitys_user_sees_no_crisis_page():
    p = make_personas("birkot", "birkenes")
    response = client_for(p.outsider).get(reverse("crisis:index", args=[p.municipality.slug]))
    assert response.status_code in (403, 404)
