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
