"""What the operator's commands of `tenants` share (`ordstyrer municipality|unit|role|user`):
subcommands, argparse's complaints and the services' refusals as one Norwegian line on
stderr with exit code 2 and no traceback, and the look-ups of a municipality, unit and
person by the names an operator types."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib.auth import get_user_model
from django.core.management.base import CommandParser

from ordstyrer.core.commands import NorwegianCommand, NorwegianParser, UsageError
from ordstyrer.errors import DomainError
from ordstyrer.tenants.models import Municipality, Role, Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class OperatorCommand(NorwegianCommand):
    """A command with subcommands; `handle` calls `do_<subcommand>(options)`."""

    actions: ClassVar[dict[str, str]]  # subcommand → its help

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(
            dest="action",
            metavar="|".join(self.actions),
            parser_class=NorwegianParser,
            required=True,
        )
        for name, help_text in self.actions.items():
            self.add_action(name, sub.add_parser(name, help=help_text, description=help_text))

    def add_action(self, name: str, parser: CommandParser) -> None:
        raise NotImplementedError

    def handle(self, *args: Any, **options: Any) -> None:
        action: Callable[[dict[str, Any]], None] = getattr(
            self, "do_" + options["action"].replace("-", "_")
        )
        try:
            action(options)
        except DomainError as exc:  # a service refused: it changed nothing
            raise UsageError(str(exc.message) or "forespørselen ble avvist.") from None

    # --- look-ups by what the operator typed ----------------------------------------

    def municipality(self, slug: str) -> Municipality:
        found = Municipality.objects.filter(slug=slug).first()
        if found is None:
            raise UsageError(
                f"Fant ingen kommune med kortnavnet «{slug}» (ordstyrer municipality list)."
            )
        return found

    def user(self, username: str) -> User:
        found = get_user_model().objects.filter(username=username).first()
        if found is None:
            raise UsageError(f"Fant ingen bruker «{username}» (ordstyrer user create).")
        return found

    def unit(self, municipality: Municipality, name: str | None) -> Unit | None:
        if name is None:
            return None
        found = Unit.objects.filter(municipality=municipality, name__iexact=name.strip()).first()
        if found is None:
            raise UsageError(
                f"Fant ingen enhet «{name}» i {municipality.name} "
                f"(ordstyrer unit list --municipality {municipality.slug})."
            )
        return found

    @staticmethod
    def role(value: str) -> str:
        if value not in Role.values:
            raise UsageError(f"Ukjent rolle «{value}». Kjente: {', '.join(Role.values)}.")
        return value
