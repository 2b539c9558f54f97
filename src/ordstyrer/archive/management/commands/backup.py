"""`ordstyrer backup create --out FILE` and `ordstyrer backup restore FILE [--replace]`
(docs/deploy.md, "Backup and restore")."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError
from django.db import DatabaseError

from ordstyrer.archive.backup import BackupError, backup_create, backup_restore
from ordstyrer.core.commands import NorwegianCommand, NorwegianParser

CREATE = "skriv en sikkerhetskopi til en tar-fil"
RESTORE = "gjenopprett fra en sikkerhetskopi"


class Command(NorwegianCommand):
    """Refusals and argparse's complaints as `ordstyrer backup: <reason>`, one line."""

    help = "Ta sikkerhetskopi av databasen og datamappen (arkivet med), eller gjenopprett den."
    prog = "ordstyrer backup"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(
            dest="action", metavar="create|restore", parser_class=NorwegianParser, required=True
        )
        create = sub.add_parser("create", help=CREATE, description=CREATE)
        create.add_argument(
            "--out",
            required=True,
            type=Path,
            metavar="FIL",
            help="tar-filen som skrives (finnes den fra før, avvises kommandoen)",
        )
        restore = sub.add_parser("restore", help=RESTORE, description=RESTORE)
        restore.add_argument("source", type=Path, metavar="FIL", help="sikkerhetskopien (tar-fil)")
        restore.add_argument(
            "--replace", action="store_true", help="erstatt en database som ikke er tom"
        )

    def handle(self, *args, action, **options):
        try:
            if action == "create":
                manifest = backup_create(out=options["out"])
                records = sum(m["records"] for m in manifest["archive"].values())
                self.stdout.write(
                    f"Sikkerhetskopi skrevet til {options['out']}: {manifest['database']}, "
                    f"{len(manifest['files'])} filer, {records} arkivposter i "
                    f"{len(manifest['archive'])} kommune(r)."
                )
                return
            report = backup_restore(source=options["source"], replace=options["replace"])
        except BackupError as exc:
            raise CommandError(str(exc), returncode=2) from None
        except OSError as exc:  # a path that cannot be written or read after all
            reason = exc.strerror or type(exc).__name__
            raise CommandError(f"fil- eller mappefeil: {reason}", returncode=2) from None
        except DatabaseError as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise CommandError(f"databasefeil: {first}") from None
        for slug, head in report.municipalities.items():
            self.stdout.write(
                f"{slug}: {head['records']} arkivposter, siste hash {head['head_hash']}"
            )
        for note in report.notes:
            self.stdout.write(note)
        for warning in report.warnings:
            self.stderr.write(warning)
        if not report.ok:
            raise CommandError("; ".join(report.problems), returncode=1)
        if report.pending_migrations:
            # An older backup: its heads hold; its records are verified after migrate.
            self.stdout.write(
                f"Gjenopprettet, og kjedehodene stemmer med kopien; databasen mangler "
                f"{report.pending_migrations} migreringer: kjør «ordstyrer migrate», så "
                "«ordstyrer archive verify» (AR-3)."
            )
            return
        self.stdout.write("Gjenopprettet, og arkivkjedene er kontrollert (AR-3).")
