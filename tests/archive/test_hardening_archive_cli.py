"""Issue #18: `ordstyrer archive export --out` to a place that cannot be written is one
Norwegian line and exit 2 (was a FileNotFoundError traceback)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ordstyrer.archive.services import archive_append
from tests.archive.conftest import deleted_comment

pytestmark = pytest.mark.django_db


def _export(out: str, slug: str, *extra: str) -> None:
    from ordstyrer.archive.management.commands.archive import Command

    Command().run_from_argv(
        [
            "ordstyrer",
            "archive",
            "export",
            "--municipality",
            slug,
            "--format",
            "eformidling",
            "--since",
            "2020-01-01",
            "--out",
            out,
            *extra,
        ]
    )


@pytest.mark.parametrize(
    "where",
    ["under-a-file", "read-only"],
)
def test_an_unwritable_out_folder_is_one_line_and_exit_2(personas, tmp_path, capsys, where):
    archive_append(actor=personas.communications, entry=deleted_comment(personas))
    if where == "under-a-file":
        (tmp_path / "fil").write_text("x")
        out = tmp_path / "fil" / "eksport"
    else:
        if os.geteuid() == 0:
            pytest.skip("root writes anywhere")
        locked = tmp_path / "låst"
        locked.mkdir()
        locked.chmod(0o500)
        out = locked / "eksport"
    with pytest.raises(SystemExit) as caught:
        _export(str(out), personas.municipality.slug)
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0
    assert err.startswith("ordstyrer archive: ") and "kan ikke skrive" in err


def test_a_missing_parent_folder_is_made_and_the_export_runs(personas, tmp_path, capsys):
    archive_append(actor=personas.communications, entry=deleted_comment(personas))
    out = tmp_path / "ny" / "eksport"
    _export(str(out), personas.municipality.slug)
    assert any(Path(out).iterdir())


def test_since_outside_1900_to_2100_is_refused(personas, tmp_path, capsys):
    from ordstyrer.archive.management.commands.archive import Command

    with pytest.raises(SystemExit) as caught:
        Command().run_from_argv(
            [
                "ordstyrer",
                "archive",
                "export",
                "--municipality",
                personas.municipality.slug,
                "--format",
                "eformidling",
                "--since",
                "0001-01-01",
                "--out",
                str(tmp_path / "u"),
            ]
        )
    assert caught.value.code == 2 and "1900–2100" in capsys.readouterr().err


def test_a_since_after_today_without_until_says_so(personas, tmp_path, capsys):
    """--until defaults to today; the user gave none, so the error names --since."""
    with pytest.raises(SystemExit) as caught:
        _export(str(tmp_path / "x5"), personas.municipality.slug, "--since", "2099-01-01")
    err = capsys.readouterr().err
    assert caught.value.code == 2
    assert "--since ligger etter i dag" in err and "--until kan ikke" not in err


def test_an_until_before_since_still_names_until(personas, tmp_path, capsys):
    with pytest.raises(SystemExit) as caught:
        _export(str(tmp_path / "x5"), personas.municipality.slug, "--until", "2019-12-31")
    assert caught.value.code == 2
    assert "--until kan ikke være før --since" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("where", "reason"),
    [
        ("proc", "stien finnes ikke og kan ikke lages"),  # ENOENT
        ("under-a-file", "en del av stien er en fil, ikke en mappe"),  # ENOTDIR
    ],
)
def test_an_os_error_is_given_a_norwegian_reason_and_keeps_the_path(
    personas, tmp_path, capsys, where, reason
):
    if where == "proc":
        if not Path("/proc/self").exists():
            pytest.skip("no /proc here")
        out = Path("/proc/ordstyrer-eksport")
    else:
        (tmp_path / "fil").write_text("x")
        out = tmp_path / "fil" / "eksport"
    with pytest.raises(SystemExit) as caught:
        _export(str(out), personas.municipality.slug)
    err = capsys.readouterr().err
    assert caught.value.code == 2
    assert err.strip() == f"ordstyrer archive: kan ikke skrive til mappen {out}: {reason}"
