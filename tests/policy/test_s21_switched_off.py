"""Review s21: a rule the municipality switched off still read as the rule in force.

- PU-12 with approval off kept its catalogue title «Krise: kriseledelsen godkjenner» over
  the text that said approval was off, and the guideline's words («godkjennes all
  informasjon av kriseleder») under it as if they held.
- DI-9 with `first_name_required = false` said «Slått av her» and then quoted Gausdal's
  «skriver du under med eget navn (kun fornavn)» as the rule.

Every switchable rule (`render.SWITCHES`: DI-9, PU-9, PU-12) now has a title and text for
what is in force, and its quote is framed as the guideline's words, not in force here.
The texts are the policy library's own nb/nn/en (the CLI renders them too), so all three.
"""

from __future__ import annotations

import re

import pytest

from ordstyrer.policy import Policy, load_policy
from ordstyrer.policy.catalogue import RULES
from ordstyrer.policy.render import SWITCHES, T, render_guideline, rule_setting, rule_title

from .helpers import PRESETS

LANGS = ("nb", "nn", "en")
BOTH_OFF = {"PU-12": {"approve_posts": False, "approve_replies": False}}
SIGNATURE_OFF = {"DI-9": {"first_name_required": False}}

# The catalogue's promise that the crisis leader approves all information (PU-12).
PROMISE = {
    "nb": r"kriseledelsen godkjenner\b|godkjenner all informasjon",
    "nn": r"kriseleiinga godkjenner\b|godkjenner all informasjon",
    "en": r"the crisis leader approves\b|approves all information",
}
SIGNATURE_RULE = {
    "nb": "Generelle svar signeres med ditt eget fornavn.",
    "nn": "Generelle svar blir signerte med ditt eige førenamn.",
    "en": "Sign general replies with your own first name.",
}


def _section(guide: str, rule_id: str) -> str:
    """The guide's Markdown from the rule's heading to the next heading."""
    start = guide.index(f"({rule_id})")
    start = guide.rindex("\n#", 0, start)
    end = guide.find("\n#", start + 1)
    return guide[start : end if end != -1 else None]


def _cited(policy: Policy, rule_id: str) -> str:
    """The guideline's words for the rule (every preset quotes each rule it switches on)."""
    citation = policy.citation(rule_id)
    assert citation is not None, rule_id
    return citation.text


def _quote_framing(section: str, citation: str) -> str:
    """The paragraph right before the quote: the status that frames it, where it has one."""
    return section.split(f"> {citation}")[0].rstrip().split("\n\n")[-1]


def _unframed(section: str, citation: str, lang: str) -> bool:
    """The quote stands as the rule's: no status before it, none anywhere in the section."""
    statuses = (T["quote_off"][lang], T["quote_partly"][lang])
    return f"> {citation}" in section and not any(s in section for s in statuses)


def test_which_presets_switch_pu12_and_di9_on():
    """PU-12 is on in all five presets with both approvals; DI-9 only in Gausdal's."""
    pu12 = {p for p in PRESETS if load_policy(p).applies("PU-12")}
    assert pu12 == set(PRESETS)
    for preset in PRESETS:
        params = load_policy(preset).params("PU-12")
        assert params["approve_posts"] and params["approve_replies"], preset
        assert rule_setting(load_policy(preset), "PU-12").state == "on"
    assert {p for p in PRESETS if load_policy(p).applies("DI-9")} == {"gausdal"}
    assert load_policy("gausdal").params("DI-9")["first_name_required"] is True


def test_every_rule_a_setting_can_switch_off_says_what_is_in_force():
    """A rule with a yes/no setting is one a municipality can switch off: each has its
    own title and text for that (not a DI-9 special case)."""
    switchable = {
        r for r, rule in RULES.items() if any(p.kind == "bool" for p in rule.params.values())
    }
    assert switchable <= set(SWITCHES), switchable - set(SWITCHES)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("preset", PRESETS)
def test_pu12_on_promises_approval_and_quotes_the_guideline_as_the_rule(preset, lang):
    policy = load_policy(preset)
    section = _section(render_guideline(policy, "md", lang), "PU-12")
    assert re.search(PROMISE[lang], section), section
    assert _unframed(section, _cited(policy, "PU-12"), lang)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("preset", PRESETS)
def test_pu12_with_approval_off_promises_none_and_frames_the_quote(preset, lang):
    policy = load_policy(preset, BOTH_OFF)
    assert rule_setting(policy, "PU-12").state == "off"
    section = _section(render_guideline(policy, "md", lang), "PU-12")
    citation = _cited(policy, "PU-12")
    # The municipality's words are still there, but only as the guideline's: the rest
    # of the section (title, text, values line) promises no approval.
    assert not re.search(PROMISE[lang], section.replace(citation, "")), section
    heading = {"nb": "Krise: godkjenning slått av", "nn": "Krise: godkjenning slått av"}
    assert heading.get(lang, "Crisis: approval switched off") in section.splitlines()[1]
    # What a crisis still does here (crisis.services: posts pause, the log).
    still = {
        "nb": ("Godkjenning er slått av her", "settes likevel på pause", "kriseloggen"),
        "nn": ("Godkjenning er slått av her", "blir likevel sette på pause", "kriseloggen"),
        "en": ("Approval is switched off here", "are still paused", "crisis log"),
    }[lang]
    assert all(words in section for words in still), section
    assert _quote_framing(section, citation) == T["quote_off"][lang]


@pytest.mark.parametrize("lang", LANGS)
def test_pu12_with_one_approval_off_names_what_waits_and_frames_the_quote_as_partly(lang):
    policy = load_policy("birkenes", {"PU-12": {"approve_replies": False}})
    assert rule_setting(policy, "PU-12").state == "partly"
    assert (
        rule_title(policy, "PU-12", lang)
        == {
            "nb": "Krise: kriseledelsen godkjenner innlegg",
            "nn": "Krise: kriseleiinga godkjenner innlegg",
            "en": "Crisis: the crisis leader approves posts",
        }[lang]
    )
    section = _section(render_guideline(policy, "md", lang), "PU-12")
    citation = _cited(policy, "PU-12")
    assert "all informasjon" not in section.replace(citation, "")
    assert "all information" not in section
    assert _quote_framing(section, citation) == T["quote_partly"][lang]


@pytest.mark.parametrize("lang", LANGS)
def test_di9_on_states_the_rule_with_gausdals_words_as_the_rule(lang):
    policy = load_policy("gausdal")
    section = _section(render_guideline(policy, "md", lang), "DI-9")
    assert SIGNATURE_RULE[lang] in section
    assert RULES["DI-9"].title.get(lang) in section
    assert _unframed(section, _cited(policy, "DI-9"), lang)


@pytest.mark.parametrize("lang", LANGS)
def test_di9_off_frames_gausdals_words_as_not_in_force(lang):
    policy = load_policy("gausdal", SIGNATURE_OFF)
    section = _section(render_guideline(policy, "md", lang), "DI-9")
    assert SIGNATURE_RULE[lang] not in section
    assert RULES["DI-9"].title.get(lang) not in section  # «Signer med fornavn» commands it
    assert _quote_framing(section, _cited(policy, "DI-9")) == T["quote_off"][lang]
    # The HTML: the status is its own paragraph, read before the quote.
    html = render_guideline(policy, "html", lang).split('id="di-9"')[1].split("<h3")[0]
    status = f'<p class="citation-status">{T["quote_off"][lang]}</p>\n<figure class="citation">'
    assert status in html


@pytest.mark.parametrize("lang", LANGS)
def test_pu9_with_neither_link_nor_topics_is_off_like_the_others(lang):
    """PU-9 is switched off the same way: nothing asked, the quote framed."""
    policy = load_policy("midt-telemark", {"PU-9": {"requires_link": False, "topics": []}})
    section = _section(render_guideline(policy, "md", lang), "PU-9")
    assert RULES["PU-9"].text.get(lang) not in section
    assert _quote_framing(section, _cited(policy, "PU-9")) == T["quote_off"][lang]
    on = load_policy("birkenes")  # no link required, but on its topics: in force
    assert rule_setting(on, "PU-9").state == "on"
