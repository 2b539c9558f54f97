"""«Før du poster privat» (EM-1 … EM-9), review of the employees' side, session 21.

Each fix is tested under a preset whose guideline has the rule and one whose guideline
lacks it: the municipality's name as whole words (EM-7, else EM-2), the voice of a unit
(EM-2), where the employee is and what they work on (EM-7, else EM-2), the model reply
to a friend request (EM-3) and the contact person's rule ids (EM-9, DI-10, PU-1).
"""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from ordstyrer.policy import load_policy
from ordstyrer.publishing.private import private_check
from ordstyrer.tenants.models import Municipality
from tests.publishing.conftest import World, make_world

NOTHING = "Vi fant ikke noe å advare om."


def findings(preset: str, text: str, workplace: str = "") -> dict[str, str]:
    """What the check finds (finding → rule), without the contact person (EM-9)."""
    policy = load_policy(preset)
    return {
        a.finding: a.rule
        for a in private_check(text, policy, workplace=workplace)
        if a.rule != "EM-9"
    }


def world_named(preset: str, name: str) -> World:
    """A municipality on `preset` called `name` («Vik kommune», «Kvam herad»)."""
    slug = re.sub(r"\W+", "-", name.lower())
    world = make_world(slug, preset)
    Municipality.objects.filter(pk=world.municipality.pk).update(name=name)
    world.municipality.refresh_from_db()
    return world


def checked(world: World, text: str) -> str:
    """The private check's page after an employee of `world` checks `text`."""
    client = Client()
    client.force_login(world.p.employee)
    url = reverse("publishing:private_check", args=[world.municipality.slug])
    response = client.post(url, {"text": text})
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def advice_by_rule(page: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in re.findall(r'<li class="finding[^"]*">(.*?)</li>', page, re.DOTALL):
        rule = re.search(r'<span class="rule-id">([A-Z]+-\d+)</span>', item)
        assert rule is not None
        out[rule.group(1)] = out.get(rule.group(1), "") + item
    return out


# --------------------------------------------------------------- the municipality's name


@pytest.mark.parametrize("preset", ["gausdal", "rennebu"])
@pytest.mark.parametrize(
    ("workplace", "text"),
    [
        ("Vik", "Det er viktig å sove nok om vinteren."),
        ("Ås", "Vi skal til fjells i påska, som vanlig."),
        ("Sel", "Jeg maler stua selv denne helga."),
        ("Nes", "Mange mennesker kom på konserten i går."),
    ],
)
def test_the_municipality_s_name_inside_another_word_is_no_finding(preset, workplace, text):
    assert findings(preset, text, workplace) == {"nothing_found": "EM-2"}


@pytest.mark.parametrize(("preset", "rule"), [("gausdal", "EM-7"), ("rennebu", "EM-2")])
@pytest.mark.parametrize(
    ("workplace", "text"),
    [
        ("Vik kommune", "Det blåser godt i Vik i kveld."),
        ("Ås", "Nydelig vårdag på Ås!"),
        ("Kvam herad", "Eg er stolt over Kvam herad i dag."),
        ("Kvam herad", "Det er fint i Kvam når sola skin."),
    ],
)
def test_the_municipality_s_name_as_a_word_is_the_workplace(preset, rule, workplace, text):
    assert findings(preset, text, workplace) == {"work": rule}


@pytest.mark.django_db
@pytest.mark.parametrize(("preset", "rule"), [("gausdal", "EM-7"), ("birkenes", "EM-2")])
def test_the_page_matches_a_herad_s_name_without_herad(preset, rule):
    world = world_named(preset, "Kvam herad")
    items = advice_by_rule(checked(world, "Eg trivst så godt i Kvam om sommaren."))
    assert "Du skriver om arbeidet («Kvam»)." in items[rule]


@pytest.mark.django_db
@pytest.mark.parametrize("preset", ["gausdal", "midt-telemark"])
def test_the_page_finds_nothing_in_a_word_holding_the_name(preset):
    world = world_named(preset, "Vik kommune")
    page = checked(world, "Det er viktig med god søvn.")
    assert NOTHING in page
    assert "Du skriver om arbeidet" not in page


# ------------------------------------------------------------ speaking for a unit (EM-2)

# EM-2 is in all five guidelines: Gausdal's has EM-7 too (the name would be work there),
# Rennebu's has not.
UNIT_VOICES = [
    (
        "På vegne av kulturskulen vil eg takke alle som kom på konserten.",
        "På vegne av kulturskulen",
    ),
    ("Vi på sykehjemmet har nå innført faste besøkstider.", "Vi på sykehjemmet"),
    ("Me på sjukeheimen gler oss til sommarfesten.", "Me på sjukeheimen"),
    ("Vi ved rådhuset stenger tidlig på fredag.", "Vi ved rådhuset"),
    ("Avdelinga har vedteke nye reglar for kaffikassa.", "Avdelinga har vedteke"),
    ("Barnehagen har bestemt at vi går på tur hver torsdag.", "Barnehagen har bestemt"),
    ("På vegne av alle oss i ungdomsskolen: god sommer!", "På vegne av alle oss i ungdomsskolen"),
]


@pytest.mark.parametrize("preset", ["gausdal", "rennebu"])
@pytest.mark.parametrize(("text", "words"), UNIT_VOICES)
def test_speaking_for_a_unit_is_the_official_voice(preset, text, words):
    advice = [a for a in private_check(text, load_policy(preset)) if a.rule != "EM-9"]
    assert [(a.rule, a.finding, a.params) for a in advice] == [
        ("EM-2", "official_voice", {"words": words})
    ]


@pytest.mark.parametrize("preset", ["gausdal", "rennebu"])
def test_a_unit_named_without_speaking_for_it_is_no_official_voice(preset):
    assert findings(preset, "Barna i barnehagen hadde det gøy i snøen.") == {
        "nothing_found": "EM-2"
    }


@pytest.mark.parametrize(
    ("preset", "workplace", "text"),
    [
        ("gausdal", "Gausdal kommune", "God jul til alle, på vegne av Gausdal kommune!"),
        ("rennebu", "Rennebu kommune", "Jeg ønsker alle god påske på vegne av Rennebu."),
        ("rennebu", "Rennebu kommune", "Vi i Rennebu kommune har fått ny nettside."),
        ("indre-fosen", "Indre Fosen kommune", "Takk for i år, på vegner av Indre Fosen!"),
    ],
)
def test_speaking_in_the_municipality_s_name_is_the_official_voice_not_work(
    preset, workplace, text
):
    assert findings(preset, text, workplace) == {"official_voice": "EM-2"}


@pytest.mark.parametrize(("preset", "rule"), [("gausdal", "EM-7"), ("rennebu", "EM-2")])
def test_the_name_outside_the_official_phrase_is_still_the_workplace(preset, rule):
    name = load_policy(preset).municipality_name
    text = f"Hilsen fra meg på vegne av {name}, og takk til alle i {name.split()[0]}."
    advice = private_check(text, load_policy(preset), workplace=name)
    found = [(a.rule, a.finding) for a in advice if a.rule != "EM-9"]
    assert found == [("EM-2", "official_voice"), (rule, "work")]


@pytest.mark.django_db
@pytest.mark.parametrize("preset", ["gausdal", "birkenes"])
def test_the_page_says_a_unit_s_voice_may_be_read_as_the_municipality_s(preset):
    world = world_named(preset, load_policy(preset).municipality_name)
    items = advice_by_rule(checked(world, "På vegne av barnehagen takker jeg for dugnaden."))
    assert "«På vegne av barnehagen» kan leses som kommunens offisielle syn." in items["EM-2"]
    name = world.municipality.name
    items = advice_by_rule(checked(world, f"Vi i {name} ønsker alle en god jul."))
    assert f"«Vi i {name}» kan leses som kommunens offisielle syn." in items["EM-2"]
    assert "Du skriver om arbeidet" not in "".join(items.values())


# ---------------------------------------------- where the employee is, what they work on

# Gausdal's guideline lists what not to mention (EM-7); elsewhere the work is the role's
# matter (EM-2), and where you are no guideline's: a weekend at the cabin is nothing.
NOT_TO_MENTION = [("gausdal", "EM-7"), ("rennebu", "EM-2"), ("midt-telemark", "EM-2")]


@pytest.mark.parametrize("preset", ["gausdal", "rennebu", "midt-telemark"])
@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Tre veker på sommarferie no, leilegheita står tom imens.", "på sommarferie"),
        ("Sitter hjemme med beina på bordet hele helga.", "hjemme"),
        ("Eg er heime att etter ei lang veke.", "heime"),
        ("Fredag og lørdag på hytta med hele gjengen.", "på hytta"),
        ("Vi er bortreist til over nyttår.", "bortreist"),
        ("Huset står tomt til vi kommer tilbake.", "står tomt"),
    ],
)
def test_where_the_employee_is_is_found_where_em7_applies(preset, text, word):
    advice = [a for a in private_check(text, load_policy(preset)) if a.rule != "EM-9"]
    found = [(a.rule, a.finding, a.params) for a in advice]
    if preset == "gausdal":
        assert found == [("EM-7", "place", {"word": word})]
    else:
        assert not load_policy(preset).applies("EM-7")
        assert found == [("EM-2", "nothing_found", {})]


@pytest.mark.parametrize(("preset", "rule"), NOT_TO_MENTION)
@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Mange spennende arbeidsoppgaver denne høsten!", "arbeidsoppgaver"),
        ("Eg har fått nye arbeidsoppgåver etter jul.", "arbeidsoppgåver"),
        ("To av prosjektene våre fikk pris i går.", "prosjektene"),
        ("Prosjekta går fint, trass i alt.", "Prosjekta"),
        ("Lunsj med samarbeidspartnere fra tre land.", "samarbeidspartnere"),
        ("Samarbeidspartnarane våre gjer ein flott innsats.", "Samarbeidspartnarane"),
        ("Arbeidsgiveren min spanderte kake i dag.", "Arbeidsgiveren"),
    ],
)
def test_tasks_projects_and_partners_are_the_work(preset, rule, text, word):
    advice = [a for a in private_check(text, load_policy(preset)) if a.rule != "EM-9"]
    assert [(a.rule, a.finding, a.params) for a in advice] == [(rule, "work", {"word": word})]


@pytest.mark.parametrize("preset", ["gausdal", "rennebu"])
def test_a_walk_with_the_dog_is_still_nothing(preset):
    assert findings(preset, "Fin tur med hunden langs elva i dag.") == {"nothing_found": "EM-2"}


@pytest.mark.django_db
def test_gausdal_s_page_gives_its_own_em7_for_where_you_are():
    world = world_named("gausdal", "Gausdal kommune")
    items = advice_by_rule(checked(world, "Tre uker på ferie nå, og ingen hjemme hos oss."))
    assert "Du forteller hvor du er («på ferie»)." in items["EM-7"]
    assert "eller hvor du er (på jobb, hjemme, på ferie)" in items["EM-7"]
    assert "<footer>Gausdal kommune," in items["EM-7"]
    assert NOTHING not in "".join(items.values())


@pytest.mark.django_db
@pytest.mark.parametrize("preset", ["rennebu", "birkenes"])
def test_a_page_without_em7_says_nothing_of_where_you_are(preset):
    world = world_named(preset, load_policy(preset).municipality_name)
    page = checked(world, "Tre uker på ferie nå, og ingen hjemme hos oss.")
    assert "EM-7" not in advice_by_rule(page)
    assert "Du forteller hvor du er" not in page
    assert NOTHING in page


# ------------------------------------------------------- the reply to a friend request (EM-3)

FRIEND = "Svar på venneforespørsel (EM-3)"


def friend_section(page: str) -> str:
    found = re.search(r'<section aria-labelledby="friend-heading".*?</section>', page, re.S)
    return found.group() if found else ""


@pytest.mark.django_db
def test_birkenes_employees_get_its_model_reply_to_copy():
    world = world_named("birkenes", "Birkenes kommune")
    client = Client()
    client.force_login(world.p.employee)
    page = html.unescape(
        client.get(
            reverse("publishing:private_check", args=[world.municipality.slug])
        ).content.decode()
    )
    section = friend_section(page)
    assert FRIEND in section
    assert (
        "Takk for venneforespørselen her på Facebook, men jeg må dessverre avslå. De ansatte "
        "i Birkenes kommune frarådes generelt å ha nåværende eller tidligere brukere"
    ) in section
    assert "Dei tilsette i Birkenes kommune blir generelt rådde frå" in section
    assert 'readonly lang="nb"' in section and 'readonly lang="nn"' in section
    assert (
        "Forslaget står i retningslinjen til Birkenes kommune («Lovverk og retningslinjer»)."
        in (section)
    )


@pytest.mark.django_db
def test_a_municipality_on_birkenes_guideline_sends_it_in_its_own_name():
    world = world_named("birkenes", "Vennesla kommune")
    section = friend_section(checked(world, "En tekst om ingenting."))
    assert "De ansatte i Vennesla kommune frarådes" in section
    assert "ansatte i Birkenes kommune" not in section
    # The words are Birkenes' guideline's, and it says so.
    assert "retningslinjen til Birkenes kommune" in section


@pytest.mark.django_db
@pytest.mark.parametrize("preset", ["gausdal", "indre-fosen"])
def test_em3_without_a_model_reply_gets_the_product_s_words_marked_so(preset):
    world = world_named(preset, load_policy(preset).municipality_name)
    section = friend_section(checked(world, "Kollegaen min er flink."))
    assert FRIEND in section
    name = world.municipality.name
    assert f"Jeg holder kontakten med dem jeg møter gjennom jobben i {name} på jobb" in section
    assert "Forslaget er Ordstyrers, ikke fra retningslinjen kommunen din følger." in section
    assert "frarådes generelt" not in section and "retningslinjen til" not in section


@pytest.mark.django_db
@pytest.mark.parametrize("preset", ["rennebu", "midt-telemark"])
def test_a_guideline_without_em3_gets_no_friend_reply(preset):
    assert not load_policy(preset).applies("EM-3")
    world = world_named(preset, load_policy(preset).municipality_name)
    page = checked(world, "Kollegaen min er flink.")
    assert friend_section(page) == ""
    assert "venneforespørsel" not in page.lower()


@pytest.mark.django_db
@pytest.mark.parametrize("preset", ["birkenes", "gausdal"])
def test_the_employees_guide_keeps_birkenes_model_reply_under_em3(preset):
    world = world_named(preset, load_policy(preset).municipality_name)
    client = Client()
    client.force_login(world.p.employee)
    guide = html.unescape(
        client.get(reverse("guideline", args=[world.municipality.slug])).content.decode()
    )
    em3 = guide[guide.index("EM-3") : guide.index("EM-4")]
    model = "Takk for venneforespørsel her på facebook, men jeg må dessverre avslå."
    if preset == "birkenes":
        assert "kan du svare som i forslaget nedenfor" in em3 and model in em3
    else:
        assert "venneforespørsel" not in em3.lower()
