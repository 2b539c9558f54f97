"""`ordstyrer api-token create|revoke` — the operator's door to API tokens (api.md).

ordstyrer api-token create --municipality SLUG --user NAME [--scopes a,b] [--days N]
    prints what was made, and the token alone on the last line (shown once).
ordstyrer api-token revoke ID
ordstyrer api-token revoke --all --user NAME
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser

from ordstyrer.api.tokens import (
    DEFAULT_DAYS,
    SCOPES,
    api_token_create,
    api_token_revoke,
    api_tokens_revoke_all,
    parse_scopes,
)
from ordstyrer.core.commands import NorwegianCommand, NorwegianParser
from ordstyrer.core.errors import ServiceError
from ordstyrer.tenants.models import Municipality

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class Command(NorwegianCommand):
    help = "Lag eller trekk tilbake API-nøkler (docs/api.md)."
    prog = "ordstyrer api-token"

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(
            dest="action", metavar="create|revoke", parser_class=NorwegianParser, required=True
        )
        create = actions.add_parser(
            "create", help="lag en API-nøkkel", description="lag en API-nøkkel"
        )
        create.add_argument(
            "--municipality", required=True, metavar="KORTNAVN", help="kommunens kortnavn"
        )
        create.add_argument(
            "--user", required=True, metavar="BRUKERNAVN", help="personen nøkkelen gjelder for"
        )
        create.add_argument(
            "--scopes",
            metavar="A,B",
            help=f"kommaseparert: {', '.join(SCOPES)} (standard: alt rollene gir)",
        )
        create.add_argument(
            "--days",
            type=int,
            default=DEFAULT_DAYS,
            metavar="DAGER",
            help=f"levetid i dager (standard: {DEFAULT_DAYS})",
        )
        create.add_argument("--name", default="", metavar="NAVN", help="hva nøkkelen brukes til")
        revoke = actions.add_parser(
            "revoke", help="trekk tilbake en API-nøkkel", description="trekk tilbake en API-nøkkel"
        )
        revoke.add_argument("id", nargs="?", metavar="ID", help="nøkkelens id eller nummer")
        revoke.add_argument("--all", action="store_true", help="alle nøklene til --user")
        revoke.add_argument("--user", metavar="BRUKERNAVN", help="personen, med --all")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "create":
                self._create(options)
            else:
                self._revoke(options)
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from None

    def _user(self, name: str) -> User:
        user = get_user_model().objects.filter(username=name).first()
        if user is None:
            raise CommandError(f"Fant ingen bruker «{name}».")
        return user

    def _create(self, options: dict[str, Any]) -> None:
        municipality = Municipality.objects.filter(slug=options["municipality"]).first()
        if municipality is None:
            raise CommandError(f"Fant ingen kommune med kortnavn «{options['municipality']}».")
        token, secret = api_token_create(
            actor=None,
            user=self._user(options["user"]),
            municipality=municipality,
            scopes=parse_scopes(options.get("scopes")),
            days=options["days"],
            name=options.get("name") or "",
        )
        self.stdout.write(
            f"API-nøkkel {token.prefix} (nr. {token.pk}) for {token.user.get_username()} i "
            f"{municipality.name}, tilganger: {' '.join(token.scopes)}, utløper "
            f"{token.expires_at:%Y-%m-%d}. Den vises bare nå:"
        )
        self.stdout.write(secret)

    def _revoke(self, options: dict[str, Any]) -> None:
        if options["all"]:
            if options.get("id") or not options.get("user"):
                raise CommandError("Bruk enten ID eller --all --user BRUKERNAVN.")
            count = api_tokens_revoke_all(actor=None, user=self._user(options["user"]))
            self.stdout.write(f"Trakk tilbake {count} API-nøkler.")
            return
        if not options.get("id"):
            raise CommandError("Oppgi nøkkelens id, eller --all --user BRUKERNAVN.")
        token = api_token_revoke(actor=None, token_id=options["id"])
        self.stdout.write(f"API-nøkkel {token.prefix} er trukket tilbake.")
