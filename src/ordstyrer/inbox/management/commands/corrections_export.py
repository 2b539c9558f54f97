"""`ordstyrer corrections-export --municipality SLUG [--out FILE]` — editors' category
corrections as labelled rows for retraining (issue #16; `inbox.corrections`).

One JSON object a line, the format `python -m ordstyrer.language.train.comments
--corrections FILE` reads; to standard output without `--out`. A summary goes to
standard error. The rows hold citizens' comment texts (national ID numbers masked, no
author): the file stays inside the installation, like the database it comes from.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import CommandError, CommandParser

from ordstyrer.core.commands import NorwegianCommand, UsageError
from ordstyrer.inbox.corrections import corrections_rows
from ordstyrer.tenants.models import Municipality


class Command(NorwegianCommand):
    help = "Skriv redaktørenes rettede kategorier som treningsdata (JSONL)."
    prog = "ordstyrer corrections-export"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--municipality", required=True, metavar="KORTNAVN", help="kommunens kortnavn"
        )
        parser.add_argument(
            "--out", type=Path, default=None, metavar="FIL", help="filen (standard: skjermen)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["municipality"]
        municipality = Municipality.objects.filter(slug=slug).first()
        if municipality is None:
            raise CommandError(f"Fant ingen kommune med kortnavn «{slug}».")
        out: Path | None = options["out"]
        if out is None:
            count = _write(municipality, sys.stdout)
        else:
            count = _write_file(municipality, out)
        noun = "rettelse" if count == 1 else "rettelser"
        self.stderr.write(f"{count} {noun} fra {municipality.name} skrevet.")


def _write(municipality: Municipality, stream: TextIO) -> int:
    count = 0
    for row in corrections_rows(municipality):
        stream.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


def _write_file(municipality: Municipality, out: Path) -> int:
    """Whole or not at all: written beside the target and moved into place. A folder
    that cannot be written (or read-only, as /proc) is one line and exit 2, like a
    missing one; the temporary file is removed only when it was made."""
    if not out.parent.is_dir():
        raise UsageError(f"Mappen finnes ikke: {out.parent}")
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            count = _write(municipality, stream)
        os.chmod(tmp, 0o600)  # citizens' texts: the operator's file only
        os.replace(tmp, out)
    except OSError as exc:
        _remove(tmp)
        raise UsageError(f"Kunne ikke skrive {out}: {exc.strerror or exc}") from None
    except BaseException:
        _remove(tmp)
        raise
    return count


def _remove(tmp: str | None) -> None:
    if tmp is not None:
        Path(tmp).unlink(missing_ok=True)
