"""Review s20: the employees' guide said what the values in force contradicted.

- PU-10's text hard-coded «høyst 7–10 nyhetssaker i uka … to per virkedag» under a cap of
  5 a week; the numbers are the values line's now.
- DI-9 with `first_name_required = false` still demanded the signature; it says it is
  switched off.
- PU-12 with both approvals off still said «kriselederen godkjenner all informasjon».
- EM-9 and DI-10 quoted Indre Fosen's «Kari Klepp (tlf 97 51 40 96)» after the
  municipality set its own contact; the replaced contact is elided from the quote.

Bokmål and Nynorsk both (the texts are the policy library's own pairs, not gettext).
"""

from __future__ import annotations

import re

import pytest

from ordstyrer.policy import Contact, load_policy
from ordstyrer.policy.render import render_guideline, rule_text

LANGS = ("nb", "nn")


def _section(guide: str, rule_id: str) -> str:
    """The guide's Markdown under the rule's heading, up to the next heading."""
    return guide.split(f"{rule_id}")[1].split("\n#")[0]


@pytest.mark.parametrize("lang", LANGS)
def test_pu10_text_leaves_the_caps_to_the_values_line(lang):
    policy = load_policy("midt-telemark", {"PU-10": {"weekly_cap": 5, "daily_cap": 1}})
    text = rule_text(policy, "PU-10", lang)
    assert not re.search(r"\d", text), text
    assert not re.search(r"\bto per\b", text)
    section = _section(render_guideline(policy, "md", lang), "PU-10")
    values = {
        "nb": "høyst 5 innlegg i uka og 1 per dag",
        "nn": "høgst 5 innlegg i veka og 1 per dag",
    }
    assert values[lang] in section


@pytest.mark.parametrize(
    ("lang", "off", "rule"),
    [
        (
            "nb",
            "Slått av her: kommunen krever ikke",
            "Generelle svar signeres med ditt eget fornavn.",
        ),
        ("nn", "Slått av her: kommunen krev ikkje", "Generelle svar blir signerte med ditt eige"),
    ],
)
def test_di9_switched_off_says_so(lang, off, rule):
    on = load_policy("gausdal")
    assert rule in rule_text(on, "DI-9", lang)
    switched_off = load_policy("gausdal", {"DI-9": {"first_name_required": False}})
    text = rule_text(switched_off, "DI-9", lang)
    assert off in text and rule not in text
    assert off in _section(render_guideline(switched_off, "md", lang), "DI-9")


@pytest.mark.parametrize(
    ("lang", "all_approved", "off", "declared"),
    [
        (
            "nb",
            "kriselederen godkjenner all informasjon",
            "Godkjenning er slått av her",
            "Krisen erklæres og avsluttes av",
        ),
        (
            "nn",
            "kriseleiaren godkjenner all informasjon",
            "Godkjenning er slått av her",
            "Krisa blir erklært og avslutta av",
        ),
    ],
)
def test_pu12_with_both_approvals_off_says_approval_is_off(lang, all_approved, off, declared):
    assert all_approved in rule_text(load_policy("birkenes"), "PU-12", lang)
    policy = load_policy("birkenes", {"PU-12": {"approve_posts": False, "approve_replies": False}})
    text = rule_text(policy, "PU-12", lang)
    assert off in text and all_approved not in text
    section = _section(render_guideline(policy, "md", lang), "PU-12")
    assert off in section and all_approved not in section
    assert declared in section  # who declares and ends is still said


@pytest.mark.parametrize("lang", LANGS)
def test_pu12_with_one_approval_off_does_not_promise_all_is_approved(lang):
    policy = load_policy("indre-fosen", {"PU-12": {"approve_replies": False}})
    text = rule_text(policy, "PU-12", lang)
    assert "all informasjon" not in text
    section = _section(render_guideline(policy, "md", lang), "PU-12")
    assert {"nb": "venter alle innlegg på", "nn": "ventar alle innlegg på"}[lang] in section


NEW = Contact(title="kommunikasjonssjef", name="Nils Ny", phone="400 00 000")


@pytest.mark.parametrize("rule_id", ["EM-9", "DI-10"])
def test_em9_di10_quote_drops_the_preset_contact_once_the_municipality_sets_its_own(rule_id):
    policy = load_policy("indre-fosen")
    assert "Kari Klepp (tlf 97 51 40 96)" in policy.citation(rule_id).text
    own = policy.as_municipality(slug="indre-fosen", name="Indre Fosen kommune", contact=NEW)
    quoted = own.citation(rule_id).text
    assert "Kari Klepp" not in quoted and "97 51 40 96" not in quoted
    assert "kommunikasjonsrådgiver […] (tlf […])" in quoted
    for lang in LANGS:
        guide = render_guideline(own, "md", lang)
        assert "Kari Klepp" not in guide and "Nils Ny" in guide


def test_em9_quote_keeps_what_the_municipality_still_has_in_common_with_its_preset():
    policy = load_policy("indre-fosen")
    same = Contact(title="kommunikasjonsrådgiver", name="Kari Klepp", phone="97 51 40 96")
    kept = policy.as_municipality(slug="indre-fosen", name="Indre Fosen", contact=same)
    assert kept.citation("EM-9") == policy.citation("EM-9")
    moved = Contact(title="kommunikasjonsrådgiver", name="Kari Klepp", phone="975 00 000")
    quoted = policy.as_municipality(slug="indre-fosen", name="Indre Fosen", contact=moved).citation(
        "EM-9"
    )
    assert "Kari Klepp (tlf […])" in quoted.text
