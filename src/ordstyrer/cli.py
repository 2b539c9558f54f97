"""The `ordstyrer` command.

Pure commands (check, presets, policy, triage, deadline, …) are plain argparse
sub-commands registered by their area's `commands` module and never import
Django, so they start fast and run without a database. Every other name is a
Django management command: `ordstyrer demo-setup` runs `demo_setup`,
`ordstyrer migrate` runs `migrate`, and so on.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

# Defined below the CLI so the libraries need not import it; re-exported here.
from ordstyrer.errors import (
    EXIT_REFUSED,
    EXIT_USAGE,
    MAX_INPUT_BYTES,
    MAX_INPUT_TEXT,
    DomainError,
    NotFound,
    NotPermitted,
    UsageError,
)

# Each module exposes `register(subparsers)`; the handler it sets with
# `set_defaults(handler=...)` returns the process exit code. `triage`
# (`ordstyrer.language.commands`) is registered by `ordstyrer.policy.commands`, which
# hands it the presets: the language library does not import the policy.
COMMAND_MODULES: list[str] = [
    "ordstyrer.worktime.commands",
    "ordstyrer.policy.commands",
    "ordstyrer_fakegraph.commands",
]

__all__ = ["EXIT_USAGE", "MAX_INPUT_BYTES", "MAX_INPUT_TEXT", "UsageError", "build_parser", "main"]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, no traceback, exit 2
        self.exit(EXIT_USAGE, f"{self.prog}: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ordstyrer",
        description="Ordstyrer – kommunens sosiale medier etter kommunens egne retningslinjer.",
        epilog=(
            "Andre kommandoer går til Django: demo-setup, serve, worker, migrate, "
            "municipality, unit, user, role, … (ordstyrer help-django lister dem; "
            "ordstyrer manage NAVN når navnet også er en Ordstyrer-kommando)."
        ),
    )
    subparsers = parser.add_subparsers(dest="command", metavar="KOMMANDO", parser_class=_Parser)
    for dotted in COMMAND_MODULES:
        importlib.import_module(dotted).register(subparsers)
    return parser


def _pure_commands(parser: argparse.ArgumentParser) -> set[str]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return set(action.choices)
    return set()


def run_django(argv: Sequence[str]) -> int:
    """Run a Django management command, `-` in the name read as `_`."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    if argv and argv[0] == "manage":  # `ordstyrer manage check` reaches a shadowed name
        argv = argv[1:]
    name = argv[0].replace("-", "_") if argv else "help"
    if name == "help_django":
        name = "help"
    from config.env import ConfigError

    try:
        if name not in SCHEMA_FREE_COMMANDS and not _schema_ready():
            return EXIT_USAGE
        execute_from_command_line(["ordstyrer", name, *argv[1:]])
    except ConfigError as exc:  # a refused setting: one line, not a traceback
        print(f"ordstyrer: ugyldig oppsett: {exc}", file=sys.stderr)  # noqa: T201
        return EXIT_USAGE
    except DomainError as exc:  # a service refused (not found, no role, a conflict …)
        print(f"ordstyrer {argv[0] if argv else name}: {_refusal(exc)}", file=sys.stderr)  # noqa: T201
        return EXIT_REFUSED
    return 0


def _refusal(exc: DomainError) -> str:
    """A domain error as the one line the CLI prints (ordstyrer.errors)."""
    text = str(exc.message or "")
    if text:
        return text
    if isinstance(exc, NotFound):
        return "fant ikke det du ba om."
    if isinstance(exc, NotPermitted):
        return "du har ikke rollen som trengs for dette."
    return "forespørselen ble avvist."


# Django commands that run without (or to create) the database schema.
SCHEMA_FREE_COMMANDS = frozenset(
    {
        "help",
        "version",
        "migrate",
        "makemigrations",
        "showmigrations",
        "sqlmigrate",
        "squashmigrations",
        "optimizemigration",
        "check",
        "diffsettings",
        "collectstatic",
        "compilemessages",
        "makemessages",
        "test",
        "dbshell",
        "backup",  # restore goes into an empty database; create reports a missing schema
    }
)


def _schema_ready() -> bool:
    """Migrate the embedded default first; elsewhere say in one line what to run."""
    import django
    from django.db import DatabaseError

    django.setup()
    from ordstyrer.core.schema import SchemaOutOfDate, ensure_schema

    try:
        ensure_schema(stdout=sys.stderr)
    except SchemaOutOfDate as exc:
        print(f"ordstyrer: {exc.message}", file=sys.stderr)  # noqa: T201
        return False
    except DatabaseError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"ordstyrer: får ikke kontakt med databasen ({reason}).", file=sys.stderr)  # noqa: T201
        return False
    return True


def main(argv: Sequence[str] | None = None) -> int:
    args_in = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not args_in or args_in[0] in {"-h", "--help"}:
        parser.print_help()
        return 0
    if args_in[0] not in _pure_commands(parser):
        return run_django(args_in)
    args = parser.parse_args(args_in)
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:
        parser.parse_args([args_in[0], "--help"])
        return EXIT_USAGE
    try:
        return handler(args)
    except UsageError as exc:
        print(f"ordstyrer {args_in[0]}: {exc}", file=sys.stderr)  # noqa: T201
        return EXIT_USAGE
    except (RecursionError, MemoryError):
        # A guard behind the commands' own limits: unusable input, never a traceback.
        message = "inndataene er for store eller for dypt nestet til å behandles."
        print(f"ordstyrer {args_in[0]}: {message}", file=sys.stderr)  # noqa: T201
        return EXIT_USAGE
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
