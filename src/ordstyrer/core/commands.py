"""What the operators' Django commands share (`ordstyrer archive`, `municipality`,
`unit`, `role`, `user`, `api-token`, `corrections-export`, `demo-setup`): argparse's
English complaints and the commands' refusals as one Norwegian line on stderr with exit
code 2 (a `CommandError`'s own code) and no traceback, and a usage line that names the
command as the docs do."""

from __future__ import annotations

import re
import sys
from typing import Any, ClassVar, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ordstyrer.errors import EXIT_USAGE

_MESSAGES = (
    (re.compile(r"the following arguments are required: (.*)"), "mangler {0}"),
    (re.compile(r"unrecognized arguments: (.*)"), "ukjente argumenter: {0}"),
    (re.compile(r"argument (\S+): invalid choice: '([^']*)'.*"), "ugyldig verdi «{1}» for {0}"),
    (re.compile(r"argument (\S+): expected one argument"), "{0} trenger en verdi"),
    (
        re.compile(r"argument (\S+): invalid int value: '([^']*)'"),
        "{0} må være et heltall, ikke «{1}»",
    ),
    (re.compile(r"argument (\S+): (.*)"), "{0}: {1}"),
)


def norwegian(message: str) -> str:
    """argparse's English complaint in Norwegian."""
    for pattern, template in _MESSAGES:
        match = pattern.fullmatch(message.strip())
        if match:
            return template.format(*match.groups())
    return f"ugyldige argumenter ({message})"


class UsageError(CommandError):
    """Unusable arguments or a refusal: one line, exit code 2, nothing changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message, returncode=EXIT_USAGE)


class NorwegianParser(CommandParser):
    """Argparse errors as one Norwegian line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(norwegian(message))


class NorwegianCommand(BaseCommand):
    """A command whose argparse errors and `CommandError`s end as one line on stderr,
    `<prog>: <reason>`, with the error's exit code and no traceback; called from code
    (`call_command`) the error is raised instead. The usage line names the command as
    `prog` does."""

    # "ordstyrer archive", "ordstyrer api-token": the start of every error line and of
    # the usage line, as the docs and the command line spell it.
    prog: ClassVar[str]

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # Django is handed the name with `_` for `-` (`cli.run_django`): the usage line
        # would say `ordstyrer api_token`, a name the operator cannot type.
        program, _sep, name = self.prog.partition(" ")
        parser = super().create_parser(program, name, **kwargs)
        parser.error = NorwegianParser.error.__get__(parser)  # type: ignore[method-assign]
        return parser

    def run_from_argv(self, argv: list[str]) -> None:
        try:
            super().run_from_argv(argv)
        except CommandError as exc:  # argparse's errors come before execute()
            self.stderr.write(f"{self.prog}: {exc}")
            sys.exit(exc.returncode)

    def execute(self, *args: Any, **options: Any) -> str | None:
        try:
            return super().execute(*args, **options)
        except CommandError as exc:
            if getattr(self, "_called_from_command_line", False):
                self.stderr.write(f"{self.prog}: {exc}")
                sys.exit(exc.returncode)
            raise
