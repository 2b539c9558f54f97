"""`ordstyrer platform-connect --channel ID --account-id PAGE [--page-id PAGE]`: connect a
channel with a system-user token read from standard input (IT operations; the token
never appears on the command line or in the shell history)."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from ordstyrer.channels.models import Channel
from ordstyrer.connectors.secrets import SecretToken
from ordstyrer.core.errors import ServiceError
from ordstyrer.platforms.connections import connection_connect_system
from ordstyrer.platforms.models import ConnectionStatus


class Command(BaseCommand):
    help = "Koble en kanal til Meta med et token for systembruker (lest fra standard inn)."

    def add_arguments(self, parser):
        parser.add_argument("--channel", type=int, required=True, help="kanalens id")
        parser.add_argument("--account-id", required=True, help="sidens eller kontoens id")
        parser.add_argument("--page-id", default="", help="Facebook-sidens id (Instagram)")

    def handle(self, *args, channel: int, account_id: str, page_id: str, **options):
        found = Channel.objects.select_related("municipality").filter(pk=channel).first()
        if found is None:
            raise CommandError(f"Fant ingen kanal med id {channel}.")
        value = sys.stdin.readline().strip()
        if not value:
            raise CommandError("Ingen token på standard inn.")
        try:
            connection = connection_connect_system(
                channel=found,
                account_id=account_id,
                page_id=page_id,
                token=SecretToken(value),
            )
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from None
        if connection.status == ConnectionStatus.PENDING:
            self.stdout.write(
                f"Kanal {found.pk}: Meta kunne ikke bekrefte tokenet for {connection.account_id}"
                " nå. Ordstyrer prøver igjen innen en time; til da kommer ingen kommentarer inn."
            )
            return
        self.stdout.write(f"Kanal {found.pk} er koblet til {connection.account_id}.")
