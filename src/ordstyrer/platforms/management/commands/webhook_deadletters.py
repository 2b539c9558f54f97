"""`ordstyrer webhook-deadletters --list | --discard ID` — the operators' door to the dead
letters of the webhook queue (issue #18), also those no municipality sees on its
*Mottaksfeil* page (a disconnected Page, a body with no readable entry).

--list       id, when it was received, its size, who sees it and why it failed; never
             the body (it holds citizens' comments, names and national ID numbers)
--discard ID delete it for good, audited as the console's "Forkast" is

Unhandled ones are deleted by the `platforms.dead_letter_retention` sweep (docs/privacy.md).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from ordstyrer.core.commands import NorwegianCommand
from ordstyrer.platforms.deadletters import dead_letters_all, delivery_discard_operator

ERROR_WIDTH = 100


def _error_line(error: str) -> str:
    line = (error.strip().splitlines() or [""])[0]
    return line if len(line) <= ERROR_WIDTH else line[: ERROR_WIDTH - 1] + "…"


class Command(NorwegianCommand):
    help = "List eller forkast webhook-leveringer som er gitt opp (mottaksfeil)."
    prog = "ordstyrer webhook-deadletters"

    def add_arguments(self, parser: CommandParser) -> None:
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument(
            "--list", action="store_true", help="list dem (id, mottatt, størrelse, feil)"
        )
        what.add_argument(
            "--discard", type=int, metavar="ID", help="slett én for godt (føres i revisjonsloggen)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["discard"] is not None:
            if not delivery_discard_operator(delivery_id=options["discard"]):
                raise CommandError(
                    f"Fant ingen levering {options['discard']} som er gitt opp "
                    "(den er forkastet, prøvd igjen eller fantes ikke)."
                )
            self.stdout.write(
                f"Levering {options['discard']} er forkastet. Det er ført i revisjonsloggen."
            )
            return
        letters = dead_letters_all()
        if not letters:
            self.stdout.write("Ingen leveringer er gitt opp.")
            return
        self.stdout.write("ID\tMOTTATT\tBYTE\tKOMMUNER\tFEIL")
        for letter in letters:
            received = timezone.localtime(letter.received_at).strftime("%Y-%m-%d %H:%M")
            seen = ",".join(letter.municipalities) or "ingen"
            self.stdout.write(
                f"{letter.id}\t{received}\t{letter.size}\t{seen}\t{_error_line(letter.error)}"
            )
