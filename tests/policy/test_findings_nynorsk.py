"""Every finding the checks give has a Nynorsk message for the Nynorsk console (language
review 2026-12, row 26: the console showed the Bokmål, and "Svaret kan ikkje sendast:
%(message)s" ended up half Bokmål), with the same quoted words and numbers as the Bokmål."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from ordstyrer.policy import CheckContext, Draft, Media, check, load_policy

from .helpers import PRESETS, national_id

NOW = datetime(2025, 3, 12, 10, 0, tzinfo=ZoneInfo("Europe/Oslo"))
REPLY = CheckContext(kind="reply", now=NOW, signer_first_name="Kari")
HISTORY = tuple(NOW.replace(hour=8, minute=m) for m in range(0, 60, 5))
POST = CheckContext(kind="post", now=NOW, is_main_page=True, publishing_history=HISTORY)
CRISIS = CheckContext(kind="post", now=NOW, crisis_active=True)

DRAFTS = [
    # Replies: tone, irony, shouting, personal opinion, signature, personal data.
    (Draft("Jeg synes dette er TULL OG TØYS!!! Les nettsiden da 🙄\nHilsen Kari Nordmann"), REPLY),
    (Draft("Svømmehallen åpner mandag."), REPLY),
    (Draft(f"Fødselsnummeret {national_id('150385123')} og kari@example.com, 412 34 567."), REPLY),
    (Draft("Per Hansen på 4B har fått kreft og er sykmeldt fra skolen.\nHilsen Kari"), REPLY),
    # Posts: neutrality, readability, website parity, media, the cap, crisis.
    (Draft("Stem nei til nedleggelsen av skolen! Gud velsigne bygda vår."), POST),
    (
        Draft(
            "Kommunestyrets behandling av administrasjonens saksframlegg om "
            "reguleringsplanendringen medførte omfattende diskusjoner. Konsekvensutredningens "
            "metodiske forutsetninger og eventuelle kompenserende avbøtende tiltak ble grundig "
            "gjennomgått av forvaltningsorganets representanter iht. gjeldende rutiner."
        ),
        POST,
    ),
    (
        Draft(
            "Se plakaten!",
            media=(
                Media(
                    type="image",
                    alt="bilde",
                    people="recognisable",
                    children=True,
                    consent_form=False,
                    photographer_consent=False,
                ),
                Media(
                    type="video",
                    speech=True,
                    captions=False,
                    people="recognisable",
                    children=False,
                    consent=False,
                    photographer_consent=True,
                    music_cleared=False,
                ),
                Media(),
                Media(type="image", people="recognisable"),
                Media(type="video", people="none", photographer_consent=True),
            ),
        ),
        POST,
    ),
    (Draft("Budsjettet for 2026 er lagt fram. Eiendomsskatt og avgifter går opp."), POST),
    (Draft("Velkommen til 17. mai-feiring på torget kl. 11."), CRISIS),
    (
        Draft("Velkommen til 17. mai-feiring på torget kl. 11.", media=(Media(type="image"),)),
        CheckContext(kind="post"),
    ),
]

QUOTED = re.compile(r"«([^»]*)»")
NUMBERS = re.compile(r"\d+")
# Bokmål forms a Nynorsk message must not carry (outside what it quotes).
BOKMAL = re.compile(
    r"\b(ikke|hva|hvem|hvor|hvorfor|hvordan|bare|fra|noen|navn|bildet|bilder|mangler|"
    r"skal ligge|kommunens|setningen|leses|tekstes|publiseres|sjekkes)\b",
    re.IGNORECASE,
)


def _findings():
    seen = []
    for preset in PRESETS:
        policy = load_policy(preset)
        for draft, ctx in DRAFTS:
            seen += [(preset, f) for f in check(draft, policy, ctx)]
    return seen


def test_the_drafts_reach_every_check_family():
    rules = {f.rule for _preset, f in _findings()}
    assert {"PU-1", "PU-2", "PU-3", "PU-4", "PU-5", "PU-6", "PU-7", "PU-8", "PU-9"} <= rules
    assert {"PU-10", "PU-12", "DI-5", "DI-6", "DI-9"} <= rules


@pytest.mark.parametrize("language", ["nn"])
def test_every_finding_has_a_nynorsk_message_with_the_same_facts(language):
    problems = []
    for preset, f in _findings():
        nn = f.message(language)
        if not f.message_nn or nn == f.message_nb:
            problems.append(f"{preset} {f.rule}: no Nynorsk: {f.message_nb}")
            continue
        # The example sign-off is the Nynorsk one («Helsing Kari», DI-9).
        if QUOTED.findall(nn.replace("«Helsing ", "«Hilsen ")) != QUOTED.findall(f.message_nb):
            problems.append(f"{preset} {f.rule}: quotes differ: {nn}")
        if NUMBERS.findall(QUOTED.sub("", nn)) != NUMBERS.findall(QUOTED.sub("", f.message_nb)):
            problems.append(f"{preset} {f.rule}: numbers differ: {nn}")
        bokmal = BOKMAL.findall(QUOTED.sub("", nn))
        if bokmal:
            problems.append(f"{preset} {f.rule}: Bokmål {bokmal}: {nn}")
    assert not problems, "\n".join(problems)


def test_the_message_follows_the_language():
    (_preset, f), *_rest = _findings()
    assert f.message("nb") == f.message_nb and f.message("en") == f.message_en
    assert f.message("nn") == f.message_nn
    assert "message_nn" not in f.to_dict()  # the API's and the CLI's JSON keep their shape


@pytest.mark.django_db
def test_the_nynorsk_console_shows_the_nynorsk_finding(personas):
    """«Sjekk tekst» in the Nynorsk console; an outsider gets 404 in any language."""
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    url = reverse("check", args=[personas.municipality.slug])
    client = Client()
    client.force_login(personas.employee)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nn"
    html = client.post(url, {"kind": "post", "text": "Ring Per på 412 34 567 i dag."}).content
    text = html.decode()
    assert "«412 34 567» er eit telefonnummer" in text and "er et telefonnummer" not in text
    outsider = Client()
    outsider.force_login(personas.outsider)
    assert outsider.post(url, {"kind": "post", "text": "x"}).status_code == 404
