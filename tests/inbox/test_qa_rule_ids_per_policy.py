"""QA: every rule id the inbox shows is one the municipality's policy applies.

Indre Fosen's guideline has DI-1, DI-2, DI-7, MO-1 and EM-3 but neither DI-8 nor DI-11;
Birkenes' has DI-7, DI-8, DI-11, MO-1 and EM-3 but no DI-2; Gausdal's has no MO-1.
Before this, the reply form's effect choices («Bekrefter mottak – mer kommer (DI-2)»,
«Henviser videre (DI-7, DI-8)»), its referral label («Henvist til (politisk organ,
DI-8)»), the referral form's kinds, the employees' report page and its thanks, the
moderation panel's «… bryter retningslinjene (DI-11).» and the fødselsnummer notice's
MO-1 were shown to every municipality.
"""

from __future__ import annotations

import re

from tests.inbox.conftest import (
    comment,
    ingest,
    item_page,
    question,
    signed_in,
    text_of,
)

NATIONAL_ID = "05099242649"  # valid check digits


def ids_in(html: str) -> set[str]:
    return set(re.findall(r"\b(?:CH|PU|DI|MO|AR|EM)-\d+\b", text_of(html)))


def section(html: str, start: str, end: str) -> str:
    """The HTML from the element with `start` in it to `end` (inclusive of neither)."""
    i = html.index(start)
    return html[i : html.index(end, i)]


# -- The reply form and the referral form (inbox/forms.py) ------------------------------


def test_indre_fosens_forms_cite_di_2_and_di_7_not_di_8(fosen):
    item = question(fosen)
    html = text_of(item_page(fosen, item))
    assert "Bekrefter mottak – mer kommer (DI-2)" in html
    assert "Henviser videre (DI-7)" in html
    assert "Formell henvendelse – journalføres (DI-7)" in html
    assert "Politisk nivå" in html
    assert "DI-8" not in html
    # The political body's field is shown with the political referral's template.
    political = text_of(item_page(fosen, item, "?mal=refer_political"))
    assert "Henvist til (politisk organ)" in political
    assert "DI-8" not in political


def test_birkenes_forms_cite_di_7_and_di_8_not_di_2(birkenes):
    item = question(birkenes)
    html = text_of(item_page(birkenes, item))
    assert "Bekrefter mottak – mer kommer " in html
    assert "DI-2" not in html
    assert "Henviser videre (DI-7, DI-8)" in html
    assert "Henvist til (politisk organ, DI-8)" in text_of(
        item_page(birkenes, item, "?mal=refer_political")
    )
    assert "Formell henvendelse – journalføres (DI-7)" in html
    assert "Politisk nivå (DI-8)" in html


def test_a_reply_form_shown_again_cites_only_what_the_policy_applies(fosen):
    item = question(fosen)
    url = f"/m/{fosen.municipality.slug}/innboks/{item.pk}/svar/"
    response = signed_in(fosen.editor).post(url, {"text": "", "effect": "refer"})
    assert response.status_code == 400
    html = text_of(response.content.decode())
    assert "Henviser videre (DI-7)" in html
    assert "DI-8" not in html


def test_a_referral_form_shown_again_cites_only_what_the_policy_applies(fosen):
    item = question(fosen)
    url = f"/m/{fosen.municipality.slug}/innboks/{item.pk}/henvis/"
    # A target past its length shows the page again with the form as typed.
    response = signed_in(fosen.editor).post(url, {"kind": "political", "target": "x" * 300})
    assert response.status_code == 400
    html = text_of(response.content.decode())
    assert "Formell henvendelse – journalføres (DI-7)" in html
    assert "DI-8" not in html


# -- The employees' report page and its thanks (DI-11) ---------------------------------


def report(world) -> tuple[str, list[str]]:
    client = signed_in(world.p.archivist)
    url = f"/m/{world.municipality.slug}/innboks/meld/"
    form = client.get(url)
    assert form.status_code == 200
    sent = client.post(
        url, {"channel": str(world.channel.pk), "text": "Noen henger ut en elev her."}, follow=True
    )
    assert sent.status_code == 200
    lead = section(form.content.decode(), '<p class="lead">', "</p>")
    said = [str(m) for m in sent.context["messages"]]
    assert said[0].startswith("Takk! Meldingen er sendt")
    return text_of(lead), said


def test_indre_fosens_report_page_does_not_cite_di_11(fosen):
    lead, said = report(fosen)
    assert lead.strip().endswith("vurderer saken etter retningslinjen.")
    assert said == ["Takk! Meldingen er sendt til administratorene for Skolen."]


def test_birkenes_report_page_cites_di_11(birkenes):
    lead, said = report(birkenes)
    assert lead.strip().endswith("vurderer saken etter retningslinjen (DI-11).")
    # The archivist reporting here leads no unit and has none: told to contact a leader.
    assert said == [
        "Takk! Meldingen er sendt til administratorene for Skolen (DI-11).",
        "Vi fant ingen nærmeste leder for deg i Ordstyrer, så lederen din har ikke fått "
        "beskjed. Ta kontakt med nærmeste leder selv (DI-11).",
    ]


# -- The moderation panel for someone who may not moderate (DI-11) ---------------------

ASK = "Si fra til dem hvis kommentaren bryter retningslinjene"


def test_indre_fosens_panel_does_not_cite_di_11(fosen):
    html = text_of(item_page(fosen, question(fosen)))
    assert f"{ASK}." in html
    assert "DI-11" not in html


def test_birkenes_panel_cites_di_11(birkenes):
    html = text_of(item_page(birkenes, question(birkenes)))
    assert f"{ASK} (DI-11)." in html


# -- The fødselsnummer notice (MO-1) ----------------------------------------------------


def notice(world) -> str:
    item = ingest(world.channel, comment("c-fnr", f"Fødselsnummeret mitt er {NATIONAL_ID}"))
    assert item is not None and item.action == "hide"
    html = item_page(world, item)
    return text_of(section(html, '<dd id="action-guidance">', "</dd>")).strip()


def test_gausdals_fodselsnummer_notice_does_not_cite_mo_1(gausdal):
    # Gausdal's guideline gives no deletion grounds (MO-1): no «Vurder sletting».
    text = notice(gausdal)
    assert text == (
        "Skjul straks: kommentaren inneholder et fødselsnummer (PU-1). Retningslinjen gir "
        "ikke grunnlag for sletting, så la den være skjult, og si fra til forfatteren."
    )


def test_birkenes_fodselsnummer_notice_cites_mo_1(birkenes):
    text = notice(birkenes)
    assert "etter slettegrunnlagene (MO-1), og si fra" in text
    assert ids_in(text) == {"PU-1", "MO-1"}
