"""Issue #18: an integer of more digits than Python converts (4,300) is a JSON error to
`jsonsafe.loads`, which its callers report like any other: `ordstyrer triage` gives the
line its error line and goes on with the next; `ordstyrer check --input-format json`
refuses the input in one Norwegian line (exit 2). Before, Python's ValueError went
through as a traceback and the rest of the batch was lost.

Pure: no database.
"""

from __future__ import annotations

import io
import json
import sys

import pytest

from ordstyrer import jsonsafe
from ordstyrer.cli import main

HUGE = "7" * 5000  # over Python's int-digits limit (sys.get_int_max_str_digits)


@pytest.mark.parametrize(
    "raw",
    [
        HUGE,
        f'{{"id": {HUGE}, "text": "hei"}}',
        f'{{"text": "{HUGE} i en tekst er greit", "n": -{HUGE}}}',
        f'[1.5, "x", {HUGE}]',
    ],
)
@pytest.mark.parametrize("as_bytes", [False, True])
def test_a_too_long_integer_is_a_json_error_at_the_number(raw: str, as_bytes: bool) -> None:
    with pytest.raises(json.JSONDecodeError) as caught:
        jsonsafe.loads(raw.encode() if as_bytes else raw)
    assert "4300" in caught.value.msg
    assert raw[caught.value.pos :].lstrip("-").startswith(HUGE)


def test_long_digit_runs_that_python_reads_are_still_read() -> None:
    """A float's digits and a string's digits are no integer conversion."""
    assert jsonsafe.loads(f'{{"text": "{HUGE}"}}') == {"text": HUGE}
    assert jsonsafe.loads(f"0.{HUGE}") == pytest.approx(0.7777777)


def test_triage_gives_the_line_its_error_and_reads_the_next(monkeypatch, capsys) -> None:
    stdin = "\n".join(
        [
            json.dumps({"id": "a", "text": "Takk for flott jobb!"}),
            f'{{"id": {HUGE}, "text": "Når åpner biblioteket?"}}',
            json.dumps({"id": "c", "text": "Når åpner biblioteket?"}),
        ]
    )
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(["triage", "--preset", "rennebu", "-"])
    out, err = capsys.readouterr()
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 1
    assert [line.get("id") for line in lines] == ["a", None, "c"]
    assert lines[1]["error"].startswith("linje 2: ugyldig JSON (")
    assert "4300" in lines[1]["error"]
    assert "category" in lines[2]
    assert err.strip() == "ordstyrer triage: 1 av 3 linjer feilet."


def test_check_refuses_the_input_in_one_line(monkeypatch, capsys) -> None:
    data = f'{{"text": "Hei", "n": {HUGE}}}'.encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    code = main(["check", "--preset", "gausdal", "--input-format", "json"])
    err = capsys.readouterr().err
    assert code == 2
    assert "ugyldig JSON (linje 1, kolonne 22)" in err
    assert err.count("\n") == 1 and "Traceback" not in err
