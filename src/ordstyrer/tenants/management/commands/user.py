"""`ordstyrer user create|deactivate|activate` — local accounts, beside single sign-on
(docs/deploy.md §7).

    ordstyrer user create --username kari --first-name Kari --last-name Nordmann \\
                          --email kari@rennebu.kommune.no [--password-stdin]
    ordstyrer user deactivate --username kari
    ordstyrer user activate --username kari

The password is read from standard input (`--password-stdin`, one line) or asked for
twice on the terminal; it is checked by the installation's password validators and
never echoed, printed or logged. A new account belongs to no municipality until it is
given a role (`ordstyrer role grant`). Deactivating ends the person's sessions and
revokes their API tokens (through `ordstyrer api-token revoke --all`, in the same
transaction); it is never refused, and names the channels left without an active main
administrator (CH-3), whose administrators and communications are e-mailed. Exit codes:
0 done, 2 unusable arguments or a refusal.
"""

from __future__ import annotations

import getpass
import sys
from io import StringIO
from typing import Any, TextIO

from django.core.management import call_command
from django.core.management.base import CommandParser
from django.db import transaction

from ordstyrer.tenants.management.base import OperatorCommand, UsageError
from ordstyrer.tenants.selectors import municipalities_left_without_communications
from ordstyrer.tenants.services import user_activate, user_create, user_deactivate

# A password is a line, not a file: more than this is refused rather than read.
MAX_PASSWORD_CHARS = 4096


class Command(OperatorCommand):
    help = "Lag, deaktiver og aktiver lokale brukerkontoer (docs/deploy.md §7)."
    prog = "ordstyrer user"
    actions = {
        "create": "lag en lokal brukerkonto (passordet leses fra standard inn eller spørres om)",
        "deactivate": "steng en person ute: innlogging, økter og API-nøkler",
        "activate": "slipp en deaktivert person inn igjen",
    }
    # Tests hand `call_command` a stream instead of the process's standard input.
    stealth_options = ("stdin",)

    def add_action(self, name: str, parser: CommandParser) -> None:
        parser.add_argument("--username", required=True, metavar="BRUKERNAVN")
        if name == "create":
            parser.add_argument("--first-name", required=True, metavar="FORNAVN")
            parser.add_argument("--last-name", required=True, metavar="ETTERNAVN")
            parser.add_argument("--email", required=True, metavar="E-POST")
            parser.add_argument(
                "--password-stdin",
                action="store_true",
                help="les passordet (én linje) fra standard inn i stedet for å spørre",
            )

    def _password(self, options: dict[str, Any]) -> str:
        stdin: TextIO = options.get("stdin") or sys.stdin
        if options["password_stdin"]:
            line = stdin.readline(MAX_PASSWORD_CHARS + 1)
            if len(line) > MAX_PASSWORD_CHARS:
                raise UsageError(f"Passordet er lengre enn {MAX_PASSWORD_CHARS} tegn.")
            password = line.rstrip("\r\n")
            if not password:
                raise UsageError("Fikk ikke noe passord på standard inn.")
            return password
        if not stdin.isatty():
            raise UsageError(
                "Standard inn er ikke en terminal: send passordet med --password-stdin."
            )
        try:
            first = getpass.getpass("Passord: ")
            again = getpass.getpass("Passord igjen: ")
        except (EOFError, KeyboardInterrupt):
            raise UsageError("Avbrutt; ingen konto er laget.") from None
        if first != again:
            raise UsageError("Passordene er ikke like; ingen konto er laget.")
        return first

    def do_create(self, options: dict[str, Any]) -> None:
        user = user_create(
            actor=None,
            username=options["username"],
            first_name=options["first_name"],
            last_name=options["last_name"],
            email=options["email"],
            password=self._password(options),
        )
        self.stdout.write(
            f"Laget brukeren {user.get_username()} ({user.get_full_name()}). Gi den en rolle: "
            f"ordstyrer role grant --municipality KORTNAVN --user {user.get_username()} "
            "--role ROLLE"
        )

    def do_deactivate(self, options: dict[str, Any]) -> None:
        user = self.user(options["username"])
        tokens = StringIO()
        with transaction.atomic():
            outcome = user_deactivate(actor=None, user=user)
            if not outcome:
                raise UsageError(f"{user.get_username()} er allerede deaktivert.")
            # The API's own operator door (api.tokens cannot be imported from here: apps
            # import downwards only, .importlinter). A token of an inactive person is
            # refused anyway; revoking makes a later reactivation not bring it back.
            call_command(
                "api_token", "revoke", "--all", "--user", user.get_username(), stdout=tokens
            )
        self.stdout.write(
            f"{user.get_username()} er deaktivert: kan ikke logge inn, øktene er avsluttet. "
            f"{tokens.getvalue().strip()}"
        )
        # CH-3: say where nobody is left to run the channels (the role itself stays).
        for place in municipalities_left_without_communications(user=user):
            self.stdout.write(
                f"Merk: {place.name} har ingen aktiv kommunikasjonsrådgiver nå. Gi rollen "
                f"til en annen: ordstyrer role grant --municipality {place.slug} "
                "--user BRUKERNAVN --role communications"
            )
        # CH-3: the channels left without an active main administrator (mailed, too).
        for channel in outcome.channels_left:
            self.stdout.write(
                f"Merk: kanalen {channel} i {channel.municipality.name} har ingen aktiv "
                "hovedadministrator nå; administratorene og kommunikasjon får e-post. Utnevn "
                "en ny under Kanaler → kanalen → Roller."
            )

    def do_activate(self, options: dict[str, Any]) -> None:
        user = self.user(options["username"])
        if not user_activate(actor=None, user=user):
            raise UsageError(f"{user.get_username()} er allerede aktiv.")
        self.stdout.write(
            f"{user.get_username()} er aktiv igjen, med rollene og passordet fra før. "
            "API-nøklene er fortsatt trukket tilbake."
        )
