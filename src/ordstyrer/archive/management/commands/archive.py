"""`ordstyrer archive verify|export` — check the chain (AR-3) and export (AR-2).

    ordstyrer archive verify [--municipality SLUG]
    ordstyrer archive export --municipality SLUG --format fiks-arkiv|eformidling|noark5-uttrekk
                             --since ÅÅÅÅ-MM-DD [--until ÅÅÅÅ-MM-DD] --out MAPPE

Exit codes: 0 in order, 1 a broken chain or a failed export, 2 bad arguments (one
Norwegian line on stderr).
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ordstyrer.archive.chain import verify_chain
from ordstyrer.archive.exporters import FORMATS, ExportError, count_records, run_export
from ordstyrer.tenants.models import Municipality

PROG = "ordstyrer archive"

_MESSAGES = (
    (re.compile(r"the following arguments are required: (.*)"), "mangler {0}"),
    (re.compile(r"unrecognized arguments: (.*)"), "ukjente argumenter: {0}"),
    (re.compile(r"argument (\S+): invalid choice: '([^']*)'.*"), "ugyldig verdi «{1}» for {0}"),
    (re.compile(r"argument (\S+): expected one argument"), "{0} trenger en verdi"),
    (re.compile(r"argument (\S+): (.*)"), "{0}: {1}"),
)


def norwegian(message: str) -> str:
    for pattern, template in _MESSAGES:
        match = pattern.fullmatch(message.strip())
        if match:
            return template.format(*match.groups())
    return f"ugyldige argumenter ({message})"


class UsageError(CommandError):
    def __init__(self, message: str) -> None:
        super().__init__(message, returncode=2)


class _Parser(CommandParser):
    """Argparse errors as one Norwegian line and exit code 2."""

    def error(self, message: str) -> None:
        raise UsageError(norwegian(message))


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"ugyldig dato «{value}» (bruk ÅÅÅÅ-MM-DD)") from None


class Command(BaseCommand):
    help = "Kontroller arkivkjeden (verify) eller eksporter arkivet (export)."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.error = _Parser.error.__get__(parser)  # type: ignore[method-assign]
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(
            dest="action", metavar="verify|export", parser_class=_Parser, required=True
        )
        verify = actions.add_parser("verify", help="Regn om hash-kjeden og vis første brudd.")
        verify.add_argument("--municipality", metavar="KORTNAVN", help="bare denne kommunen")
        export = actions.add_parser("export", help="Eksporter en periode til arkivformat.")
        export.add_argument("--municipality", metavar="KORTNAVN", required=True)
        export.add_argument("--format", choices=list(FORMATS), required=True)
        export.add_argument("--since", type=_date, metavar="ÅÅÅÅ-MM-DD", required=True)
        export.add_argument("--until", type=_date, metavar="ÅÅÅÅ-MM-DD")
        export.add_argument("--out", type=Path, metavar="MAPPE", required=True)

    def run_from_argv(self, argv: list[str]) -> None:
        try:
            super().run_from_argv(argv)
        except CommandError as exc:  # argparse errors come before execute()
            self.stderr.write(f"{PROG}: {exc}")
            sys.exit(exc.returncode)

    def execute(self, *args: Any, **options: Any) -> str | None:
        try:
            return super().execute(*args, **options)
        except CommandError as exc:
            if getattr(self, "_called_from_command_line", False):
                self.stderr.write(f"{PROG}: {exc}")
                sys.exit(exc.returncode)
            raise

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "verify":
            self._verify(options.get("municipality"))
        else:
            self._export(options)

    def _municipality(self, slug: str) -> Municipality:
        found = Municipality.objects.filter(slug=slug).first()
        if found is None:
            raise UsageError(f"ukjent kommune «{slug}»")
        return found

    def _verify(self, slug: str | None) -> None:
        municipalities = (
            [self._municipality(slug)] if slug else list(Municipality.objects.order_by("slug"))
        )
        broken = 0
        for municipality in municipalities:
            report = verify_chain(municipality.pk)
            if report.ok:
                self.stdout.write(
                    f"{municipality.slug}: OK – {report.records} poster, {report.files} filer, "
                    f"{report.statuses} politistatuser; siste hash {report.head_hash}"
                )
            else:
                broken += 1
                self.stdout.write(
                    f"{municipality.slug}: BRUTT ved post nr. {report.broken_sequence}: "
                    f"{report.problem}"
                )
        if broken:
            raise CommandError(f"arkivkjeden er brutt i {broken} kommune(r) (AR-3)", returncode=1)

    def _export(self, options: dict[str, Any]) -> None:
        municipality = self._municipality(options["municipality"])
        since: date = options["since"]
        until: date = options["until"] or timezone.localdate()
        out: Path = options["out"]
        if until < since:
            raise UsageError("--until kan ikke være før --since")
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            raise UsageError(f"mappen {out} finnes og er ikke tom")
        total = count_records(municipality=municipality, since=since, until=until)
        try:
            with _progress(total) as advance:
                result = run_export(
                    municipality=municipality,
                    fmt=options["format"],
                    since=since,
                    until=until,
                    out_dir=out,
                    progress=advance,
                )
        except ExportError as exc:
            raise CommandError(str(exc), returncode=1) from None
        self.stdout.write(
            f"Eksporterte {result.records} arkivposter ({result.files} filer, "
            f"{result.bytes / 1_000_000:.1f} MB) til {out}"
        )


class _progress:
    """A rich progress bar on a terminal; silent when output is redirected."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.bar: Any = None

    def __enter__(self):
        if not sys.stderr.isatty():
            return None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        self.bar = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(stderr=True),
        )
        self.bar.__enter__()
        task = self.bar.add_task("Eksporterer", total=self.total)
        return lambda n: self.bar.advance(task, n)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)
