"""`ordstyrer media-strip-location [--dry-run]` — take the location out of photos and
videos stored before uploads did (PU-1, EM-7; docs/deploy.md §9: run once after the
upgrade).

Every stored JPEG, PNG, WebP, MP4 and MOV goes through `media.media_strip_location`,
which uses the upload's own `without_location`: the row, its public URL and the register
stay, the bytes lose their GPS block / location boxes, size and SHA-256 follow. A file
that cannot be read is reported and left as it was; the others are still done. Running
it again changes nothing.

Exit codes: 0 every file done, 1 some file could not be read (the others are done),
2 bad arguments.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import CommandError, CommandParser

from ordstyrer.core.commands import NorwegianCommand
from ordstyrer.core.errors import DomainError
from ordstyrer.publishing.media import LOCATION_MIMES, media_strip_location
from ordstyrer.publishing.models import MediaAsset, MediaKind

logger = logging.getLogger("ordstyrer.publishing")


class Command(NorwegianCommand):
    help = "Fjern stedsinformasjon (GPS) fra bilder og videoer som ble lagret før oppgraderingen."
    prog = "ordstyrer media-strip-location"

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # The usage line names the command as the docs do, not as Django was handed it
        # (`-` read as `_`, cli.run_django).
        program, _sep, name = self.prog.partition(" ")
        return super().create_parser(program, name, **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="vis hva som ville blitt endret, uten å endre noe",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry_run: bool = options["dry_run"]
        ids = list(
            MediaAsset.objects.filter(mime__in=LOCATION_MIMES)
            .order_by("pk")
            .values_list("pk", "kind")
        )
        cleaned: dict[str, int] = {MediaKind.IMAGE: 0, MediaKind.VIDEO: 0}
        failed = 0
        for pk, kind in ids:
            try:
                changed = media_strip_location(asset_id=pk, dry_run=dry_run)
            except DomainError as exc:
                failed += 1
                logger.warning("media_strip_location_failed", extra={"asset_id": pk})
                self.stdout.write(f"Fil nr. {pk}: {exc.message} Filen er ikke endret.")
                continue
            if changed:
                cleaned[kind] = cleaned.get(kind, 0) + 1
        verb = "ville fått fjernet" if dry_run else "fikk fjernet"
        self.stdout.write(
            f"{len(ids)} filer gått gjennom: {cleaned[MediaKind.IMAGE]} bilder og "
            f"{cleaned[MediaKind.VIDEO]} videoer {verb} stedsinformasjon, "
            f"{len(ids) - sum(cleaned.values()) - failed} hadde ingen, "
            f"{failed} kunne ikke leses."
        )
        if dry_run:
            self.stdout.write("Prøvekjøring (--dry-run): ingenting er endret.")
        if failed:
            raise CommandError(
                f"{failed} fil(er) kunne ikke leses og er ikke endret (se over); "
                "de andre er gått gjennom",
                returncode=1,
            )
