"""MO-1 grounds per preset and the MO-4 notice texts: pure, no database."""

from __future__ import annotations

import pytest

from ordstyrer.core.errors import ServiceError
from ordstyrer.moderation.grounds import allowed_grounds, ground_choices, require_ground
from ordstyrer.moderation.notices import render_notice
from ordstyrer.policy import GROUNDS, load_policy

# rules.md MO-1, preset by preset.
ALLOWED = {
    "indre-fosen": ("spam", "hate_speech", "confidentiality_breach", "privacy_breach"),
    "rennebu": ("unlawful", "public_shaming", "harassment"),
    "midt-telemark": ("personal_attack", "third_party_naming", "unlawful"),
    "birkenes": ("sensitive_information", "rumour", "discrimination"),
    "gausdal": (),
}
# The guideline's own words the refusal must quote (policy.citation("MO-1")).
QUOTED = {
    "indre-fosen": "Terskelen for å slette kommentarer eller utestenge enkeltpersoner",
    "rennebu": "Lovstridige innlegg, uthenging av enkeltpersoner, sjikane og lignende",
    "midt-telemark": "Å slette kommentarer bør bare gjøres i ekstraordinære tilfeller",
    "birkenes": "Rykter og spekulasjoner skal aldri kommenteres, men slettes.",
}


@pytest.mark.parametrize("preset", sorted(ALLOWED))
def test_each_preset_allows_exactly_its_grounds(preset):
    policy = load_policy(preset)
    assert allowed_grounds(policy) == ALLOWED[preset]
    assert [code for code, _label in ground_choices(policy)] == list(ALLOWED[preset])


CASES = [
    (preset, ground, ground in allowed) for preset, allowed in ALLOWED.items() for ground in GROUNDS
]


@pytest.mark.parametrize(("preset", "ground", "allowed"), CASES)
def test_every_ground_is_allowed_or_refused_in_the_guidelines_words(preset, ground, allowed):
    policy = load_policy(preset)
    if allowed:
        require_ground(policy, ground, what="slette kommentarer")
        return
    with pytest.raises(ServiceError) as caught:
        require_ground(policy, ground, what="slette kommentarer")
    assert caught.value.rule == "MO-1"
    message = str(caught.value.message)
    if preset == "gausdal":
        assert caught.value.code == "no_grounds"
        assert "Retningslinjen til Gausdal kommune gir ingen grunnlag" in message
        assert "Skjul kommentaren" in message
    else:
        assert caught.value.code == "ground_not_allowed"
        assert QUOTED[preset] in message
        assert GROUNDS[ground].nb.lower() in message  # the refused ground, named


NOTICE_EXPECT = {
    # preset: (a ground, words from its own lead nb, nn, where to complain)
    "indre-fosen": (
        "hate_speech",
        "ren spam, hatefulle ytringer",
        "rein spam, hatefulle ytringar",
        "indrefosen.kommune.no",
    ),
    "rennebu": (
        "public_shaming",
        "uthenging av enkeltpersoner",
        "uthenging av enkeltpersonar",
        "rennebu.kommune.no",
    ),
    "midt-telemark": (
        "third_party_naming",
        "ekstraordinære tilfeller",
        "ekstraordinære tilfelle",
        "på e-post til post@mt.kommune.no eller på telefon 35 05 90 00",
    ),
    "birkenes": (
        "rumour",
        "rykter og spekulasjoner",
        "rykte og spekulasjonar",
        "birkenes.kommune.no",
    ),
}


@pytest.mark.parametrize("preset", sorted(NOTICE_EXPECT))
@pytest.mark.parametrize("standard", ["nb", "nn", ""])
@pytest.mark.parametrize("kind", ["delete", "ban"])
def test_notice_per_preset_in_bokmal_and_nynorsk(preset, standard, kind):
    ground, lead_nb, lead_nn, complain = NOTICE_EXPECT[preset]
    policy = load_policy(preset)
    notice = render_notice(
        kind=kind,
        policy=policy,
        ground=ground,
        written_standard=standard,
        author_name="Ola Nordmann",
        channel_name="Skolen",
    )
    nynorsk = standard == "nn"
    assert notice.language == ("nn" if nynorsk else "nb")
    text = notice.text
    assert text.startswith("Hei Ola!")
    label = GROUNDS[ground].nn if nynorsk else GROUNDS[ground].nb
    assert f"Grunnen er: {label[0].lower()}{label[1:]}." in text
    assert (lead_nn if nynorsk else lead_nb) in text
    assert complain in text
    assert ("Meiner du" if nynorsk else "Mener du") in text
    if kind == "delete":
        assert ("Vi har sletta ein kommentar" if nynorsk else "Vi har slettet en kommentar") in text
    else:
        assert ("Du kan ikkje lenger" if nynorsk else "Du kan ikke lenger") in text
    assert "Ola Nordmann" not in text  # first name only: the notice is public


def test_no_notice_where_nothing_may_be_deleted():
    with pytest.raises(ValueError, match="no grounds"):
        render_notice(
            kind="delete",
            policy=load_policy("gausdal"),
            ground="spam",
            written_standard="nb",
            author_name="Ola",
            channel_name="Skolen",
        )
    with pytest.raises(ValueError, match="not a ground"):
        render_notice(
            kind="delete",
            policy=load_policy("rennebu"),
            ground="spam",
            written_standard="nb",
            author_name="Ola",
            channel_name="Skolen",
        )


@pytest.mark.parametrize(
    ("standard", "read_more"),
    [
        ("nn", "(les meir på www.indrefosen.kommune.no)"),
        ("nb", "(les mer på www.indrefosen.kommune.no)"),
    ],
)
def test_the_complaint_address_and_website_speak_the_notices_language(standard, read_more):
    """A Nynorsk notice is Nynorsk to the end: the pointer to the website after the
    complaint address said «les mer» in every notice (QA 2027-01, finding 4)."""
    # The website is the municipality's identity, applied by `policy_for` (one source).
    policy = load_policy("indre-fosen").as_municipality(
        slug="indre-fosen", name="Indre Fosen kommune", website="www.indrefosen.kommune.no"
    )
    notice = render_notice(
        kind="delete",
        policy=policy,
        ground="spam",
        written_standard=standard,
        author_name="",
        channel_name="Skolen",
        complaint_address="postmottak@indrefosen.kommune.no",
    )
    assert notice.text.endswith(f"på e-post til postmottak@indrefosen.kommune.no {read_more}."), (
        notice.text
    )
    other = "les mer" if standard == "nn" else "les meir"
    assert other not in notice.text
