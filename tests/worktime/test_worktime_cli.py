"""`ordstyrer deadline` (DI-1): output format, exit codes, Norwegian messages."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ordstyrer.cli import main

REPO = Path(__file__).resolve().parents[2]


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["deadline", *args])
    out, err = capsys.readouterr()
    return code, out, err


OK = [
    # Gausdal answers within one working day: 7.5 working hours (DI-1, G)
    (
        "gausdal skjærtorsdag",
        ["--preset", "gausdal", "--received", "2026-04-02T10:00:00+02:00"],
        "2026-04-07T15:30:00+02:00",
    ),
    (
        "gausdal first response",
        ["--preset", "gausdal", "--received", "2026-03-10T10:00+01:00", "--kind", "first_response"],
        "2026-03-11T10:00:00+01:00",
    ),
    # Indre Fosen: first response within 2 working hours, answer within 7.5
    (
        "indre-fosen 15:29 first",
        [
            "--preset",
            "indre-fosen",
            "--received",
            "2026-03-10T15:29+01:00",
            "--kind",
            "first_response",
        ],
        "2026-03-11T09:59:00+01:00",
    ),
    (
        "indre-fosen 15:31 first",
        [
            "--preset",
            "indre-fosen",
            "--received",
            "2026-03-10T15:31+01:00",
            "--kind",
            "first_response",
        ],
        "2026-03-11T10:00:00+01:00",
    ),
    (
        "indre-fosen answer",
        ["--preset", "indre-fosen", "--received", "2026-03-10T15:29+01:00", "--kind", "answer"],
        "2026-03-11T15:29:00+01:00",
    ),
    (
        "default kind is answer",
        ["--preset", "indre-fosen", "--received", "2026-03-10T15:29+01:00"],
        "2026-03-11T15:29:00+01:00",
    ),
    # without an offset: Norwegian local time; across the spring DST change
    (
        "local time, DST",
        ["--preset", "gausdal", "--received", "2026-03-27T14:00"],
        "2026-03-30T14:00:00+02:00",
    ),
    (
        "UTC Z, autumn DST",
        ["--preset", "gausdal", "--received", "2026-10-23T12:00:00Z"],
        "2026-10-26T14:00:00+01:00",
    ),
    (
        "Saturday",
        ["--preset", "rennebu", "--received", "2026-03-14T12:00+01:00", "--kind", "first_response"],
        "2026-03-16T10:00:00+01:00",
    ),
    (
        "julaften",
        ["--preset", "gausdal", "--received", "2026-12-24T10:00+01:00"],
        "2026-12-28T13:30:00+01:00",
    ),
]


@pytest.mark.parametrize(("args", "expected"), [c[1:] for c in OK], ids=[c[0] for c in OK])
def test_deadline_prints_iso_8601_with_offset(capsys, args, expected):
    code, out, err = run(capsys, *args)
    assert (code, out, err) == (0, expected + "\n", "")


BAD = [
    ("bad date", ["--preset", "gausdal", "--received", "2026-13-01T10:00"], "ugyldig tidspunkt"),
    ("words", ["--preset", "gausdal", "--received", "i morgen"], "ugyldig tidspunkt"),
    ("DST gap", ["--preset", "gausdal", "--received", "2026-03-29T02:30"], "finnes ikke"),
    ("DST overlap", ["--preset", "gausdal", "--received", "2026-10-25T02:30"], "to ganger"),
    (
        "unknown preset",
        ["--preset", "atlantis", "--received", "2026-03-10T10:00+01:00"],
        "atlantis",
    ),
    (
        "unknown kind",
        ["--preset", "gausdal", "--received", "2026-03-10T10:00+01:00", "--kind", "reply"],
        "ukjent fristtype 'reply'",
    ),
]


@pytest.mark.parametrize(("args", "message"), [c[1:] for c in BAD], ids=[c[0] for c in BAD])
def test_bad_input_is_one_norwegian_line_and_exit_2(capsys, args, message):
    code, out, err = run(capsys, *args)
    assert code == 2
    assert out == ""
    assert err.startswith("ordstyrer deadline: ")
    assert message in err
    assert err.count("\n") == 1


def test_missing_argument_exits_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["deadline", "--preset", "gausdal"])
    assert exc.value.code == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_own_calendar_file(capsys, tmp_path):
    calendar = tmp_path / "kalender.toml"
    calendar.write_text(
        'name = "Test"\nclosed_days = ["2026-03-11"]\n\n'
        '[office_hours]\nthursday = "09:00-15:00"\nfriday = "closed"\n',
        encoding="utf-8",
    )
    # Tue 15:00 + 7.5 h: 30 min Tue, Wed closed, Thu 09:00–15:00 (6 h), Fri closed, 1 h Mon
    code, out, _ = run(
        capsys,
        "--preset",
        "gausdal",
        "--received",
        "2026-03-10T15:00+01:00",
        "--calendar",
        str(calendar),
    )
    assert (code, out) == (0, "2026-03-16T09:00:00+01:00\n")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('office_hours = "15:00-08:00"\n', "stengetid må være etter"),
        ("office_hours = \n", "ikke gyldig TOML"),
        ('holidays = "none"\n', "ukjent innstilling"),
    ],
)
def test_bad_calendar_file(capsys, tmp_path, content, message):
    calendar = tmp_path / "kalender.toml"
    calendar.write_text(content, encoding="utf-8")
    code, out, err = run(
        capsys,
        "--preset",
        "gausdal",
        "--received",
        "2026-03-10T10:00+01:00",
        "--calendar",
        str(calendar),
    )
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1


def test_missing_calendar_file(capsys, tmp_path):
    code, _, err = run(
        capsys,
        "--preset",
        "gausdal",
        "--received",
        "2026-03-10T10:00+01:00",
        "--calendar",
        str(tmp_path / "finnes-ikke.toml"),
    )
    assert code == 2 and "kan ikke lese kalenderfilen" in err


def _python(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(  # noqa: S603 — our own interpreter, fixed arguments
        [sys.executable, *(["-c", code] if code else []), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=60,
        check=False,
    )


def test_real_process_exit_codes_and_no_django():
    ok = _python(
        "",
        "-m",
        "ordstyrer",
        "deadline",
        "--preset",
        "gausdal",
        "--received",
        "2026-04-02T10:00+02:00",
    )
    assert (ok.returncode, ok.stdout) == (0, "2026-04-07T15:30:00+02:00\n"), ok.stderr
    bad = _python(
        "", "-m", "ordstyrer", "deadline", "--preset", "gausdal", "--received", "2026-02-30T10:00"
    )
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.startswith("ordstyrer deadline: ugyldig tidspunkt")
    probe = _python(
        "import sys, ordstyrer.worktime, ordstyrer.worktime.commands;"
        "from datetime import datetime; from ordstyrer.worktime import OSLO;"
        "from ordstyrer.worktime.targets import response_deadline as r;"
        "r(preset_id='gausdal', received=datetime(2026, 3, 10, 10, tzinfo=OSLO));"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )
    assert (probe.returncode, probe.stdout) == (0, "[]\n"), probe.stderr
