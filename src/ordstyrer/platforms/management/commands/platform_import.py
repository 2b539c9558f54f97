"""`ordstyrer platform-import --channel ID FILE`: a Page's "Download your information"
export (zip or unpacked folder) into the channel's inbox history and the archive."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ordstyrer.channels.models import Channel
from ordstyrer.core.errors import ServiceError
from ordstyrer.platforms.history import import_export
from ordstyrer.platforms.models import Platform


class Command(BaseCommand):
    help = "Importer en sides eksport («Last ned informasjonen din», JSON) til en kanal."

    def add_arguments(self, parser):
        parser.add_argument("--channel", type=int, required=True, help="kanalens id")
        parser.add_argument("file", help="zip-filen eller den utpakkede mappen")

    def handle(self, *args, channel: int, file: str, **options):
        path = Path(file)
        if not path.exists():
            raise CommandError(f"Fant ikke {file}.")
        found = Channel.objects.select_related("municipality").filter(pk=channel).first()
        if found is None:
            raise CommandError(f"Fant ingen kanal med id {channel}.")
        if found.kind not in Platform.values:
            raise CommandError("Bare Facebook- og Instagram-kanaler kan importere en eksport.")
        try:
            counts = import_export(channel=found, path=path)
        except (ServiceError, FileNotFoundError) as exc:
            raise CommandError(str(getattr(exc, "message", exc))) from None
        self.stdout.write(
            f"{counts.posts} innlegg og {counts.comments} kommentarer lest; "
            f"{counts.ingested} i innboksen, {counts.archived} arkivert, "
            f"{counts.skipped} hoppet over."
        )
        if counts.note:
            self.stdout.write(counts.note)
