"""`ordstyrer sso map-group|unmap-group|list` — group → role mappings for IT operations."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from ordstyrer.core.errors import ServiceError
from ordstyrer.sso.models import GroupRoleMapping
from ordstyrer.sso.services import group_map, group_unmap
from ordstyrer.tenants.models import Municipality, Role

# Each subcommand and what it does, for `--help`.
ACTIONS = {
    "map-group": "gi medlemmene av en gruppe hos identitetsleverandøren en rolle i kommunen",
    "unmap-group": "fjern koblingen mellom en gruppe og en rolle",
    "list": "vis kommunens koblinger: gruppe og rolle",
}


class Command(BaseCommand):
    help = (
        "Koble grupper hos identitetsleverandøren (OpenID Connect, f.eks. Entra ID) til "
        "roller i en kommune."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", metavar="|".join(ACTIONS), required=True)
        for name in ("map-group", "unmap-group"):
            p = sub.add_parser(name, help=ACTIONS[name], description=ACTIONS[name])
            p.add_argument(
                "--municipality", required=True, metavar="KORTNAVN", help="kommunens kortnavn"
            )
            p.add_argument(
                "--group", required=True, metavar="GRUPPE", help="gruppens navn eller objekt-ID"
            )
            p.add_argument(
                "--role",
                required=True,
                choices=Role.values,
                metavar="ROLLE",
                help=f"en av: {', '.join(Role.values)}",
            )
        p = sub.add_parser("list", help=ACTIONS["list"], description=ACTIONS["list"])
        p.add_argument(
            "--municipality", required=True, metavar="KORTNAVN", help="kommunens kortnavn"
        )

    def handle(self, *args, action, municipality, **options):
        try:
            place = Municipality.objects.get(slug=municipality)
        except Municipality.DoesNotExist:
            raise CommandError(f"Fant ingen kommune med kortnavnet «{municipality}».") from None
        if action == "list":
            for m in GroupRoleMapping.objects.filter(municipality=place):
                self.stdout.write(f"{m.group}\t{m.role}")
            return
        group, role = options["group"], options["role"]
        if action == "map-group":
            try:
                group_map(actor=None, municipality=place, group=group, role=role)
            except ServiceError as exc:
                raise CommandError(str(exc.message)) from None
            self.stdout.write(f"Gruppen «{group}» gir rollen {role} i {place.name}.")
            return
        mapping = GroupRoleMapping.objects.filter(
            municipality=place, group=group, role=role
        ).first()
        try:
            removed = mapping is not None and group_unmap(
                actor=None, municipality=place, mapping_id=mapping.pk
            )
        except ServiceError as exc:  # CH-3: it would leave no communications advisor
            raise CommandError(str(exc.message)) from None
        if not removed:
            raise CommandError(f"Gruppen «{group}» var ikke koblet til {role} i {place.name}.")
        self.stdout.write(f"Koblingen «{group}» → {role} i {place.name} er fjernet.")
