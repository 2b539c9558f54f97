"""`ordstyrer api-token` and `ordstyrer corrections-export` are `NorwegianCommand`s: a
mistyped command line is one Norwegian line naming the command as the operator typed it,
never a traceback or argparse's English usage dump.

Before, both built their own parser: `api-token create` without its options and
`api-token create --days abc` ended in a `CommandError` traceback (the subcommand's
parser raised before Django's error handling), `corrections-export` without
`--municipality` printed argparse's English usage, and refusals began `CommandError:`.
Through the command line's own entry point (`ordstyrer.cli.main`)."""

from __future__ import annotations

import pytest

from ordstyrer.cli import main
from ordstyrer.core.commands import norwegian

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    """`ordstyrer <django command>` closes every connection when it ends; in a test that
    would close the test's own transaction (PostgreSQL)."""
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int | str | None, str, str]:
    try:
        code: int | str | None = main(list(argv))
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


# argv → (exit code, the one line on stderr)
LINES = {
    ("api-token",): (2, "ordstyrer api-token: mangler create|revoke"),
    ("api-token", "create"): (2, "ordstyrer api-token: mangler --municipality, --user"),
    ("api-token", "create", "--municipality", "x", "--user", "y", "--days", "abc"): (
        2,
        "ordstyrer api-token: --days må være et heltall, ikke «abc»",
    ),
    ("api-token", "rotate"): (2, "ordstyrer api-token: ugyldig verdi «rotate» for create|revoke"),
    # Refusals keep their words and their exit code 1.
    ("api-token", "create", "--municipality", "finnes-ikke", "--user", "y"): (
        1,
        "ordstyrer api-token: Fant ingen kommune med kortnavn «finnes-ikke».",
    ),
    ("api-token", "revoke"): (
        1,
        "ordstyrer api-token: Oppgi nøkkelens id, eller --all --user BRUKERNAVN.",
    ),
    ("api-token", "revoke", "--all", "--user", "ingen"): (
        1,
        "ordstyrer api-token: Fant ingen bruker «ingen».",
    ),
    ("corrections-export",): (2, "ordstyrer corrections-export: mangler --municipality"),
    ("corrections-export", "--municipality"): (
        2,
        "ordstyrer corrections-export: --municipality trenger en verdi",
    ),
    ("corrections-export", "--municipality", "finnes-ikke"): (
        1,
        "ordstyrer corrections-export: Fant ingen kommune med kortnavn «finnes-ikke».",
    ),
}


@pytest.mark.parametrize("argv", list(LINES), ids=" ".join)
def test_a_mistake_is_one_norwegian_line(argv, capsys):
    code, line = LINES[argv]
    got, out, err = run(capsys, *argv)
    assert (got, out, err) == (code, "", line + "\n")


def test_the_usage_line_follows_prog_for_every_norwegian_command(capsys):
    # `demo-setup` was shown as `ordstyrer demo_setup`, a name the operator cannot type.
    with pytest.raises(SystemExit):
        main(["demo-setup", "--help"])
    assert capsys.readouterr().out.startswith("usage: ordstyrer demo-setup ")


@pytest.mark.parametrize(
    ("message", "line"),
    [
        ("argument --days: invalid int value: 'abc'", "--days må være et heltall, ikke «abc»"),
        ("argument --days: invalid int value: ''", "--days må være et heltall, ikke «»"),
    ],
)
def test_an_integer_option_is_refused_in_norwegian(message, line):
    assert norwegian(message) == line
