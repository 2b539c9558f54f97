"""The employees' guideline and the public house rules (CH-10), rendered from the policy."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from ordstyrer.policy import GROUNDS, PolicyError, load_policy
from ordstyrer.policy.catalogue import RULES
from ordstyrer.policy.render import duration, render_guideline, render_house_rules

from .helpers import PRESETS


class _Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.wrapper_lang: str | None = None

    def handle_starttag(self, tag, attrs):
        if not self.tags:
            self.wrapper_lang = dict(attrs).get("lang")
        self.tags.append(tag)


def _heading_levels(html: str) -> list[int]:
    return [int(t[1]) for t in re.findall(r"<(h[1-6])[\s>]", html)]


@pytest.mark.parametrize("preset_id", PRESETS)
@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_guideline_html_is_accessible(preset_id, lang):
    html = render_guideline(load_policy(preset_id), "html", lang)
    outline = _Outline()
    outline.feed(html)
    assert outline.tags[0] == "div" and outline.wrapper_lang == lang
    levels = _heading_levels(html)
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))  # no skipped level
    assert "<ul>" in html and "<li>" in html
    if lang != "nb":  # quotes keep the language of the municipality's document
        assert '<blockquote lang="nb">' in html


@pytest.mark.parametrize("preset_id", PRESETS)
def test_guideline_covers_every_rule_with_the_municipalitys_words(preset_id):
    policy = load_policy(preset_id)
    md = render_guideline(policy, "md", "nb")
    for rule_id in policy.rules:
        assert f"({rule_id})" in md
        assert RULES[rule_id].title.nb in md
        citation = policy.citation(rule_id)
        assert f"> {citation.text}\n" in md
        assert f"«{citation.section}»" in md
    for rule_id in set(RULES) - set(policy.rules):
        assert f"({rule_id})" not in md


def test_guideline_has_em_ch_di_sections_in_order_nb_and_nn():
    policy = load_policy("gausdal")
    nb = render_guideline(policy, "md", "nb")
    nn = render_guideline(policy, "md", "nn")
    headings = [line for line in nb.splitlines() if line.startswith("## ")]
    assert headings[:3] == ["## Ansattes egen bruk", "## Offisielle kanaler", "## Publisering"]
    assert "## Eigen bruk for tilsette" in nn and "## Offisielle kanalar" in nn
    assert RULES["DI-9"].text.nn in nn and RULES["DI-9"].text.nb in nb


def test_guideline_spells_out_parameters():
    fosen = render_guideline(load_policy("indre-fosen"), "md", "nb")
    assert "Godkjenning: enhetsleder → kommunikasjonsavdelingen" in fosen
    # DI-1: the work list's deadlines are named as Ordstyrer's, not as the guideline's
    # (Indre Fosen's says «så raskt som mulig innenfor normal arbeidstid»).
    assert (
        "Fristene i Ordstyrers arbeidsliste: første svar innen 2 timer i arbeidstiden, "
        "fullt svar innen én arbeidsdag." in fosen
    )
    assert "Slettegrunnlag: Spam; Hatefulle ytringer (straffeloven § 185)" in fosen
    assert "kommunikasjonsrådgiver Kari Klepp, tlf. 97 51 40 96" in fosen
    assert "Lesbarhet: LIX høyst 40." in fosen
    mt = render_guideline(load_policy("midt-telemark", {"PU-10": {"weekly_cap": 8}}), "md", "nn")
    assert "Hovudsida: høgst 8 innlegg i veka og 2 per dag." in mt
    assert "Gjennomgang minst kvar 30. dag." in mt
    gausdal = render_guideline(load_policy("gausdal"), "md", "nb")
    assert "kultur- og informasjonsrådgiver Kjellfrid Flækken" in gausdal


@pytest.mark.parametrize("preset_id", PRESETS)
@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_house_rules(preset_id, lang):
    policy = load_policy(preset_id)
    html = render_house_rules(policy, "html", lang)
    levels = _heading_levels(html)
    assert levels[0] == 1 and all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))
    assert f'lang="{lang}"' in html.splitlines()[0]
    md = render_house_rules(policy, "md", lang)
    # DI-1 / CH-10: a response time only where the guideline gives one.
    assert ("## Svartid" in md) is policy.applies("DI-1")
    for code in policy.grounds():  # what is deleted, and why
        assert GROUNDS[code].label(lang) in md


def test_house_rules_formal_inquiry_address_and_response_time():
    mt = render_house_rules(load_policy("midt-telemark"), "md", "nb")
    assert "post@mt.kommune.no, eller ring 35 05 90 00" in mt
    gausdal = render_house_rules(load_policy("gausdal"), "md", "nn")
    # DI-1 (004): «besvares senest innen ett døgn (innen normal arbeidstid, dvs. ikke
    # overvåkning i helger og helligdager)»
    assert "seinast innan eitt døgn i normal arbeidstid" in gausdal
    assert "Vi følgjer ikkje med i helgar og på heilagdagar." in gausdal
    assert (
        "Reglene for responstid, for å skrive bidrag osv., må gå klart fram på forumet." in gausdal
    )
    assert "Når sida er stengd" in gausdal  # CH-9
    assert "Vi slettar ikkje kommentarar fordi dei er kritiske" in gausdal  # no MO-1 grounds
    fosen = render_house_rules(load_policy("indre-fosen"), "md", "nb")
    assert "melder vi til politiet" in fosen  # MO-3
    # The work list's deadlines are internal: an override moves them, not the public promise.
    longer = render_house_rules(load_policy("gausdal", {"DI-1": {"answer_hours": 15}}), "md", "nb")
    assert "senest innen ett døgn" in longer and "arbeidsdager" not in longer


def test_house_rules_promise_indre_fosens_own_words_not_two_hours():
    """DI-1/DI-2 (000 §5): «så raskt som mulig innenfor normal arbeidstid» and «gir du
    beskjed om at henvendelsen er mottatt» — no hours, so the house rules name none."""
    for lang in ("nb", "nn", "en"):
        fosen = render_house_rules(load_policy("indre-fosen"), "md", lang)
        assert "2 timer" not in fosen and "2 timar" not in fosen and "2 working" not in fosen
        assert "arbeidsdag" not in fosen and "working day" not in fosen
    nb = render_house_rules(load_policy("indre-fosen"), "md", "nb")
    assert "så raskt som mulig i normal arbeidstid" in nb
    assert "får du beskjed om at vi har fått henvendelsen, og at vi kommer tilbake" in nb


@pytest.mark.parametrize("preset_id", ["rennebu", "midt-telemark", "birkenes"])
@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_house_rules_promise_no_response_time_without_di1(preset_id, lang):
    """Rennebu, Midt-Telemark and Birkenes set no response time (DI-1 is F and G only):
    their house rules promise none (they said «innen én arbeidsdag»)."""
    md = render_house_rules(load_policy(preset_id), "md", lang)
    for word in ("arbeidsdag", "working day", "timer", "timar", "working hours", "innen", "innan"):
        assert word not in md, (preset_id, lang, word)
    assert {"nb": "## Svar\n", "nn": "## Svar\n", "en": "## Answers\n"}[lang] in md


@pytest.mark.parametrize(
    ("preset_id", "lead"),
    [
        # 000 §6 «Terskelen for å slette kommentarer … skal være svært høy.»
        ("indre-fosen", "Terskelen for å slette er svært høy."),
        # 001 «Lovstridige innlegg, uthenging av enkeltpersoner, sjikane og lignende
        # slettes så snart de oppdages.»
        ("rennebu", "Dette sletter vi så snart vi oppdager det:"),
        # 002 «Å slette kommentarer bør bare gjøres i ekstraordinære tilfeller dersom de:»
        ("midt-telemark", "Vi sletter kommentarer bare i ekstraordinære tilfeller"),
        # 003 «Slike innlegg skal slettes.» «Rykter og spekulasjoner … men slettes.»
        ("birkenes", "Innlegg med dette blir slettet:"),
    ],
)
def test_house_rules_put_deletion_in_each_guidelines_words(preset_id, lead):
    """MO-1 / CH-10: Indre Fosen's «very high threshold» is Indre Fosen's alone."""
    md = render_house_rules(load_policy(preset_id), "md", "nb")
    assert lead in md
    assert ("svært høy" in md) is (preset_id == "indre-fosen")


def test_html_and_markdown_escaping():
    from ordstyrer.policy.document import Document

    doc = Document(lang="nb", css_class="x")
    doc.heading(1, "<b>Tittel</b> *fet*")
    doc.bullets(["- ikke en ny liste", "[lenke](http://x)"])
    doc.quote('Sitat med "anførsel" & <tag>', "— Kilde", "nb")
    html = doc.render("html")
    assert "&lt;b&gt;Tittel&lt;/b&gt;" in html and "&amp; &lt;tag&gt;" in html
    assert "<blockquote>" in html  # same language as the page: no lang attribute needed
    md_out = doc.render("md")
    assert "\\*fet\\*" in md_out and "- \\- ikke en ny liste" in md_out
    assert "\\[lenke\\]" in md_out
    with pytest.raises(ValueError, match="heading level 3 after 1"):
        doc.heading(3, "hopper over nivå 2")


@pytest.mark.parametrize(
    ("hours", "lang", "text"),
    [
        (7.5, "nb", "én arbeidsdag"),
        (7.5, "nn", "éin arbeidsdag"),
        (15.0, "en", "2 working days"),
        (2.0, "nb", "2 timer i arbeidstiden"),
        (3.5, "nn", "3,5 timar i arbeidstida"),
    ],
)
def test_duration(hours, lang, text):
    assert duration(hours, lang) == text


@pytest.mark.parametrize(("fmt", "lang"), [("pdf", "nb"), ("md", "se")])
def test_bad_format_or_language(fmt, lang):
    with pytest.raises(PolicyError):
        render_guideline(load_policy("gausdal"), fmt, lang)
    with pytest.raises(PolicyError):
        render_house_rules(load_policy("gausdal"), fmt, lang)
