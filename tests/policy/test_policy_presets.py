"""Presets: citations verbatim from the municipalities' guidelines, the agreed parameters,
contacts and addresses."""

from __future__ import annotations

import pytest

from ordstyrer.policy import GROUNDS, ROLES, Contact, FormalInquiry, load_policy, load_preset
from ordstyrer.policy.preset import QUOTE_SEPARATOR, clean_markup

from .helpers import GUIDELINES, PRESETS, normalise


def _guideline(preset_id: str) -> str:
    path = GUIDELINES / load_preset(preset_id).source_file
    if not path.exists():
        pytest.skip(f"{path} is not present; citations are shipped in the presets")
    return normalise(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("preset_id", PRESETS)
def test_every_citation_is_verbatim_from_the_guideline(preset_id):
    document = _guideline(preset_id)
    for rule_id, setting in load_preset(preset_id).rules.items():
        assert normalise(setting.citation.section) in document, (rule_id, setting.citation.section)
        for quote in setting.quotes:
            assert normalise(quote) in document, (rule_id, quote)


@pytest.mark.parametrize("preset_id", PRESETS)
def test_citations_ship_with_the_product(preset_id):
    policy = load_policy(preset_id)
    for rule_id in policy.rules:
        citation = policy.citation(rule_id)
        assert citation.municipality == policy.municipality_name
        assert citation.section and citation.text
        assert "](" not in citation.text and "**" not in citation.text  # display text is clean
        setting = policy.preset.rules[rule_id]
        assert citation.text == QUOTE_SEPARATOR.join(clean_markup(q) for q in setting.quotes)


def test_markdown_marks_are_dropped_for_display():
    text = load_policy("indre-fosen").citation("PU-3").text
    assert text == (
        "Alle filmer som publiseres via kommunens kanaler må tekstes, hvis informasjonen "
        "ligger i det som blir sagt."
    )


@pytest.mark.parametrize(
    ("preset_id", "grounds"),
    [
        ("indre-fosen", ("spam", "hate_speech", "confidentiality_breach", "privacy_breach")),
        ("rennebu", ("unlawful", "public_shaming", "harassment")),
        ("midt-telemark", ("personal_attack", "third_party_naming", "unlawful")),
        ("birkenes", ("sensitive_information", "rumour", "discrimination")),
        ("gausdal", ()),
    ],
)
def test_mo1_grounds(preset_id, grounds):
    policy = load_policy(preset_id)
    assert policy.grounds() == grounds
    assert policy.applies("MO-1") == bool(grounds)
    for code in grounds:
        label = GROUNDS[code]
        assert label.nb and label.nn and label.en


def test_grounds_table_has_labels_in_three_languages():
    assert GROUNDS["hate_speech"].label("nb") == "Hatefulle ytringer (straffeloven § 185)"
    assert GROUNDS["hate_speech"].label("nn") == "Hatefulle ytringar (straffelova § 185)"
    assert GROUNDS["rumour"].label("en") == "Rumours and speculation"


@pytest.mark.parametrize(
    ("preset_id", "first", "answer"),
    [
        ("indre-fosen", 2.0, 7.5),
        ("gausdal", 7.5, 7.5),
        ("rennebu", 2.0, 7.5),  # DI-1 off: the defaults
        ("midt-telemark", 2.0, 7.5),
        ("birkenes", 2.0, 7.5),
    ],
)
def test_di1_response_targets(preset_id, first, answer):
    targets = load_policy(preset_id).response_targets()
    assert targets == (first, answer)
    assert targets.first_response_hours == first and targets.answer_hours == answer
    assert isinstance(targets.answer_hours, float)


@pytest.mark.parametrize(
    ("preset_id", "chain"),
    [
        ("indre-fosen", ("unit_leader", "communications")),
        ("birkenes", ("unit_leader", "chief_administrator")),
        ("gausdal", ("chief_administrator",)),
        # 002 «Send en epost til post@mt.kommune.no med informasjon om at siden er
        # opprettet …»: a report to the service office; no web editor step.
        ("midt-telemark", ("service_office",)),
        # 001 names no approver: the product's default, the chief administrator.
        ("rennebu", ("chief_administrator",)),
    ],
)
def test_ch1_approval_chain(preset_id, chain):
    params = load_policy(preset_id).params("CH-1")
    assert params["approval_chain"] == chain
    assert all(code in ROLES for code in chain)


@pytest.mark.parametrize(
    ("preset_id", "fields"),
    [
        # 004 «en plan som minimum svarer på»: eight questions, not all twelve fields.
        (
            "gausdal",
            (
                "purpose",
                "why",
                "goals",
                "topics",
                "moderation",
                "dialogue_rules",
                "duration",
                "marketing",
            ),
        ),
        ("midt-telemark", ("purpose", "audience", "publishing_plan", "main_admin")),
        ("birkenes", ("purpose", "publishing_plan", "follow_up")),
        # 000 §1 «vurdere behovet …, hvem som skal ha ansvaret for driften og hvordan
        # kanalen skal følges opp»: no purpose.
        ("indre-fosen", ("why", "follow_up", "main_admin")),
    ],
)
def test_ch2_required_plan_fields(preset_id, fields):
    assert load_policy(preset_id).params("CH-2")["required_plan_fields"] == fields


def test_ch2_off_for_rennebu():
    policy = load_policy("rennebu")
    assert not policy.applies("CH-2")
    assert policy.params("CH-2") == {}
    assert policy.citation("CH-2") is None


def test_pu10_caps_and_pu9_parameters():
    assert dict(load_policy("midt-telemark").params("PU-10")) == {"weekly_cap": 10, "daily_cap": 2}
    assert load_policy("birkenes").params("PU-9") == {
        "requires_link": False,
        "topics": ("organisering", "budsjett", "økonomi"),
    }
    assert load_policy("indre-fosen").params("PU-9")["requires_link"] is True
    assert load_policy("midt-telemark").params("PU-9")["requires_link"] is True


def test_di9_and_pu5_parameters():
    assert load_policy("gausdal").params("DI-9") == {"first_name_required": True}
    assert load_policy("indre-fosen").params("PU-5") == {"lix_max": 40.0}


def test_contacts_and_formal_inquiry():
    fosen = load_policy("indre-fosen").contact
    assert (fosen.title, fosen.name, fosen.phone) == (
        "kommunikasjonsrådgiver",
        "Kari Klepp",
        "97 51 40 96",
    )
    gausdal = load_policy("gausdal").contact
    assert (gausdal.title, gausdal.name, gausdal.phone) == (
        "kultur- og informasjonsrådgiver",
        "Kjellfrid Flækken",
        None,
    )
    inquiry = load_policy("midt-telemark").formal_inquiry
    assert (inquiry.email, inquiry.phone) == ("post@mt.kommune.no", "35 05 90 00")
    for preset_id in ("indre-fosen", "rennebu", "birkenes", "gausdal"):
        assert load_policy(preset_id).formal_inquiry is None
    for preset_id in ("rennebu", "midt-telemark", "birkenes"):
        assert load_policy(preset_id).contact is None


@pytest.mark.parametrize(
    ("preset_id", "name", "domain"),
    [
        ("indre-fosen", "Indre Fosen kommune", "indrefosen.kommune.no"),
        ("rennebu", "Rennebu kommune", "rennebu.kommune.no"),
        ("midt-telemark", "Midt-Telemark kommune", "midt-telemark.kommune.no"),
        ("birkenes", "Birkenes kommune", "birkenes.kommune.no"),
        ("gausdal", "Gausdal kommune", "gausdal.kommune.no"),
    ],
)
def test_names_and_domains(preset_id, name, domain):
    policy = load_policy(preset_id)
    assert policy.preset_id == preset_id
    assert policy.municipality_name == name
    assert policy.domains[0] == domain


def test_policy_is_immutable():
    policy = load_policy("midt-telemark")
    with pytest.raises(AttributeError):
        policy.preset = None  # type: ignore[misc]
    with pytest.raises(TypeError):
        policy.params("PU-10")["weekly_cap"] = 3  # type: ignore[index]
    assert isinstance(policy.params("MO-1")["grounds"], tuple)


def test_to_dict_is_json_ready():
    import json

    data = load_policy("gausdal", {"DI-1": {"answer_hours": 6}}).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["rules"]["DI-1"]["params"] == {"first_response_hours": 7.5, "answer_hours": 6.0}
    assert data["overrides"] == {"DI-1": {"answer_hours": 6.0}}


def test_a_municipality_that_adopts_a_preset_takes_its_rules_not_its_identity():
    own = load_policy("midt-telemark")
    assert own.as_municipality(slug="midt-telemark", name="Midt-Telemark kommune") is own
    assert own.as_municipality(slug="mt", name="midt-telemark") is own
    adopted = own.as_municipality(slug="nyby", name="Nyby kommune")
    assert adopted.rules == own.rules and adopted.grounds() == own.grounds()
    assert adopted.municipality_name == "Nyby kommune"
    # Not Midt-Telemark's website, contact (EM-9) or post office (DI-7).
    assert adopted.domains == () and adopted.contact is None and adopted.formal_inquiry is None
    assert adopted != own


CONTACT = Contact(title="kommunikasjonsrådgiver", name="Nina Nyby", phone="12 34 56 78")
INQUIRY = FormalInquiry(email="post@nyby.kommune.no")


def test_an_adopter_has_only_the_identity_it_sets_itself():
    adopted = load_policy("indre-fosen").as_municipality(
        slug="nyby",
        name="Nyby kommune",
        website=" Nyby.Kommune.no ",
        contact=CONTACT,
        formal_inquiry=INQUIRY,
    )
    assert adopted.municipality_name == "Nyby kommune"
    assert adopted.domains == ("nyby.kommune.no",)
    assert adopted.contact == CONTACT and adopted.formal_inquiry == INQUIRY
    # Only what it sets: a contact without an inquiry address is not Indre Fosen's address.
    partial = load_policy("midt-telemark").as_municipality(
        slug="nyby", name="Nyby kommune", contact=CONTACT
    )
    assert partial.formal_inquiry is None and partial.domains == ()


def test_the_preset_s_own_municipality_overrides_its_preset_where_it_sets_something():
    own = load_policy("indre-fosen")
    assert own.contact is not None and own.contact.name == "Kari Klepp"
    moved = own.as_municipality(
        slug="indre-fosen", name="Indre Fosen kommune", contact=CONTACT, website="if.no"
    )
    # Its own contact replaces the preset's; its website goes in front of the preset's.
    assert moved.contact == CONTACT
    assert moved.domains == ("if.no", "indrefosen.kommune.no")
    assert moved.municipality_name == own.municipality_name
    # What it does not set stays the preset's: Midt-Telemark's post office (DI-7).
    mt = load_policy("midt-telemark").as_municipality(
        slug="midt-telemark", name="Midt-Telemark kommune", website="mt.kommune.no"
    )
    assert mt.formal_inquiry == FormalInquiry(email="post@mt.kommune.no", phone="35 05 90 00")
    assert mt.domains == ("mt.kommune.no", "midt-telemark.kommune.no")
    # Another contact person is another policy (equality and hash).
    assert moved != own and hash(moved) != hash(own)


def test_an_adopters_quotes_do_not_send_anyone_to_the_source_municipality():
    """EM-9/DI-10: Indre Fosen's guideline names its advisor and her phone; a municipality
    that adopted it quotes the guideline without them."""
    own = load_policy("indre-fosen")
    adopted = own.as_municipality(slug="nyby", name="Nyby kommune")
    quoted = own.citation("DI-10").text
    assert "Kari Klepp (tlf 97 51 40 96)" in quoted
    elided = adopted.citation("DI-10").text
    assert "Kari Klepp" not in elided and "97 51 40 96" not in elided
    assert "kommunikasjonsrådgiver […] (tlf […])" in elided
    assert adopted.citation("DI-10").municipality == "Indre Fosen kommune"  # whose words
    # Midt-Telemark's post office, in any quote, likewise.
    mt = load_policy("midt-telemark").as_municipality(slug="nyby", name="Nyby kommune")
    texts = " ".join(c.text for r in mt.rules if (c := mt.citation(r)) is not None)
    assert "post@mt.kommune.no" not in texts and "35 05 90 00" not in texts
