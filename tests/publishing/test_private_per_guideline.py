"""«Før du poster privat» says under each rule what the preset's own guideline says (the
employee guide's statements, `render.rule_text`), and a rule the preset does not switch
on is general advice, never put in the municipality's name."""

from __future__ import annotations

import html
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from ordstyrer.policy import RULES, load_policy, preset_ids
from ordstyrer.policy.render import rule_text
from ordstyrer.publishing.private import private_check

PRESETS = ("indre-fosen", "rennebu", "midt-telemark", "birkenes", "gausdal")
CLOSED = "Jeg legger det i den lukkede gruppen."
WORK = "Kollegaen min på jobben er sur."
# Finds something for every rule the check knows: EM-1, EM-2, EM-3, EM-4, EM-7, EM-8.
EVERYTHING = (
    "Vi i kommunen har bestemt det: eleven Ola Hansen har diabetes. Kollegaen min legger "
    "det i en lukket gruppe på TikTok."
)
GENERAL = "Generelt råd, ikke fra retningslinjen kommunen din følger:"

# What only one guideline says about EM-4 (the quoted words that carry it, employees.GUIDE).
EM4_POINT = {
    "indre-fosen": "Det du skriver, kan bli lest og delt videre av mange.",  # «mange til mange»
    "midt-telemark": "Lukkede grupper med over 20–30 personer er juridisk sett offentlige.",
    "birkenes": "Vis varsomhet.",
    "gausdal": "Det kan være vanskelig å slette det du har sagt.",
}
# Indre Fosen's and Midt-Telemark's guidelines call closed groups public; Birkenes' and
# Gausdal's say only that the internet is permanent.
CLOSED_IS_PUBLIC = "Det du skriver i lukkede grupper, må også regnes som offentlig."
PERMANENT = "Det du skriver på nettet, blir stående."


@pytest.fixture(autouse=True)
def _bokmal_afterwards():
    yield
    translation.activate(settings.LANGUAGE_CODE)


def advice_items(preset: str, text: str, language: str = "nb") -> dict[str, str]:
    """The console's advice for an employee of the municipality on its own preset, by
    rule id (the text of the list item)."""
    from tests.publishing.conftest import make_world

    world = make_world(preset, preset)
    client = Client()
    client.force_login(world.p.employee)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    url = reverse("publishing:private_check", args=[world.municipality.slug])
    response = client.post(url, {"text": text})
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    items = re.findall(r'<li class="finding[^"]*">(.*?)</li>', page, re.DOTALL)
    out: dict[str, str] = {}
    for item in items:
        rule = re.search(r'<span class="rule-id">([A-Z]+-\d+)</span>', item)
        assert rule is not None
        out[rule.group(1)] = out.get(rule.group(1), "") + item
    return out


def test_the_five_presets_are_the_ones_tested():
    assert set(PRESETS) <= set(preset_ids())


@pytest.mark.django_db
@pytest.mark.parametrize("preset", PRESETS)
def test_the_closed_group_advice_says_the_preset_s_own_guideline(preset):
    item = advice_items(preset, CLOSED)["EM-4"]
    assert "Du skriver om en lukket gruppe («lukkede gruppen»)." in item
    # The sentence every preset used to get, whatever its guideline says.
    assert "Lukkede grupper er offentlige" not in item
    if preset == "rennebu":
        # Rennebu's guideline has no EM-4: general advice, no quote, not in its name.
        assert f"{GENERAL} {RULES['EM-4'].text.nb}" in item
        assert "<blockquote" not in item and "Rennebu kommune" not in item
        assert not any(point in item for point in EM4_POINT.values())
        return
    assert GENERAL not in item
    assert EM4_POINT[preset] in item
    assert not any(point in item for other, point in EM4_POINT.items() if other != preset)
    assert (CLOSED_IS_PUBLIC in item) == (preset in ("indre-fosen", "midt-telemark"))
    assert (PERMANENT in item) == (preset in ("indre-fosen", "birkenes", "gausdal"))
    municipality = load_policy(preset).citation("EM-4").municipality
    assert f"<footer>{municipality}," in item


@pytest.mark.django_db
@pytest.mark.parametrize("preset", [p for p in PRESETS if p != "gausdal"])
def test_a_preset_without_em7_gets_no_em7_advice(preset):
    assert not load_policy(preset).applies("EM-7")
    items = advice_items(preset, WORK)
    assert "EM-7" not in items
    page = "".join(items.values())
    # Neither Gausdal's list of things not to mention nor the old paraphrase of it.
    assert "ikke omtaler arbeidsgiveren din" not in page
    assert "Unngå å nevne arbeidsgiver" not in page
    # The work finding goes under the preset's EM-2, in its own guideline's words.
    assert "Du skriver om arbeidet («Kollegaen»)." in items["EM-2"]
    assert rule_text(load_policy(preset), "EM-2", "nb") in items["EM-2"]


@pytest.mark.django_db
def test_gausdal_gets_its_own_em7():
    item = advice_items("gausdal", WORK)["EM-7"]
    assert "Du skriver om arbeidet («Kollegaen»)." in item
    assert "Kommunen anbefaler at du ikke omtaler arbeidsgiveren din" in item
    assert "<footer>Gausdal kommune," in item


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "point", "not_shown"),
    [
        ("nn", "Det du skriv i lukka grupper, må også reknast som offentleg.", CLOSED_IS_PUBLIC),
        ("en", "What you write in closed groups must be treated as public too.", CLOSED_IS_PUBLIC),
    ],
)
def test_the_guideline_s_point_follows_the_interface_language(language, point, not_shown):
    item = advice_items("indre-fosen", CLOSED, language)["EM-4"]
    assert point in item and not_shown not in item


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("lang", ["nb", "nn", "en"])
def test_each_advice_says_the_guide_s_text_or_is_general(preset, lang):
    policy = load_policy(preset)
    for advice in private_check(EVERYTHING, policy, workplace="Pubby", lang=lang):
        if policy.applies(advice.rule):
            assert not advice.general
            assert advice.guidance == rule_text(policy, advice.rule, lang)
        else:
            # The catalogue's neutral text, and no quote to pass it off as the guideline's.
            assert advice.general and advice.guidance == RULES[advice.rule].text.get(lang)
            assert advice.citation_text == advice.citation_section == ""
            assert advice.citation_municipality == ""


def test_the_check_still_finds_what_it_found_where_the_rule_is_off():
    # Midt-Telemark switches EM-1 and EM-3 off; personal data and pupils are still found.
    advice = {a.rule: a for a in private_check(EVERYTHING, load_policy("midt-telemark"))}
    assert {"EM-1", "EM-2", "EM-3", "EM-4", "EM-8"} <= set(advice)
    assert advice["EM-1"].general and advice["EM-3"].general
    assert not advice["EM-4"].general and not advice["EM-8"].general


@pytest.mark.django_db
def test_a_municipality_on_another_s_preset_reads_that_guideline_s_point(world):
    # «Pubby» follows Indre Fosen's guideline: Indre Fosen's point, quoted as Indre Fosen's.
    client = Client()
    client.force_login(world.p.employee)
    url = reverse("publishing:private_check", args=[world.municipality.slug])
    page = html.unescape(client.post(url, {"text": CLOSED}).content.decode())
    assert EM4_POINT["indre-fosen"] in page and CLOSED_IS_PUBLIC in page
    assert "<footer>Indre Fosen kommune," in page
