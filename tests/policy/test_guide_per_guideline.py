"""QA: the employee guide said what another municipality's guideline says — Indre Fosen's
guide told staff «i arbeidstiden skal bruken være arbeidsrelatert» (EM-5) and «bruk ikke
jobb-e-posten» (EM-6), both only Gausdal's, and DI-10 «(og rådmannsteamet)», which only
Gausdal's names. Each preset's guide now says under EM-1…9, DI-10, PU-11 and MO-6 exactly
what its own guideline says (rules.md "no more, no less"); the tables below are checked
against the texts in shared/guidelines.

PU-9's line printed «()» for a municipality on another's preset, which has no domain."""

from __future__ import annotations

import dataclasses
import re

import pytest

from ordstyrer.policy import load_policy
from ordstyrer.policy.render import GUIDE, render_guideline, rule_text

from .helpers import PRESETS

# What each guide says under each EM rule, DI-10, PU-11 and MO-6, in Bokmål, and the guideline's words
# that say it (shared/guidelines; the preset quotes them).
EXPECTED: dict[str, dict[str, str]] = {
    "indre-fosen": {
        # «Ytringsfriheten står sterkt … også har taushetsplikt. Det gjelder også tidligere
        # ansatte.»
        "EM-1": "Du har ytringsfrihet. Taushetsplikten gjelder også i sosiale medier. Den "
        "gjelder også etter at du har sluttet.",
        # «Vær bevisst på rollene dine. Engasjer deg gjerne i diskusjoner om politikk og fag,
        # men vær tydelig på at du ikke uttaler deg på vegne av kommunen.»
        "EM-2": "Vær bevisst på rollen din som ansatt i kommunen. Delta gjerne i diskusjoner "
        "om politikk og fag, men vær tydelig på at du ikke uttaler deg på vegne av kommunen.",
        # «Vurder nøye om du skal ha kontakt med … Opptre i så fall som profesjonell …»
        "EM-3": "Vurder nøye om du skal ha kontakt med elever, brukere, pårørende og "
        "leverandører i sosiale medier. Har du slik kontakt, opptre profesjonelt.",
        # «… lest og viderefremidlet av mange til mange, og blir stående permanent.
        # Publiseringer i lukkede grupper, må også betraktes som offentlige uttalelser.»
        "EM-4": "Det du skriver, kan bli lest og delt videre av mange. Det du skriver på "
        "nettet, blir stående. Det du skriver i lukkede grupper, må også regnes som offentlig.",
        # «Bruk av sosiale medier må aldri komme i veien for oppgavene du skal utføre i jobben.»
        "EM-5": "Bruk av sosiale medier må aldri komme i veien for arbeidsoppgavene dine.",
        # «Ikke bruk ansattes private Facebook-profil … til å gi beskjeder om ting som gjelder
        # jobb. Bruk de offisielle kanalene som e-post, ePhorte, helpdesk og vakttelefoner»
        "EM-6": "Ikke bruk private sosiale medier til å gi kolleger beskjeder om jobb. Bruk de "
        "offisielle kanalene: e-post, sakssystemet, helpdesk og vakttelefoner.",
        # «Gi beskjed til administrasjonen via kommunikasjonsrådgiver Kari Klepp …, hvis du
        # kommer i ubehagelige situasjoner …» (the preset cites it for EM-9 and DI-10)
        "EM-9": "Kommer du i ubehagelige situasjoner i sosiale medier i rollen som ansatt, gi "
        "beskjed til administrasjonen via kontaktpersonen for sosiale medier.",
        "DI-10": "Kommer du i ubehagelige situasjoner i sosiale medier i rollen som ansatt, "
        "gi beskjed til administrasjonen via kontaktpersonen for sosiale medier.",
    },
    "rennebu": {
        # «Alle øvrige innlegg betraktes som privat ytring. Det er vanskelig om enn umulig å
        # skille … Ansatte må være seg bevisst sitt ansettelsesforhold …», «Avklar hvilken
        # rolle du har når du publiserer.»
        "EM-2": "Bare de oppnevnte administratorene skriver på vegne av kommunen; alle andre "
        "innlegg regnes som private ytringer. Det kan være vanskelig å skille mellom jobb og "
        "privatliv i sosiale medier. Vær bevisst på rollen din som ansatt i kommunen. Avklar "
        "hvilken rolle du har når du publiserer.",
        # «Publiser informasjon som er aktuell, relevant og basert på fakta.», «Støtt opp om
        # kommunens mål og visjon.»
        "PU-11": "Publiser informasjon som er aktuell, relevant og basert på fakta. Støtt opp "
        "om kommunens mål og visjon.",
        # «Lovstridige innlegg, uthenging av enkeltpersoner, sjikane og lignende slettes så
        # snart de oppdages.»
        "MO-6": "Lovstridige innlegg, uthenging av enkeltpersoner, sjikane og lignende slettes "
        "så snart de oppdages.",
    },
    "midt-telemark": {
        # «Det kan likevel være en utfordring å skille mellom rollene som MTK-ansatt og
        # privatperson, fordi andre kan identifisere deg med den jobben du har.»
        "EM-2": "Det kan være vanskelig å skille mellom jobb og privatliv i sosiale medier. "
        "Andre kan identifisere deg med jobben din.",
        # «Alt som skrives i lukkede grupper må tåle offentlighetens lys. Lukkede grupper på
        # over 20-30 personer er juridisk sett offentlige grupper.»
        "EM-4": "Det du skriver i lukkede grupper, må også regnes som offentlig. Lukkede "
        "grupper med over 20–30 personer er juridisk sett offentlige.",
        # «forbudt å installere og bruke appene TikTok og Telegram på telefoner som anses som
        # kommunens eiendom. Det gjelder og … apper med jobberelatert informasjon …»
        "EM-8": "TikTok og Telegram er forbudt på kommunens telefoner og på private telefoner "
        "med jobbapper.",
        # «Innlegg som strider mot lov og retningslinjer skal dokumenteres, tas bort og
        # arkiveres i arkivsystemet.»
        "MO-6": "Innlegg i strid med lov eller retningslinjer dokumenteres, fjernes og arkiveres.",
    },
    "birkenes": {
        # «… taushetsplikten …», «reglene om taushetsplikt, personvern, ytringsfrihet,
        # lojalitetsplikt … også gjelder når du opptrer som privatperson»
        "EM-1": "Du har ytringsfrihet. Taushetsplikten gjelder også i sosiale medier. Det "
        "samme gjør reglene om personvern og lojalitetsplikt, også når du skriver som "
        "privatperson.",
        # «Husk at du alltid representerer Birkenes kommune og at det du skriver vil bli
        # tolket som kommunens offisielle innstilling.», «Presiser at du ytrer deg som
        # privatperson … dersom det kan reises tvil om rollen din.»
        "EM-2": "Husk at du alltid representerer kommunen, og at det du skriver, vil bli "
        "tolket som kommunens offisielle syn. Si tydelig fra at du ikke uttaler deg på vegne "
        "av kommunen når det kan være tvil om rollen din.",
        # «Det frarådes at du som privatperson har kontakt med …», the friend-request reply
        "EM-3": "Det frarådes å ha kontakt med elever, brukere, pårørende og leverandører i "
        "sosiale medier som privatperson. Får du en venneforespørsel fra noen du yter "
        "tjenester til, kan du svare som i forslaget nedenfor.",
        # «Husk at internett er permanent. Vis varsomhet!»
        "EM-4": "Det du skriver på nettet, blir stående. Vis varsomhet.",
        # «Kommunens kontoer på sosiale medier kan brukes til å informere om arrangementer
        # der kommunen er en aktør.»
        "PU-11": "Kommunens kontoer kan brukes til å informere om arrangementer der kommunen "
        "er en aktør.",
    },
    "gausdal": {
        # «Ansatte har ytringsfrihet, men taushetsplikten gjelder også i de sosiale mediene.»
        "EM-1": "Du har ytringsfrihet. Taushetsplikten gjelder også i sosiale medier.",
        # «Vær bevisst på rollen din som ansatt …», «Presiser at du ikke ytrer deg på vegne
        # av Gausdal kommune hvis det kan reises tvil om din rolle.»
        "EM-2": "Vær bevisst på rollen din som ansatt i kommunen. Si tydelig fra at du ikke "
        "uttaler deg på vegne av kommunen når det kan være tvil om rollen din.",
        # «Vurder nøye om du som privatperson skal ha kontakt med …»
        "EM-3": "Vurder nøye om du skal ha kontakt med elever, brukere, pårørende og "
        "leverandører i sosiale medier.",
        # «Husk at internett er permanent, det kan være vanskelig å slette det du har sagt.»
        "EM-4": "Det du skriver på nettet, blir stående. Det kan være vanskelig å slette det "
        "du har sagt.",
        # «Bruk av Facebook og andre sosiale nettsteder i arbeidstiden skal være
        # arbeidsrelatert.»
        "EM-5": "I arbeidstiden skal bruk av sosiale medier være arbeidsrelatert.",
        # «Du skal ikke bruke jobbens e-postadresse i forbindelse med slike internettjenester.»
        "EM-6": "Ikke bruk e-postadressen fra jobben i sosiale medier og lignende nettjenester.",
        # «Gausdal kommune anbefaler at du på nettsteder ikke omtaler: …»
        "EM-7": "Kommunen anbefaler at du ikke omtaler arbeidsgiveren din, arbeidsoppgaver og "
        "prosjekter, kolleger og andre du jobber sammen med, leverandører og "
        "samarbeidspartnere, eller hvor du er (på jobb, hjemme, på ferie).",
        # «Kultur- og informasjonsrådgiver Kjellfrid Flækken er redaktør for den.»
        "EM-9": "Kontaktpersonen for sosiale medier er redaktør for kommunens Facebook-side.",
        # «Mulig omdømmekritiske saker skal koordineres av kultur- og informasjonsrådgiver
        # Kjellfrid Flækken, i samråd med rådmannsteam.»
        "DI-10": "Saker som kan være omdømmekritiske, koordineres av kontaktpersonen for "
        "sosiale medier. Det skjer i samråd med rådmannsteamet.",
    },
}


def _adopted(preset_id: str, *, domains: tuple[str, ...] = ()):
    """The preset as a municipality on another's preset sees it: the rules and citations,
    none of the preset municipality's identity (docs/policy.md)."""
    policy = load_policy(preset_id)
    preset = dataclasses.replace(
        policy.preset,
        municipality_name="Demo kommune",
        domains=domains,
        contact=None,
        formal_inquiry=None,
    )
    return dataclasses.replace(policy, preset=preset)


def _guide_rules(policy) -> dict[str, str]:
    return {r: rule_text(policy, r, "nb") for r in policy.rules if r in GUIDE}


@pytest.mark.parametrize("preset_id", PRESETS)
def test_each_guide_says_what_its_own_guideline_says(preset_id):
    assert _guide_rules(load_policy(preset_id)) == EXPECTED[preset_id]


@pytest.mark.parametrize("preset_id", PRESETS)
def test_the_rendered_guide_carries_those_texts_and_no_other_guidelines(preset_id):
    md = render_guideline(load_policy(preset_id), "md", "nb")
    paragraphs = set(md.split("\n\n"))
    for text in EXPECTED[preset_id].values():
        assert text in paragraphs
    others = {
        text
        for other, texts in EXPECTED.items()
        if other != preset_id
        for text in texts.values()
        if text not in EXPECTED[preset_id].values()
    }
    assert not paragraphs & others


def test_indre_fosens_guide_has_none_of_gausdals_specifics():
    md = render_guideline(load_policy("indre-fosen"), "md", "nb")
    prose = "\n".join(line for line in md.splitlines() if not line.startswith(">"))
    for words in ("arbeidsrelatert", "e-postadressen fra jobben", "jobb-e-post", "rådmannsteam"):
        assert words not in prose


def test_a_municipality_on_another_preset_gets_that_guidelines_statements():
    assert _guide_rules(_adopted("indre-fosen")) == EXPECTED["indre-fosen"]


@pytest.mark.parametrize("lang", ["nn", "en"])
@pytest.mark.parametrize("preset_id", PRESETS)
def test_every_statement_exists_in_nynorsk_and_english(preset_id, lang):
    policy = load_policy(preset_id)
    for rule_id, nb in _guide_rules(policy).items():
        text = rule_text(policy, rule_id, lang)
        assert text and text != nb, (rule_id, lang)
        assert text.count(".") == nb.count("."), (rule_id, lang)  # sentence for sentence


def test_every_statements_evidence_is_quoted_by_some_preset():
    """No dead statement: each is said by at least one of the five guides."""
    said = {(r, t) for texts in EXPECTED.values() for r, t in texts.items()}
    for rule_id, statements in GUIDE.items():
        for _evidence, text in statements:
            assert any(r == rule_id and text.nb in t for r, t in said), (rule_id, text.nb)


def test_contact_line_names_who_not_what_for():
    md = render_guideline(load_policy("gausdal"), "md", "nb")
    assert "- Kontakt: kultur- og informasjonsrådgiver Kjellfrid Flækken." in md
    assert "Spørsmål om sosiale medier:" not in md


# ------------------------------------------------------------------ PU-9 without a domain


@pytest.mark.parametrize(
    ("lang", "line"),
    [
        ("nb", "Lenk til kommunens nettside fra innlegget."),
        ("nn", "Lenk til nettsida til kommunen frå innlegget."),
        ("en", "Link to the municipality's website from the post."),
    ],
)
def test_pu9_without_a_domain_has_no_empty_brackets(lang, line):
    md = render_guideline(_adopted("indre-fosen"), "md", lang)
    assert f"- {line}\n" in md
    assert "()" not in md


def test_pu9_topics_without_a_domain_name_the_website():
    md = render_guideline(_adopted("birkenes"), "md", "nb")
    assert "- Gjelder særlig: organisering, budsjett, økonomi. Lenk til kommunens nettside.\n" in md
    assert not re.search(r"Lenk til \.", md)


def test_pu9_with_a_domain_names_it():
    md = render_guideline(_adopted("indre-fosen", domains=("demo.kommune.no",)), "md", "nb")
    assert "- Lenk til kommunens nettside (demo.kommune.no) fra innlegget.\n" in md
