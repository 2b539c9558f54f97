"""The pure helpers for the workflows: MO-1 deletion grounds, CH-2 plan fields, and the
DI-9 signature in detail."""

from __future__ import annotations

import pytest

from ordstyrer.policy import (
    GROUNDS,
    PLAN_FIELDS,
    CheckContext,
    Draft,
    check,
    check_deletion,
    check_plan,
    has_block,
    load_policy,
)

from .helpers import PRESETS


@pytest.mark.parametrize("preset_id", PRESETS)
@pytest.mark.parametrize("ground", list(GROUNDS))
def test_mo1_deletion_only_on_the_municipalitys_grounds(preset_id, ground):
    policy = load_policy(preset_id)
    findings = check_deletion(policy, ground)
    if policy.applies("MO-1") and ground in policy.grounds():
        assert findings == []
    else:
        [finding] = findings
        assert finding.rule == "MO-1" and finding.severity == "block"
        if policy.applies("MO-1"):
            assert finding.citation == policy.citation("MO-1")
        assert policy.municipality_name in finding.message_nb


@pytest.mark.parametrize("ground", [*GROUNDS, "boring"])
def test_mo1_gausdal_without_grounds_refuses_every_deletion(ground):
    """Gausdal's guideline names no deletion grounds (no MO-1 in rules.md): the engine
    refused nothing here ("does not restrict grounds") while the moderation service
    refuses every deletion and ban. The engine now answers as the service does."""
    policy = load_policy("gausdal")
    [finding] = check_deletion(policy, ground)
    assert finding.rule == "MO-1" and finding.severity == "block"
    assert finding.message_nb.startswith(
        "Retningslinjen til Gausdal kommune gir ingen grunnlag for å slette eller utestenge"
    )
    assert finding.message_nn and finding.message_en
    # Nothing to quote: the citation names the guideline, and quotes no words of it.
    assert finding.citation.section == "Retningslinjer for bruk av sosiale medier"
    assert finding.citation.text == ""


@pytest.mark.parametrize("preset_id", PRESETS)
@pytest.mark.parametrize("ground", [*GROUNDS, "boring"])
def test_mo1_engine_and_moderation_service_agree(preset_id, ground, settings):
    """One answer to "may this be deleted?": the engine's `check_deletion` and the
    moderation service's `require_ground` refuse exactly the same deletions."""
    from ordstyrer.core.errors import ServiceError
    from ordstyrer.moderation.grounds import require_ground

    policy = load_policy(preset_id)
    try:
        require_ground(policy, ground, what="slette")
        service_refuses = False
    except ServiceError:
        service_refuses = True
    assert has_block(check_deletion(policy, ground)) is service_refuses


def test_mo1_message_lists_the_allowed_grounds():
    [finding] = check_deletion(load_policy("rennebu"), "spam")
    assert finding.message_nb == (
        "«spam» er ikke et grunnlag for sletting hos Rennebu kommune. Sletting er bare lov "
        "ved: i strid med norsk lov, uthenging av enkeltpersoner, sjikane."
    )
    [unknown] = check_deletion(load_policy("rennebu"), "boring")
    assert "«boring»" in unknown.message_nb


def test_mo1_follows_overridden_grounds():
    policy = load_policy("midt-telemark", {"MO-1": {"grounds": ["unlawful"]}})
    assert check_deletion(policy, "unlawful") == []
    assert has_block(check_deletion(policy, "personal_attack"))


@pytest.mark.parametrize(
    ("preset_id", "missing"),
    [
        ("gausdal", 8),  # the eight questions of «en plan som minimum svarer på»
        ("midt-telemark", 4),
        ("birkenes", 3),
        ("indre-fosen", 3),  # need, who runs it, follow-up (000 §1); no purpose
        ("rennebu", 0),  # CH-2 is not in Rennebu's guideline
    ],
)
def test_ch2_plan_fields(preset_id, missing):
    policy = load_policy(preset_id)
    findings = check_plan(policy, {})
    assert len(findings) == missing
    assert all(f.rule == "CH-2" and f.severity == "block" for f in findings)
    if missing:
        full = dict.fromkeys(policy.params("CH-2")["required_plan_fields"], "utfylt")
        assert check_plan(policy, full) == []
        first = policy.params("CH-2")["required_plan_fields"][0]
        full[first] = "  "
        [finding] = check_plan(policy, full)
        assert finding.message_nb == f"Planen mangler «{PLAN_FIELDS[first].nb}»."


GAUSDAL = load_policy("gausdal")


@pytest.mark.parametrize(
    ("text", "signer", "ok"),
    [
        ("Takk for spørsmålet!\nHilsen Kari", None, True),
        ("Takk for spørsmålet!\nHilsen Kari", "Kari", True),
        ("Takk for spørsmålet!\nHilsen Kari", "kari", True),
        ("Takk for spørsmålet!\nHilsen Kari", "Per", False),
        ("Takk for spørsmålet!\nMvh Kari", None, True),
        ("Takk for spørsmålet!\nMed vennlig hilsen\nKari", None, True),
        ("Takk for spørsmålet!\nVenleg helsing Kari", None, True),
        ("Takk for spørsmålet!\n– Kari", None, True),
        ("Takk for spørsmålet!\nKari", None, True),
        ("Takk for spørsmålet! Hilsen Kari", None, True),
        ("Takk for spørsmålet! Kari", None, True),
        ("Takk for spørsmålet!\nHilsen Kari, Gausdal kommune", None, True),
        ("Takk for spørsmålet!\nHilsen Kari i kulturavdelinga", None, True),
        ("Takk for spørsmålet!\nHilsen Anne-Lise", None, True),
        ("Takk for spørsmålet!\nHilsen Kari Nordmann", None, False),
        ("Takk for spørsmålet!\nHilsen Kari N.", None, False),
        # Without knowing the signer, "Gausdal" passes for a first name; with it, it does not.
        ("Takk for spørsmålet!\nHilsen Gausdal kommune", None, True),
        ("Takk for spørsmålet!\nHilsen Gausdal kommune", "Kari", False),
        ("Takk for spørsmålet!", None, False),
        ("Takk for spørsmålet! Vi ser på saken og kommer tilbake.", None, False),
        ("Takk for spørsmålet!\nVi ser på saken og kommer tilbake.", None, False),
        ("", None, False),
    ],
)
def test_di9_signature(text, signer, ok):
    ctx = CheckContext(kind="reply", signer_first_name=signer)
    findings = [f for f in check(Draft(text), GAUSDAL, ctx) if f.rule == "DI-9"]
    assert (findings == []) == ok, [f.message_nb for f in findings]
    assert all(f.severity == "block" for f in findings)


def test_di9_can_be_switched_off_by_override():
    policy = load_policy("gausdal", {"DI-9": {"first_name_required": False}})
    assert check(Draft("Takk!"), policy, CheckContext(kind="reply")) == []
