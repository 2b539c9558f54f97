"""The employees' private check (EM-1 … EM-9) as a table, without a database."""

from __future__ import annotations

import pytest

from ordstyrer.policy import load_policy
from ordstyrer.publishing.private import private_check


@pytest.mark.parametrize(
    ("preset", "text", "rules"),
    [
        ("indre-fosen", "Fødselsnummeret mitt er 15038512363.", {"EM-1"}),
        ("indre-fosen", "Vi i kommunen har bestemt å stenge badet.", {"EM-2"}),
        ("indre-fosen", "En elev sa noe rart i dag.", {"EM-3"}),
        ("indre-fosen", "Legger dette i en lukket gruppe.", {"EM-4"}),
        ("gausdal", "Kollegaen min på jobben er sur.", {"EM-7"}),
        ("midt-telemark", "Se videoen min på TikTok!", {"EM-8"}),
        ("gausdal", "Se videoen min på TikTok!", {"EM-2"}),  # EM-8 is Midt-Telemark's only
        ("indre-fosen", "Fin tur i fjellet i dag.", {"EM-2"}),  # nothing found: the reminder
    ],
)
def test_private_check_advice(preset, text, rules):
    found = {a.rule for a in private_check(text, load_policy(preset))} - {"EM-9"}
    assert found == rules


def test_private_check_names_the_contact_where_the_preset_has_one():
    advice = private_check("Fin tur i dag.", load_policy("indre-fosen"))
    assert advice[-1].rule == "EM-9" and advice[-1].finding == "contact_with_phone"
    assert advice[-1].params == {
        "title": "kommunikasjonsrådgiver",
        "name": "Kari Klepp",
        "phone": "97 51 40 96",
    }


def test_private_check_names_the_types_of_personal_data_and_titles_in_the_language():
    advice = private_check("Ola Hansen har diabetes.", load_policy("indre-fosen"), lang="nn")
    assert advice[0].rule == "EM-1" and advice[0].personal_data == ("health", "person")
    assert advice[0].title == "Ytringsfridom og teieplikt"
