"""`ordstyrer archive verify|export|check-deposit` — check the chain (AR-3), export
(AR-2) and check a Noark 5 deposit package the way Arkivverket's Arkade 5 does.

    ordstyrer archive verify [--municipality SLUG]
    ordstyrer archive export --municipality SLUG --format fiks-arkiv|eformidling|noark5-uttrekk
                             --since ÅÅÅÅ-MM-DD [--until ÅÅÅÅ-MM-DD] --out MAPPE
    ordstyrer archive check-deposit MAPPE

`--until` defaults to today; for the deposit (noark5-uttrekk), which closes its period,
to yesterday, and a later `--until` is refused (AR-3) by `run_export` itself, whose
refusal is the one Norwegian line of exit 2. The export is built in
`MAPPE.partial` and renamed to MAPPE only when it is finished (the deposit checked), so
a run that is killed leaves no MAPPE; the next run reports and replaces the leftover.

Exit codes: 0 in order, 1 a broken chain, a failed export or a deposit that fails
its checks, 2 bad arguments (one Norwegian line on stderr).
"""

from __future__ import annotations

import argparse
import errno
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from ordstyrer.archive.chain import verify_chain
from ordstyrer.archive.deposit_check import check_deposit
from ordstyrer.archive.exporters import (
    DEPOSIT_FORMAT,
    FORMATS,
    ExportError,
    OpenPeriod,
    count_records,
    last_closed_day,
    partial_dir,
    run_export,
)
from ordstyrer.core.commands import NorwegianCommand, NorwegianParser, UsageError
from ordstyrer.tenants.models import Municipality

PROG = "ordstyrer archive"


def _date(value: str) -> date:
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"ugyldig dato «{value}» (bruk ÅÅÅÅ-MM-DD)") from None
    if not 1900 <= parsed.year <= 2100:
        raise argparse.ArgumentTypeError(f"datoen «{value}» er utenfor årene 1900–2100")
    return parsed


# Why a folder cannot be written, in Norwegian, for the errors people meet; other
# errors keep the system's own words.
_OS_REASONS = {
    errno.ENOENT: "stien finnes ikke og kan ikke lages",
    errno.ENOTDIR: "en del av stien er en fil, ikke en mappe",
    errno.EACCES: "mangler tilgang",
    errno.EPERM: "mangler tilgang",
    errno.ENOSPC: "disken er full",
    errno.EDQUOT: "diskkvoten er brukt opp",
    errno.EROFS: "filsystemet er skrivebeskyttet",
}


def _reason(exc: OSError) -> str:
    return _OS_REASONS.get(exc.errno or 0) or exc.strerror or str(exc)


def _writable(out: Path) -> None:
    """Refuse (exit 2, one line) an --out folder that cannot be made or written to, before
    any work is done (issue #18: a FileNotFoundError traceback)."""
    created = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".ordstyrer-skrivetest"
        probe.write_bytes(b"")
        probe.unlink()
        if created:
            out.rmdir()  # the export makes it again; nothing is left if it finds nothing
    except OSError as exc:
        raise UsageError(f"kan ikke skrive til mappen {out}: {_reason(exc)}") from None


class Command(NorwegianCommand):
    help = "Kontroller arkivkjeden (verify) eller eksporter arkivet (export)."
    prog = PROG

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(
            dest="action",
            metavar="verify|export|check-deposit",
            parser_class=NorwegianParser,
            required=True,
        )
        verify = actions.add_parser("verify", help="Regn om hash-kjeden og vis første brudd.")
        verify.add_argument("--municipality", metavar="KORTNAVN", help="bare denne kommunen")
        export = actions.add_parser("export", help="Eksporter en periode til arkivformat.")
        export.add_argument("--municipality", metavar="KORTNAVN", required=True)
        export.add_argument("--format", choices=list(FORMATS), required=True)
        export.add_argument("--since", type=_date, metavar="ÅÅÅÅ-MM-DD", required=True)
        export.add_argument("--until", type=_date, metavar="ÅÅÅÅ-MM-DD")
        export.add_argument("--out", type=Path, metavar="MAPPE", required=True)
        deposit = actions.add_parser(
            "check-deposit", help="Kontroller en utpakket Noark 5-avleveringspakke (Arkade 5)."
        )
        deposit.add_argument("directory", type=Path, metavar="MAPPE")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "verify":
            self._verify(options.get("municipality"))
        elif options["action"] == "check-deposit":
            self._check_deposit(options["directory"])
        else:
            self._export(options)

    def _check_deposit(self, directory: Path) -> None:
        if not directory.is_dir():
            raise UsageError(f"finner ikke mappen {directory}")
        report = check_deposit(directory)
        self.stdout.write(report.text())
        if not report.ok:
            raise CommandError(
                f"avleveringspakken består ikke {len(report.failed)} kontroll(er) (AR-2)",
                returncode=1,
            )

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
        today = timezone.localdate()
        # The deposit declares its period closed: only days that are over (AR-3).
        deposit = options["format"] == DEPOSIT_FORMAT
        last = last_closed_day(today) if deposit else today
        until: date = options["until"] or last
        out: Path = options["out"]
        if until < since:
            if options["until"] is None and deposit:  # --until was not given: yesterday
                raise UsageError(
                    f"en avleveringspakke (noark5-uttrekk) kan bare dekke dager som er over, "
                    f"og --since er ikke før i dag ({today.isoformat()}); velg en tidligere "
                    "--since"
                )
            if options["until"] is None:  # --until was not given: it is today
                raise UsageError(
                    f"--since ligger etter i dag ({today.isoformat()}); "
                    "velg en tidligere --since eller oppgi --until"
                )
            raise UsageError("--until kan ikke være før --since")
        try:
            if out.exists() and (not out.is_dir() or any(out.iterdir())):
                raise UsageError(f"mappen {out} finnes og er ikke tom")
        except OSError as exc:
            raise UsageError(f"kan ikke lese mappen {out}: {_reason(exc)}") from None
        _writable(out)
        leftover = partial_dir(out)
        if leftover.exists() or leftover.is_symlink():
            self.stderr.write(
                f"Fant {leftover} fra en eksport som ikke ble ferdig; den erstattes "
                "(med mindre en annen eksport skriver til den nå)."
            )
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
        except OpenPeriod as exc:  # run_export's own refusal (AR-3): nothing was written
            day_after = exc.last + timedelta(days=1)
            raise UsageError(
                f"en avleveringspakke (noark5-uttrekk) kan bare dekke dager som er over: "
                f"--until må være før i dag ({day_after.isoformat()})"
            ) from None
        except ExportError as exc:
            raise CommandError(str(exc), returncode=1) from None
        except OSError as exc:  # the disk filled up, the folder went away …
            raise UsageError(f"kan ikke skrive til mappen {out}: {_reason(exc)}") from None
        self.stdout.write(
            f"Eksporterte {result.records} arkivposter ({result.files} filer, "
            f"{result.bytes / 1_000_000:.1f} MB) til {out}"
        )
        if result.checks:
            self.stdout.write(
                f"Avleveringspakken består alle {result.checks} kontroller "
                f"(ordstyrer archive check-deposit {out})"
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
