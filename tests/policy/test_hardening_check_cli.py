"""Issue #18: `ordstyrer check` on hostile input — one Norwegian line and exit 2 for
nesting, size, empty input and wrong types; never a traceback, never exit 1 ("a finding
blocks") or 0 ("no findings") for input that could not be read."""

from __future__ import annotations

import io

import pytest

from ordstyrer import cli
from ordstyrer.cli import main


class _Stdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


def run(monkeypatch, capsys, data: bytes, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", _Stdin(data))
    code = main(["check", "--preset", "gausdal", *args, "-"])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("data", "args", "message"),
    [
        (b"[" * 200_000 + b"]" * 200_000, ("--input-format", "json"), "nestet dypere"),
        (b'{"text": ' + b"[" * 100 + b"]" * 100 + b"}", ("--input-format", "json"), "nestet"),
        (b"", (), "tomme"),
        (b"  \n\t\n", (), "tomme"),
        (b"", ("--input-format", "json"), "tomme"),
        (b"[1, 2]", ("--input-format", "json"), "JSON-objekt"),
        (b'"tekst"', ("--input-format", "json"), "JSON-objekt"),
        (b'{"text": 5}', ("--input-format", "json"), "ugyldige inndata"),
        (b'{"text": "x", "context": [1]}', ("--input-format", "json"), "ugyldige inndata"),
    ],
    ids=[
        "recursion",
        "deep",
        "empty",
        "blank",
        "empty-json",
        "list",
        "string",
        "text-int",
        "context-list",
    ],
)
def test_unusable_input_is_one_norwegian_line_and_exit_2(
    monkeypatch, capsys, data: bytes, args: tuple[str, ...], message: str
) -> None:
    code, out, err = run(monkeypatch, capsys, data, *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("ordstyrer check: ") and message in err


def test_input_over_the_size_limit_is_refused_without_reading_it_all(monkeypatch, capsys) -> None:
    monkeypatch.setattr(cli, "MAX_INPUT_BYTES", 1000)
    monkeypatch.setattr("ordstyrer.policy.commands.MAX_INPUT_BYTES", 1000)
    stdin = _Stdin(b"a" * 5000)
    monkeypatch.setattr("sys.stdin", stdin)
    code = main(["check", "--preset", "gausdal", "-"])
    err = capsys.readouterr().err
    assert code == 2 and "større enn grensen" in err and err.count("\n") == 1
    assert stdin.buffer.tell() == 1001  # read bounded, not to the end


def test_the_limit_is_ten_megabytes() -> None:
    assert cli.MAX_INPUT_BYTES == 10 * 1024 * 1024


def test_an_ordinary_draft_still_checks(monkeypatch, capsys) -> None:
    code, out, _ = run(monkeypatch, capsys, "Velkommen til åpen dag på biblioteket.".encode())
    assert code == 0 and "Gausdal" in out
