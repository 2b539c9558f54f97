"""Response deadlines per municipality preset (DI-1, DI-2).

The policy engine owns the targets (`first_response_hours`, `answer_hours`);
this module turns them into instants. The import of `ordstyrer.policy` is
deferred so the clock itself never depends on the policy engine.
"""

from __future__ import annotations

import math
from datetime import datetime
from enum import StrEnum

from ordstyrer.worktime.clock import deadline
from ordstyrer.worktime.config import DEFAULT, WorkCalendar


class ResponseKind(StrEnum):
    FIRST_RESPONSE = "first_response"  # DI-2: acknowledge, say that more will follow
    ANSWER = "answer"  # DI-1: the answer itself


def response_hours(preset_id: str, kind: ResponseKind | str = ResponseKind.ANSWER) -> float:
    """Working hours the preset allows for `kind`; PolicyError (a ValueError) for an
    unknown preset, ValueError for an unknown kind."""
    kind = parse_kind(kind)
    from ordstyrer.policy import load_policy

    targets = load_policy(preset_id).response_targets()
    hours = (
        targets.first_response_hours
        if kind is ResponseKind.FIRST_RESPONSE
        else targets.answer_hours
    )
    if isinstance(hours, bool) or not isinstance(hours, int | float) or not math.isfinite(hours):
        raise ValueError(
            f"Forhåndsinnstillingen {preset_id!r} har en ugyldig svarfrist: {hours!r}."
        )
    return float(hours)


def response_deadline(
    *,
    preset_id: str,
    received: datetime,
    kind: ResponseKind | str = ResponseKind.ANSWER,
    calendar: WorkCalendar = DEFAULT,
) -> datetime:
    """When an item received at `received` must have its first response or answer,
    counted in the calendar's working time (Europe/Oslo)."""
    return deadline(received, response_hours(preset_id, kind), calendar)


def parse_kind(value: ResponseKind | str) -> ResponseKind:
    try:
        return ResponseKind(value)
    except ValueError:
        choices = " eller ".join(k.value for k in ResponseKind)
        raise ValueError(f"ukjent fristtype {value!r}; bruk {choices}.") from None
