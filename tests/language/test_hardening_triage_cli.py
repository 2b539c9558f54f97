"""Issue #18: `ordstyrer triage` on hostile input — one Norwegian line, never a traceback;
exit 1 when any line failed (and how many), 0 when all succeeded, 2 for unusable input."""

from __future__ import annotations

import io
import json

import pytest

from ordstyrer.cli import main
from ordstyrer.language import commands


def run(monkeypatch, capsys, stdin: str, *args: str) -> tuple[int, list[dict], str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(["triage", "--preset", "rennebu", *args, "-"])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def test_a_deeply_nested_line_is_an_error_line_and_the_run_exits_1(monkeypatch, capsys) -> None:
    good = json.dumps({"id": "a", "text": "Takk for flott jobb!"})
    stdin = "\n".join([good, "[" * 200_000 + "]" * 200_000, good])
    code, lines, err = run(monkeypatch, capsys, stdin)
    assert code == 1
    assert [line.get("id") for line in lines] == ["a", None, "a"]
    assert "nestet dypere" in lines[1]["error"]
    assert err.strip() == "ordstyrer triage: 1 av 3 linjer feilet."


def test_every_line_invalid_exits_1_and_says_how_many(monkeypatch, capsys) -> None:
    code, lines, err = run(monkeypatch, capsys, "ikke json\n[1]\n{}\n")
    assert code == 1 and len(lines) == 3 and all("error" in line for line in lines)
    assert "3 av 3 linjer feilet" in err


def test_all_lines_good_exit_0(monkeypatch, capsys) -> None:
    code, lines, err = run(monkeypatch, capsys, json.dumps({"id": 1, "text": "Takk!"}))
    assert code == 0 and len(lines) == 1 and err == ""


@pytest.mark.parametrize("stdin", ["", "\n\n   \n"])
def test_empty_input_is_unusable(monkeypatch, capsys, stdin: str) -> None:
    code, lines, err = run(monkeypatch, capsys, stdin)
    assert code == 2 and lines == []
    assert err.count("\n") == 1 and "tomme" in err


def test_an_over_long_line_is_refused_without_holding_it_and_the_rest_go_on(
    monkeypatch, capsys
) -> None:
    monkeypatch.setattr(commands, "MAX_LINE", 1000)
    long = json.dumps({"id": "x", "text": "a" * 5000})
    good = json.dumps({"id": "b", "text": "Når åpner biblioteket?"})
    code, lines, err = run(monkeypatch, capsys, f"{long}\n{good}\n")
    assert code == 1
    assert "lengre enn 1000 tegn" in lines[0]["error"] and lines[1]["id"] == "b"


def test_invalid_utf8_in_a_file_is_one_line_and_exit_2(tmp_path, capsys) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(b'{"id": 1, "text": "\xff\xfe"}\n')
    code = main(["triage", "--preset", "rennebu", str(path)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "UTF-8" in err
