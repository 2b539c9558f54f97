"""The CLI contract: `ordstyrer check`, `ordstyrer presets`, `ordstyrer policy show`.

Exit codes: 0 no block, 1 at least one block, 2 bad usage or input (one Norwegian line,
no traceback). Tested in-process through `ordstyrer.cli.main` and as a real process.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from ordstyrer.cli import main

from .helpers import PRESETS

BLOCKING_REPLY = "Takk for spørsmålet!"  # DI-9: unsigned (Gausdal)
CLEAN_REPLY = "Takk for spørsmålet! Biblioteket åpner klokka ti.\nHilsen Kari"


def run(argv, stdin: str | bytes = "", monkeypatch=None):
    data = stdin.encode() if isinstance(stdin, str) else stdin
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    return main(argv)


def test_check_text_clean_exit_0(monkeypatch, capsys):
    code = run(["check", "--preset", "gausdal", "--kind", "reply"], CLEAN_REPLY, monkeypatch)
    out = capsys.readouterr().out
    assert code == 0
    assert "Gausdal kommune" in out and "Ingen funn" in out


def test_check_text_block_exit_1_with_citation(monkeypatch, capsys):
    code = run(
        ["check", "--preset", "gausdal", "--kind", "reply", "-"], BLOCKING_REPLY, monkeypatch
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "[BLOKKERER] DI-9" in out
    assert "Kilde: Gausdal kommune, «Ved kommunikasjon på kommunens offisielle kontoer»" in out
    assert "På generelle svar skriver du under med eget navn (kun fornavn)." in out
    assert "kan ikke publiseres" in out


def test_check_warn_only_exit_0(monkeypatch, capsys):
    text = "Kommunestyret behandler saken. Vi mener forslaget er godt."
    code = run(["check", "--preset", "birkenes"], text, monkeypatch)
    out = capsys.readouterr().out
    assert code == 0
    assert "[ADVARSEL] PU-8" in out and "1 advarsel" in out


def test_check_json_in_and_out(monkeypatch, capsys):
    payload = {
        "text": "Se plakaten!",
        "links": ["https://www.midt-telemark.kommune.no/nyhet"],
        "media": [
            {"type": "image", "alt": "IMG_0001.jpg", "people": "none", "photographer_consent": True}
        ],
    }
    argv = ["check", "--preset", "midt-telemark", "--input-format", "json", "--format", "json"]
    code = run(argv, json.dumps(payload), monkeypatch)
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert list(data) == ["preset", "findings"] and data["preset"] == "midt-telemark"
    rules = [(f["rule"], f["severity"]) for f in data["findings"]]
    assert rules == [("PU-2", "block"), ("PU-4", "warn")]
    first = data["findings"][0]
    assert list(first) == ["rule", "severity", "message_nb", "message_en", "citation", "span"]
    assert first["span"] == [0, 11]
    assert first["citation"] == {
        "municipality": "Midt-Telemark kommune",
        "section": "Universell utforming",
        "text": "Det er viktig at alt som blir publisert er korrekt i forhold til lovverket "
        "rundt universell utforming av IKT.",
    }


def test_check_json_context(monkeypatch, capsys):
    payload = {
        "text": "Ny sak på nettsiden: https://www.midt-telemark.kommune.no/a",
        "context": {
            "now": "2025-03-12T10:00:00+01:00",
            "is_main_page": True,
            "publishing_history": ["2025-03-12T08:00:00+01:00", "2025-03-12T09:00:00+01:00"],
            "crisis_active": True,
        },
    }
    argv = ["check", "--preset", "midt-telemark", "--input-format", "json", "--format", "json"]
    assert run(argv, json.dumps(payload), monkeypatch) == 1
    rules = [f["rule"] for f in json.loads(capsys.readouterr().out)["findings"]]
    assert rules == ["PU-12", "PU-10"]


def test_check_signer_option(monkeypatch, capsys):
    argv = [
        "check",
        "--preset",
        "gausdal",
        "--kind",
        "reply",
        "--signer",
        "Per",
        "--format",
        "json",
    ]
    assert run(argv, CLEAN_REPLY, monkeypatch) == 1  # signed "Kari", not "Per"
    assert json.loads(capsys.readouterr().out)["findings"][0]["rule"] == "DI-9"


def test_check_reads_a_file(tmp_path, capsys):
    path = tmp_path / "utkast.txt"
    path.write_text(CLEAN_REPLY, encoding="utf-8")
    assert main(["check", "--preset", "gausdal", "--kind", "reply", str(path)]) == 0


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (["check", "--preset", "oslo"], "Hei", "Ukjent forhåndsinnstilling «oslo»"),
        (["check"], "Hei", "mangler --preset"),
        (["check", "--preset", "gausdal", "/finnes/ikke.txt"], "", "kan ikke lese"),
        (["check", "--preset", "gausdal", "--input-format", "json"], "{nei", "ugyldig JSON"),
        (["check", "--preset", "gausdal", "--input-format", "json"], "[]", "JSON-objekt"),
        (["check", "--preset", "gausdal", "--input-format", "json"], '{"text": 3}', "«text»"),
        (
            ["check", "--preset", "gausdal", "--input-format", "json"],
            '{"text": "x", "media": [{"captions": "ja"}]}',
            "«media[0].captions» må være true eller false",
        ),
        (
            ["check", "--preset", "gausdal", "--input-format", "json"],
            '{"text": "x", "media": [{"type": "poster"}]}',
            "«media[0].type» må være en av",
        ),
        (
            ["check", "--preset", "gausdal", "--input-format", "json"],
            '{"text": "x", "media": [{"alt_text": "x"}]}',
            "Ukjent felt «media[0].alt_text»",
        ),
        (
            ["check", "--preset", "gausdal", "--input-format", "json"],
            '{"text": "x", "links": "https://a.no"}',
            "«links» må være en liste",
        ),
        (
            ["check", "--preset", "gausdal", "--input-format", "json"],
            '{"text": "x", "context": {"now": "2025-03-12T10:00:00"}}',
            "mangler tidssone",
        ),
        (["check", "--preset", "gausdal"], b"\xff\xfe\x00", "ikke gyldig UTF-8"),
        (["policy"], "", "ordstyrer policy show"),
        (["policy", "show"], "", "mangler --preset"),
    ],
)
def test_bad_usage_exit_2_one_norwegian_line(argv, stdin, message, monkeypatch, capsys):
    assert run(argv, stdin, monkeypatch) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_presets_lists_id_municipality_and_rule_count(capsys):
    assert main(["presets"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == sorted(PRESETS)
    assert any(
        "gausdal" in line and "Gausdal kommune" in line and "(28 regler)" in line for line in lines
    )
    assert main(["presets", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"id": "rennebu", "municipality": "Rennebu kommune", "rules": 16} in data


@pytest.mark.parametrize("fmt", ["md", "html"])
@pytest.mark.parametrize("lang", ["nb", "nn"])
@pytest.mark.parametrize("house_rules", [False, True])
def test_policy_show(fmt, lang, house_rules, capsys):
    argv = ["policy", "show", "--preset", "indre-fosen", "--format", fmt, "--lang", lang]
    assert main(argv + (["--house-rules"] if house_rules else [])) == 0
    out = capsys.readouterr().out
    assert "Indre Fosen kommune" in out
    if fmt == "html":
        assert out.startswith('<div class="ordstyrer-') and f'lang="{lang}"' in out
    else:
        assert out.startswith("# ")


# ---------------------------------------------------------------- as a real process


def _proc(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "ordstyrer", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "stdin", "code"),
    [
        (("check", "--preset", "gausdal", "--kind", "reply"), CLEAN_REPLY, 0),
        (("check", "--preset", "gausdal", "--kind", "reply"), BLOCKING_REPLY, 1),
        (("check", "--preset", "nope"), "x", 2),
        (("check", "--preset", "gausdal", "--input-format", "json"), "not json", 2),
        (("check", "--preset", "gausdal", "--kind", "tweet"), "x", 2),
    ],
)
def test_exit_codes_as_a_process(args, stdin, code):
    result = _proc(*args, stdin=stdin)
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    if code == 2:
        assert len(result.stderr.strip().splitlines()) == 1


def test_json_output_as_a_process():
    payload = json.dumps({"text": "Gud velsigne dere alle.", "links": [], "media": []})
    result = _proc(
        "check", "--preset", "gausdal", "--input-format", "json", "--format", "json", stdin=payload
    )
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert data["preset"] == "gausdal"
    assert [f["rule"] for f in data["findings"]] == ["PU-8"]


def test_pure_commands_do_not_import_django():
    code = (
        "import sys\n"
        "import ordstyrer.policy, ordstyrer.policy.render, ordstyrer.policy.commands\n"
        "from ordstyrer.policy import Draft, check, load_policy\n"
        "check(Draft('Ring 412 34 567'), load_policy('indre-fosen'))\n"
        "assert 'django' not in sys.modules, sorted(m for m in sys.modules if 'django' in m)\n"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
