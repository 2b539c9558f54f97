"""`ordstyrer deadline`: a response deadline in Norwegian working time (DI-1).

Pure command: no Django, no database.
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from datetime import UTC, datetime
from pathlib import Path

from ordstyrer.errors import UsageError
from ordstyrer.jsonsafe import TooBig, read_bounded
from ordstyrer.worktime.config import DEFAULT, OSLO, WorkCalendar
from ordstyrer.worktime.targets import ResponseKind, parse_kind, response_deadline

# The years a received time may fall in (issue #18: 9999-12-31 overflowed, 0001-01-01
# came out with Oslo's local mean time +00:43); the holiday tables cover these.
FIRST_YEAR, LAST_YEAR = 1900, 2100
CALENDAR_MAX_BYTES = 1024 * 1024  # a calendar is a few hundred bytes; read bounded


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "deadline",
        help="svarfrist i norsk arbeidstid (DI-1)",
        description=(
            "Skriver ut fristen for første svar eller endelig svar som ISO 8601 med "
            "UTC-forskyvning, regnet i arbeidstid (Europe/Oslo; helger og helligdager "
            "teller ikke)."
        ),
    )
    parser.add_argument(
        "--preset", required=True, metavar="ID", help="kommunens forhåndsinnstilling"
    )
    parser.add_argument(
        "--received",
        required=True,
        metavar="ISO-8601",
        help="mottatt, f.eks. 2026-04-02T10:00+02:00 (uten forskyvning: norsk lokaltid)",
    )
    parser.add_argument(
        "--kind",
        default=ResponseKind.ANSWER.value,
        metavar="|".join(k.value for k in ResponseKind),
        help="hvilken frist (standard: answer)",
    )
    parser.add_argument(
        "--calendar",
        metavar="FIL.toml",
        help="egen arbeidstidskalender (se docs/worktime.md); standard 08:00–15:30",
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    try:
        kind = parse_kind(args.kind)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    received = parse_received(args.received)
    calendar = load_calendar(args.calendar) if args.calendar else DEFAULT
    try:
        due = response_deadline(
            preset_id=args.preset, received=received, kind=kind, calendar=calendar
        )
    except ValueError as exc:  # PolicyError (unknown preset) is a ValueError
        raise UsageError(" ".join(str(exc).split())) from None
    except OverflowError:  # a deadline past the calendar's end
        raise UsageError(f"fristen faller etter år {LAST_YEAR} og kan ikke regnes ut.") from None
    sys.stdout.write(due.isoformat() + "\n")
    return 0


def parse_received(text: str) -> datetime:
    """ISO 8601; without an offset the time is read as Norwegian local time, refusing
    wall times that do not exist or occur twice because of a DST change."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"ugyldig tidspunkt {text!r}; bruk ISO 8601, f.eks. 2026-04-02T10:00+02:00."
        ) from None
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise UsageError(f"tidspunktet {text.strip()} er utenfor årene {FIRST_YEAR}–{LAST_YEAR}.")
    if value.tzinfo is not None:
        return value
    local = value.replace(tzinfo=OSLO)
    if local.astimezone(UTC).astimezone(OSLO).replace(tzinfo=None) != value:
        raise UsageError(f"{text} finnes ikke i norsk tid (overgang til sommertid).")
    if local.utcoffset() != local.replace(fold=1).utcoffset():
        raise UsageError(
            f"{text} forekommer to ganger i norsk tid (overgang til vintertid); "
            "oppgi forskyvning, f.eks. +02:00 eller +01:00."
        )
    return local


def load_calendar(path: str) -> WorkCalendar:
    try:
        with Path(path).open("rb") as fh:
            data = tomllib.loads(read_bounded(fh, CALENDAR_MAX_BYTES).decode("utf-8"))
    except TooBig:
        raise UsageError(f"kalenderfilen {path} er større enn 1 MB.") from None
    except OSError as exc:
        raise UsageError(f"kan ikke lese kalenderfilen {path}: {exc.strerror}.") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"kalenderfilen {path} er ikke gyldig TOML: {exc}.") from None
    try:
        return WorkCalendar.from_mapping(data)
    except ValueError as exc:
        raise UsageError(f"kalenderfilen {path}: {exc}") from None
