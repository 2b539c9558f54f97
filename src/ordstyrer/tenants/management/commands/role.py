"""`ordstyrer role grant|revoke|list` — who holds which role in a municipality, given by
IT operations (the first communications advisor) or for one unit (docs/deploy.md §7).

    ordstyrer role grant --municipality rennebu --user kari --role communications
    ordstyrer role grant --municipality rennebu --user eva --role unit_leader --unit "Berkåk skole"
    ordstyrer role revoke --municipality rennebu --user kari --role communications
    ordstyrer role revoke --municipality rennebu --user kari --role employee --force
    ordstyrer role list --municipality rennebu

The last active communications advisor keeps the role (CH-3). Taking a person's last
role in the municipality is refused while they are the last active main administrator
of a channel, naming the channels (CH-3); `--force` takes it anyway (they have left),
lists the channels, and their administrators and communications are e-mailed. With
single sign-on, a municipality-wide role of a person who logs in through it follows
their groups at each login; a role for one unit stays. Exit codes: 0 done, 2 unusable arguments or a refusal.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from ordstyrer.core.errors import ServiceError
from ordstyrer.tenants.management.base import OperatorCommand, UsageError
from ordstyrer.tenants.models import Role
from ordstyrer.tenants.selectors import role_assignments
from ordstyrer.tenants.services import role_assign, role_revoke


class Command(OperatorCommand):
    help = "Gi og ta roller i en kommune, og vis hvem som har hvilke (docs/deploy.md §7)."
    prog = "ordstyrer role"
    actions = {
        "grant": "gi en person en rolle i kommunen (eller for én enhet med --unit)",
        "revoke": "ta en rolle fra en person",
        "list": "vis hvem som har hvilke roller i kommunen",
    }

    def add_action(self, name: str, parser: CommandParser) -> None:
        parser.add_argument("--municipality", required=True, metavar="KORTNAVN")
        if name in {"grant", "revoke"}:
            parser.add_argument("--user", required=True, metavar="BRUKERNAVN")
            parser.add_argument(
                "--role", required=True, metavar="ROLLE", help=f"en av: {', '.join(Role.values)}"
            )
            parser.add_argument(
                "--unit", metavar="ENHET", help="bare for denne enheten (ordstyrer unit list)"
            )
        if name == "revoke":
            parser.add_argument(
                "--force",
                action="store_true",
                help=(
                    "ta rollen selv om kanaler da står uten aktiv hovedadministrator "
                    "(CH-3); kanalene listes, og administratorene og kommunikasjon får e-post"
                ),
            )

    def _target(self, options: dict[str, Any]) -> dict[str, Any]:
        municipality = self.municipality(options["municipality"])
        return {
            "municipality": municipality,
            "user": self.user(options["user"]),
            "role": self.role(options["role"]),
            "unit": self.unit(municipality, options.get("unit")),
        }

    @staticmethod
    def _where(target: dict[str, Any]) -> str:
        unit = target["unit"]
        return f"{target['municipality'].name}" + (f", enheten «{unit.name}»" if unit else "")

    def do_grant(self, options: dict[str, Any]) -> None:
        target = self._target(options)
        role_assign(actor=None, **target)
        self.stdout.write(
            f"{target['user'].get_username()} har rollen {target['role']} i {self._where(target)}."
        )

    def do_revoke(self, options: dict[str, Any]) -> None:
        target = self._target(options)
        try:
            outcome = role_revoke(actor=None, force=options["force"], **target)
        except ServiceError as exc:
            if exc.code != "last_main_admin":
                raise
            raise UsageError(
                f"{exc.message} Ingenting er endret. Har personen sluttet, kan du ta rollen "
                "likevel med --force; kanalene blir da flagget, og administratorene og "
                "kommunikasjon får e-post."
            ) from None
        if not outcome:
            raise UsageError(
                f"{target['user'].get_username()} har ikke rollen {target['role']} i "
                f"{self._where(target)}; ingenting er endret."
            )
        self.stdout.write(
            f"{target['user'].get_username()} har ikke lenger rollen {target['role']} i "
            f"{self._where(target)}."
        )
        if outcome.channels_left:
            self.stdout.write(
                "Merk: disse kanalene har ingen aktiv hovedadministrator nå (CH-3); "
                "administratorene og kommunikasjon får e-post. Utnevn en ny under "
                "Kanaler → kanalen → Roller:"
            )
            for channel in outcome.channels_left:
                self.stdout.write(f"  {channel}")

    def do_list(self, options: dict[str, Any]) -> None:
        municipality = self.municipality(options["municipality"])
        rows = role_assignments(municipality=municipality)
        if not rows:
            self.stdout.write(
                f"Ingen har roller i {municipality.name} ennå (ordstyrer role grant)."
            )
            return
        self.stdout.write("brukernavn\tnavn\trolle\tenhet\tstatus")
        for a in rows:
            status = "aktiv" if a.user.is_active else "deaktivert"
            self.stdout.write(
                f"{a.user.get_username()}\t{a.user.get_full_name() or '-'}\t{a.role}\t"
                f"{a.unit.name if a.unit else '-'}\t{status}"
            )
