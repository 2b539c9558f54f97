"""`ordstyrer unit create|list` — a municipality's units (school, kindergarten, nursing
home, …), to which unit roles and channels belong.

    ordstyrer unit create --municipality rennebu --name "Berkåk skole"
    ordstyrer unit list --municipality rennebu

Exit codes: 0 done, 2 unusable arguments or a refusal (one line on stderr).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from ordstyrer.tenants.management.base import OperatorCommand
from ordstyrer.tenants.selectors import units_of
from ordstyrer.tenants.services import unit_create


class Command(OperatorCommand):
    help = "Opprett en kommunes enheter (skole, barnehage, sykehjem …) og vis dem."
    prog = "ordstyrer unit"
    actions = {"create": "opprett en enhet", "list": "vis kommunens enheter"}

    def add_action(self, name: str, parser: CommandParser) -> None:
        parser.add_argument("--municipality", required=True, metavar="KORTNAVN")
        if name == "create":
            parser.add_argument("--name", required=True, metavar="NAVN", help="Berkåk skole")

    def do_create(self, options: dict[str, Any]) -> None:
        municipality = self.municipality(options["municipality"])
        unit = unit_create(actor=None, municipality=municipality, name=options["name"])
        self.stdout.write(f"Opprettet enheten «{unit.name}» i {municipality.name}.")

    def do_list(self, options: dict[str, Any]) -> None:
        municipality = self.municipality(options["municipality"])
        units = units_of(municipality=municipality)
        if not units:
            self.stdout.write(f"{municipality.name} har ingen enheter ennå.")
        for unit in units:
            self.stdout.write(unit.name)
