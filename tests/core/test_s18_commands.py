"""The operators' commands end a failure in one Norwegian line and a non-zero exit code
(2 for unusable arguments or input), never a traceback.

* `ordstyrer serve` on a port in use bound only inside waitress.serve, after it had said
  «Ordstyrer kjører på …» and started the in-process worker: an OSError traceback. It
  binds first now, and says in one line that it cannot listen there (exit 2).
* `ordstyrer corrections-export --out` in a folder that cannot be written (/proc, or a
  read-only mount) made its temporary file outside the error handling: a
  FileNotFoundError/PermissionError traceback instead of «Kunne ikke skrive …».
* `ordstyrer backup` said its refusals as Django's «CommandError: …» and argparse's
  complaints in English with a usage dump; it is a NorwegianCommand like the others.
* A lone UTF-16 surrogate in JSON input (a broken emoji, `"\\ud83d"`) is valid JSON;
  `ordstyrer triage` echoed it in its output and `ordstyrer check` handed it to the
  language model, and writing it as UTF-8 failed: a UnicodeEncodeError traceback.
  `jsonsafe.loads` returns it as U+FFFD, as the Graph webhooks do. Run as processes:
  capsys writes to a Python string and never encodes.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from ordstyrer.cli import main

ORDSTYRER = str(Path(sys.executable).with_name("ordstyrer"))


def run(env: dict[str, str], *args: str, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    """`ordstyrer ARGS` in a process of its own; a server that starts after all is
    killed at the timeout (and the test fails)."""
    return subprocess.run(  # noqa: S603
        [ORDSTYRER, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@pytest.fixture(scope="module")
def installation(tmp_path_factory) -> dict[str, str]:
    """A migrated SQLite installation of its own, for the commands run as processes."""
    import os

    root = tmp_path_factory.mktemp("installation")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["ORDSTYRER_DATA_DIR"] = str(root / "data")
    done = run(env, "migrate", "--no-input")
    assert done.returncode == 0, done.stderr
    return env


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_serve_on_a_port_in_use_is_one_line_and_starts_nothing(installation):
    """`serve` binds before it says it runs: a port held by another process is one line,
    exit 2, and nothing printed on stdout."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        result = run(installation, "serve", "--no-worker", "--port", str(port), timeout=60)

    assert result.returncode == 2
    assert one_line(result) == (
        f"ordstyrer serve: kan ikke lytte på 127.0.0.1:{port}: Address already in use"
    )
    assert "kjører på" not in result.stdout


def test_serve_without_threads_is_refused_rather_than_serving_nobody(installation):
    """`--threads 0` used to bind and serve a console no thread answered."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run(
        installation, "serve", "--no-worker", "--port", str(port), "--threads", "0", timeout=60
    )

    assert result.returncode == 2
    assert one_line(result) == "ordstyrer serve: --threads må være minst 1, ikke 0"


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (("--port", "0"), "ordstyrer serve: ugyldig port: 0"),
        (("--port", "x"), "ordstyrer serve: --port må være et heltall, ikke «x»"),
    ],
)
@pytest.mark.django_db
def test_serve_refuses_unusable_arguments_in_one_line(argv, line, capsys, monkeypatch):
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)  # the test's transaction
    with pytest.raises(SystemExit) as done:
        main(["serve", "--no-worker", *argv])
    assert done.value.code == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", line + "\n")


@pytest.mark.django_db
def test_serve_explains_itself_in_norwegian(capsys):
    with pytest.raises(SystemExit) as done:
        main(["serve", "--help"])
    assert done.value.code in (0, None)
    shown = " ".join(capsys.readouterr().out.split())
    assert shown.startswith("usage: ordstyrer serve ")
    assert "Kjør konsollet (waitress), med bakgrunnsarbeideren i samme prosess." in shown
    assert "ikke kjør bakgrunnsarbeideren i denne prosessen" in shown
    assert "Serve the console" not in shown


@pytest.mark.django_db
@pytest.mark.parametrize("out", ["/proc/rettelser.jsonl", "/sys/rettelser.jsonl"])
def test_corrections_export_to_a_folder_it_cannot_write_is_one_line(out, capsys, monkeypatch):
    from django.db import connections

    from tests.factories import MunicipalityFactory

    monkeypatch.setattr(connections, "close_all", lambda: None)  # the test's transaction
    municipality = MunicipalityFactory()

    with pytest.raises(SystemExit) as done:
        main(["corrections-export", "--municipality", municipality.slug, "--out", out])

    assert done.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"ordstyrer corrections-export: Kunne ikke skrive {out}: ")
    assert captured.err.count("\n") == 1
    assert not Path(out).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (("backup",), "ordstyrer backup: mangler create|restore"),
        (("backup", "restore"), "ordstyrer backup: mangler FIL"),
        (("backup", "rotate"), "ordstyrer backup: ugyldig verdi «rotate» for create|restore"),
        (
            ("backup", "restore", "/finnes/ikke.tar"),
            "ordstyrer backup: fant ikke /finnes/ikke.tar.",
        ),
    ],
    ids=["no-action", "no-file", "unknown-action", "missing-file"],
)
def test_backup_mistakes_are_one_norwegian_line(argv, line, capsys):
    with pytest.raises(SystemExit) as done:
        main(list(argv))
    assert done.value.code == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", line + "\n")


def pure(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """A pure command (no Django, no database) in a process of its own, its output as
    UTF-8 (strict, as a terminal or a pipe takes it)."""
    import os

    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(  # noqa: S603
        [ORDSTYRER, *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )


def test_triage_echoes_a_lone_surrogate_as_the_replacement_character():
    result = pure("triage", "--preset", "gausdal", stdin='{"id":"\\ud800","text":"hei"}\n')

    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["id"] == "\ufffd"


@pytest.mark.parametrize("output", ["text", "json"])
def test_check_reads_a_lone_surrogate_as_the_replacement_character(output, tmp_path):
    draft = tmp_path / "utkast.json"
    draft.write_text(
        '{"text": "Hei \\ud83d fra Gausdal", '
        '"media": [{"type": "image", "alt": "Ola Nordmann på 17. mai \\ud83d"}]}',
        encoding="utf-8",
    )

    result = pure(
        "check", "--preset", "gausdal", "--input-format", "json", "--format", output, str(draft)
    )

    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 1), result.stderr  # findings or none, not a failure
    assert result.stderr == ""
    if output == "json":
        assert json.loads(result.stdout)["preset"] == "gausdal"
    else:
        assert "Gausdal kommune" in result.stdout
