"""The employees' guide puts MO-1, MO-6 and PU-11 in each guideline's words — no more, no
less (rules.md).

Until stop 23:

* MO-1 said «Terskelen for å slette kommentarer eller utestenge personer er svært høy» in
  every guide, though «svært høy terskel» is Indre Fosen's alone (docs/moderation.md; the
  house rules already used each preset's `[house_rules].deletion`). Midt-Telemark's guide
  said «svært høy» under MO-1 and «så snart de oppdages» (Rennebu's words) under MO-6,
  while quoting its own «bør bare gjøres i ekstraordinære tilfeller».
* MO-6 said Rennebu's «så snart de oppdages» for Midt-Telemark too, and PU-11 Birkenes'
  «arrangementer … kan kunngjøres» for Rennebu.
"""

from __future__ import annotations

import pytest

from ordstyrer.policy import load_policy
from ordstyrer.policy.render import render_guideline, render_house_rules, rule_text

# MO-1 under each preset, in the guideline's words (shared/guidelines/000…003).
MO1 = {
    # 000 §6 «Terskelen for å slette kommentarer eller utestenge enkeltpersoner, skal være
    # svært høy.»
    "indre-fosen": "Terskelen for å slette kommentarer eller utestenge personer er svært høy. "
    "Det er bare lov å slette på de grunnlagene kommunen har listet opp.",
    # 001 «Lovstridige innlegg, uthenging av enkeltpersoner, sjikane og lignende slettes så
    # snart de oppdages.»
    "rennebu": "Innlegg på de grunnlagene kommunen har listet opp, slettes så snart de "
    "oppdages. På andre grunnlag er det ikke lov å slette.",
    # 002 «Å slette kommentarer bør bare gjøres i ekstraordinære tilfeller dersom de: …»
    "midt-telemark": "Kommentarer bør bare slettes i ekstraordinære tilfeller. Det er bare "
    "lov å slette på de grunnlagene kommunen har listet opp.",
    # 003 «Slike innlegg skal slettes.», «Rykter og spekulasjoner … men slettes.»
    "birkenes": "Innlegg på de grunnlagene kommunen har listet opp, skal slettes. På andre "
    "grunnlag er det ikke lov å slette.",
}
VERY_HIGH = {"nb": "svært høy", "nn": "svært høg", "en": "very high"}


def _prose(md: str) -> str:
    """The guide's own text: its quotes of the guideline left out."""
    return "\n".join(line for line in md.splitlines() if not line.startswith(">"))


@pytest.mark.parametrize("preset_id", sorted(MO1))
def test_mo1_says_deleting_in_the_guidelines_own_words(preset_id):
    policy = load_policy(preset_id)
    assert rule_text(policy, "MO-1", "nb") == MO1[preset_id]
    md = _prose(render_guideline(policy, "md", "nb"))
    assert MO1[preset_id] in md
    for other, text in MO1.items():
        if other != preset_id:
            assert text not in md, other


@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
@pytest.mark.parametrize("preset_id", sorted(MO1))
def test_only_indre_fosen_s_guide_says_very_high(preset_id, lang):
    policy = load_policy(preset_id)
    guide = _prose(render_guideline(policy, "md", lang))
    house = render_house_rules(policy, "md", lang)
    very_high = preset_id == "indre-fosen"
    assert (VERY_HIGH[lang] in guide) is very_high
    # The guide and the public rules put it alike (`[house_rules].deletion`).
    assert (VERY_HIGH[lang] in house) is very_high
    # Each language says it, sentence for sentence.
    text = rule_text(policy, "MO-1", lang)
    assert text.count(".") == MO1[preset_id].count(".")


def test_a_municipality_on_another_preset_gets_that_guidelines_wording():
    adopted = load_policy("rennebu").as_municipality(slug="demo", name="Demo kommune")
    assert rule_text(adopted, "MO-1", "nb") == MO1["rennebu"]


def test_midt_telemark_says_neither_very_high_nor_as_soon_as_discovered():
    md = _prose(render_guideline(load_policy("midt-telemark"), "md", "nb"))
    assert "svært høy" not in md
    assert "så snart" not in md
    # MO-6 in its own words: «… skal dokumenteres, tas bort og arkiveres i arkivsystemet.»
    assert "Innlegg i strid med lov eller retningslinjer dokumenteres, fjernes og arkiveres." in md


def test_rennebu_s_mo6_says_as_soon_as_discovered():
    md = _prose(render_guideline(load_policy("rennebu"), "md", "nb"))
    assert "slettes så snart de oppdages" in md
    assert "dokumenteres" not in md


@pytest.mark.parametrize(
    ("preset_id", "events"),
    [("birkenes", True), ("rennebu", False)],
)
def test_pu11_names_events_only_where_the_guideline_does(preset_id, events):
    """PU-11: Birkenes' guideline names events where the municipality is an actor;
    Rennebu's says current, relevant, fact-based information supporting its goals."""
    policy = load_policy(preset_id)
    for lang, word in (("nb", "arrangement"), ("nn", "arrangement"), ("en", "event")):
        assert (word in rule_text(policy, "PU-11", lang)) is events, lang
    facts = "Publiser informasjon som er aktuell, relevant og basert på fakta."
    assert (facts in rule_text(policy, "PU-11", "nb")) is not events
