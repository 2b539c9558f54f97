"""`ordstyrer municipality create|list` — IT operations onboards a municipality
(docs/deploy.md §7).

    ordstyrer municipality create --slug rennebu --name "Rennebu kommune" --preset rennebu
                                  [--organisation-number 9 SIFRE]
    ordstyrer municipality list

Changing a municipality's preset is left out on purpose: the overrides of its policy
versions belong to the old preset (`policy_for` drops them), and no service changes a
preset yet. Exit codes: 0 done, 2 unusable arguments or a refusal (one line on stderr).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from ordstyrer.policy import preset_ids
from ordstyrer.tenants.management.base import OperatorCommand
from ordstyrer.tenants.selectors import municipalities_overview
from ordstyrer.tenants.services import municipality_create


class Command(OperatorCommand):
    help = "Opprett kommuner og vis dem som finnes (docs/deploy.md §7)."
    prog = "ordstyrer municipality"
    actions = {
        "create": "opprett en kommune med en retningslinje (forhåndsinnstilling)",
        "list": "vis kommunene: kortnavn, navn, retningslinje og antall personer og enheter",
    }

    def add_action(self, name: str, parser: CommandParser) -> None:
        if name == "create":
            parser.add_argument(
                "--slug", required=True, metavar="KORTNAVN", help="i adressen, f.eks. rennebu"
            )
            parser.add_argument("--name", required=True, metavar="NAVN", help="Rennebu kommune")
            parser.add_argument(
                "--preset",
                required=True,
                metavar="RETNINGSLINJE",
                help=f"en av: {', '.join(preset_ids())}",
            )
            parser.add_argument(
                "--organisation-number",
                default="",
                metavar="ORGNR",
                help="organisasjonsnummeret, ni sifre (kontrollsifferet sjekkes)",
            )

    def do_create(self, options: dict[str, Any]) -> None:
        municipality = municipality_create(
            actor=None,
            slug=options["slug"],
            name=options["name"],
            preset=options["preset"],
            organisation_number=options["organisation_number"],
        )
        number = (
            f", org.nr. {municipality.organisation_number}"
            if municipality.organisation_number
            else ""
        )
        self.stdout.write(
            f"Opprettet {municipality.name} ({municipality.slug}) med retningslinjen "
            f"{municipality.preset}{number}. Neste steg: gi kommunikasjonsrådgiveren rollen "
            f"(ordstyrer role grant --municipality {municipality.slug} --user BRUKERNAVN "
            "--role communications)."
        )

    def do_list(self, options: dict[str, Any]) -> None:
        rows = municipalities_overview()
        if not rows:
            self.stdout.write("Ingen kommuner ennå (ordstyrer municipality create).")
            return
        self.stdout.write(
            "kortnavn\tnavn\tretningslinje\torg.nr.\tpersoner\tkommunikasjon\tenheter"
        )
        for row in rows:
            self.stdout.write(
                f"{row.slug}\t{row.name}\t{row.preset}\t{row.organisation_number or '-'}\t"
                f"{row.people}\t{row.communications}\t{row.units}"
            )
