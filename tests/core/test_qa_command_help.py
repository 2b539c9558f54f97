"""QA: the operators' commands explain themselves in Norwegian and name themselves as
the docs do.

Before this `worker`, `sso` and `backup` described themselves in English while the other
commands spoke Bokmål; `sso map-group|unmap-group|list` had no help of their own;
`backup create --out` and `sso list --municipality` had none at all; and the usage lines
said `ordstyrer api_token` and `ordstyrer corrections_export` where the docs (and the
command line) say `api-token` and `corrections-export`.

Through the command line's own entry point (`ordstyrer.cli.main`), as an operator runs
it. Django's own options (`--settings`, `--traceback`, …) keep Django's wording."""

from __future__ import annotations

import re

import pytest

from ordstyrer.cli import main

pytestmark = pytest.mark.django_db

# argv → (the usage line's start, the command's own description, help texts it shows)
HELP = {
    ("worker",): (
        "ordstyrer worker",
        "Kjør bakgrunnsarbeideren til den stoppes",
        ["hvor ofte køen sjekkes når den er tom"],
    ),
    ("sso",): (
        "ordstyrer sso",
        "Koble grupper hos identitetsleverandøren",
        [
            "gi medlemmene av en gruppe hos identitetsleverandøren en rolle i kommunen",
            "fjern koblingen mellom en gruppe og en rolle",
            "vis kommunens koblinger: gruppe og rolle",
        ],
    ),
    ("sso", "map-group"): (
        "ordstyrer sso map-group",
        "gi medlemmene av en gruppe hos identitetsleverandøren en rolle i kommunen",
        ["kommunens kortnavn", "gruppens navn eller objekt-ID", "en av: communications"],
    ),
    ("sso", "unmap-group"): (
        "ordstyrer sso unmap-group",
        "fjern koblingen mellom en gruppe og en rolle",
        ["kommunens kortnavn", "gruppens navn eller objekt-ID"],
    ),
    ("sso", "list"): (
        "ordstyrer sso list",
        "vis kommunens koblinger: gruppe og rolle",
        ["--municipality KORTNAVN", "kommunens kortnavn"],
    ),
    ("backup",): (
        "ordstyrer backup",
        "Ta sikkerhetskopi av databasen og datamappen",
        ["skriv en sikkerhetskopi til en tar-fil", "gjenopprett fra en sikkerhetskopi"],
    ),
    ("backup", "create"): (
        "ordstyrer backup create",
        "skriv en sikkerhetskopi til en tar-fil",
        ["--out FIL", "tar-filen som skrives"],
    ),
    ("backup", "restore"): (
        "ordstyrer backup restore",
        "gjenopprett fra en sikkerhetskopi",
        ["sikkerhetskopien (tar-fil)", "erstatt en database som ikke er tom"],
    ),
    ("api-token",): (
        "ordstyrer api-token",
        "Lag eller trekk tilbake API-nøkler",
        ["lag en API-nøkkel", "trekk tilbake en API-nøkkel"],
    ),
    ("api-token", "create"): (
        "ordstyrer api-token create",
        "lag en API-nøkkel",
        ["kommunens kortnavn", "personen nøkkelen gjelder for", "--days DAGER"],
    ),
    ("api-token", "revoke"): (
        "ordstyrer api-token revoke",
        "trekk tilbake en API-nøkkel",
        ["nøkkelens id eller nummer"],
    ),
    ("corrections-export",): (
        "ordstyrer corrections-export",
        "Skriv redaktørenes rettede kategorier som treningsdata",
        ["kommunens kortnavn", "filen (standard: skjermen)"],
    ),
}
# What the commands said before, in English.
ENGLISH = (
    "Run the background worker",
    "Idle poll interval",
    "Map the identity provider",
    "Back up or restore",
)


def help_of(argv: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as done:
        main([*argv, "--help"])
    assert done.value.code in (0, None)
    return " ".join(capsys.readouterr().out.split())  # argparse wraps at any width


@pytest.mark.parametrize("argv", list(HELP), ids=" ".join)
def test_the_help_names_the_command_with_hyphens_and_is_norwegian(argv, capsys):
    usage, description, texts = HELP[argv]
    shown = help_of(argv, capsys)
    assert shown.startswith(f"usage: {usage} ")
    assert not re.search(r"ordstyrer \w+_\w+", shown)  # never `api_token`
    assert description in shown
    for text in texts:
        assert text in shown
    for english in ENGLISH:
        assert english not in shown
