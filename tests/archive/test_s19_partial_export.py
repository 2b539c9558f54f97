"""AR-2, AR-3: an unfinished export never looks like a finished one. The export is built
in `<out>.partial` and renamed to `<out>` only when everything is written and, for the
deposit, checked; a run killed meanwhile (cron timeout, systemd, the OOM killer — no
Python cleanup runs) leaves no `<out>`, and the next run reports and replaces its
leftover."""

from __future__ import annotations

import fcntl
import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ordstyrer.archive.deposit_check import check_deposit
from ordstyrer.archive.exporters import ExportError, noark5, run_export
from ordstyrer.archive.services import archive_append
from tests.archive.conftest import deleted_comment

pytestmark = pytest.mark.django_db

DAY = date(2025, 5, 16)  # the day of `deleted_comment` (T0)


@pytest.fixture
def archived(personas):
    archive_append(
        actor=None,
        entry=deleted_comment(personas),
        backdated_to=datetime(2025, 5, 16, 9, 0, tzinfo=UTC),
    )
    return personas


def partial_dir(out: Path) -> Path:
    return out.with_name(f"{out.name}.partial")


def _export(p, out: Path, fmt: str = "noark5-uttrekk", **kw):
    return run_export(municipality=p.municipality, fmt=fmt, since=DAY, until=DAY, out_dir=out, **kw)


def test_out_does_not_exist_while_the_deposit_is_checked(archived, tmp_path, monkeypatch):
    """AR-3: while the deposit check runs, the package (with its LES-MEG.txt saying it was
    checked) is only in `<out>.partial`; `<out>` appears when the check has passed."""
    out = tmp_path / "uttrekk"
    seen: list[tuple[bool, bool]] = []

    def observed(directory: Path):
        seen.append((out.exists(), (partial_dir(out) / "LES-MEG.txt").is_file()))
        assert directory == partial_dir(out)
        return check_deposit(directory)

    monkeypatch.setattr(noark5, "check_deposit", observed)
    result = _export(archived, out)

    assert seen == [(False, True)]
    assert (out / "arkivuttrekk.xml").is_file() and (out / "LES-MEG.txt").is_file()
    assert not partial_dir(out).exists()
    assert result.out_dir == out
    assert check_deposit(out).ok


@pytest.mark.parametrize("fmt", ["fiks-arkiv", "eformidling"])
def test_messages_are_written_away_from_out_until_all_are_there(archived, tmp_path, fmt):
    """AR-2: Fiks Arkiv and eFormidling messages too: `<out>` holds none while they are
    written, then all of them."""
    out = tmp_path / fmt
    seen: list[bool] = []
    result = _export(archived, out, fmt=fmt, progress=lambda n: seen.append(out.exists()))
    assert seen == [False]
    assert (out / "LES-MEG.txt").is_file() and (out / "SHA256SUMS").is_file()
    assert not partial_dir(out).exists()
    assert result.records == 1


def test_a_failed_deposit_check_leaves_neither_folder(archived, tmp_path, monkeypatch):
    """AR-3: a deposit that fails its check leaves nothing to be taken for finished."""
    out = tmp_path / "uttrekk"

    def failing(directory: Path):
        report = check_deposit(directory)
        report.checks[0].errors.append("kunstig feil")
        return report

    monkeypatch.setattr(noark5, "check_deposit", failing)
    with pytest.raises(ExportError, match="består ikke kontrollen"):
        _export(archived, out)
    assert not out.exists() and not partial_dir(out).exists()


def test_the_cli_reports_and_replaces_a_leftover_of_a_killed_run(archived, tmp_path, capsys):
    """AR-3: a killed run's `<out>.partial` is named on stderr and replaced; the package
    holds nothing of it."""
    from ordstyrer.archive.management.commands.archive import Command

    out = tmp_path / "uttrekk"
    leftover = partial_dir(out)
    (leftover / "DOKUMENT").mkdir(parents=True)
    (leftover / "LES-MEG.txt").write_text("halvferdig")
    (leftover / "DOKUMENT" / "rest.pdf").write_bytes(b"%PDF")

    Command().run_from_argv(
        [
            "ordstyrer",
            "archive",
            "export",
            "--municipality",
            archived.municipality.slug,
            "--format",
            "noark5-uttrekk",
            "--since",
            DAY.isoformat(),
            "--until",
            DAY.isoformat(),
            "--out",
            str(out),
        ]
    )
    captured = capsys.readouterr()
    assert str(leftover) in captured.err and "ikke ble ferdig" in captured.err
    assert "Eksporterte 1 arkivposter" in captured.out
    assert not leftover.exists()
    assert (out / "LES-MEG.txt").read_text() != "halvferdig"
    assert not (out / "DOKUMENT" / "rest.pdf").exists()
    assert check_deposit(out).ok


def test_a_run_still_writing_is_not_replaced(archived, tmp_path):
    """AR-3: a `.partial` another run holds (locked) is refused, not deleted; as before,
    when that run wrote straight into a folder that was then not empty."""
    out = tmp_path / "uttrekk"
    busy = partial_dir(out)
    busy.mkdir()
    (busy / "SHA256SUMS").write_text("")
    held = os.open(busy, os.O_RDONLY)
    try:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(ExportError, match="En annen eksport skriver allerede"):
            _export(archived, out, fmt="fiks-arkiv")
    finally:
        os.close(held)
    assert (busy / "SHA256SUMS").is_file() and not out.exists()


def test_out_that_exists_and_is_not_empty_is_still_refused(archived, tmp_path):
    """AR-2: as before, an `--out` with files in it is refused and left alone."""
    out = tmp_path / "uttrekk"
    out.mkdir()
    (out / "gammel.txt").write_text("x")
    with pytest.raises(ExportError, match="ikke tom"):
        _export(archived, out, fmt="eformidling")
    assert (out / "gammel.txt").is_file() and not partial_dir(out).exists()


def test_an_empty_out_folder_receives_the_export(archived, tmp_path):
    """AR-2: as before, an empty `--out` that exists is used."""
    out = tmp_path / "uttrekk"
    out.mkdir()
    _export(archived, out, fmt="eformidling")
    assert (out / "LES-MEG.txt").is_file() and not partial_dir(out).exists()
