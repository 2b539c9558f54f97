"""How long Meta's refusals are waited out before a platform call is given up.

meta-graph-api §3.4: Meta's call limits (`THROTTLED`: Graph 4/17/32/613/80001/80002, or
the client's own pause) and its temporary block after 368 (`POLICY_BLOCK`, six hours)
are waited out without using up an attempt. Not for ever: a call Meta has kept refusing
for `WAIT_LIMIT` fails as any other, for a person to look, with `waited_out_message`.

One definition for the three that wait: the inbox's replies (DI-1,
`inbox.replies`), the moderation outbox (MO-2, `moderation.outbox`) and publishing's
deliveries (PU-6, `publishing.delivery`); each says from when it counts. Here, not in
`ordstyrer.connectors` beside `ErrorCode`: the message is translated (gettext), and the
connectors import no Django."""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext as _

from ordstyrer.connectors.base import ErrorCode

WAITED_OUT = frozenset({ErrorCode.THROTTLED, ErrorCode.POLICY_BLOCK})
WAIT_LIMIT = timedelta(hours=24)


def waited_out_message(limit: timedelta, error: str) -> str:
    """Why a call Meta kept refusing for `limit` (`WAIT_LIMIT`) was given up; `error` is
    Meta's last answer."""
    return _(
        "Meta avviste kallet i over %(hours)s timer (grensen for antall kall, eller en "
        "midlertidig sperre), så Ordstyrer ga opp. Siste svar fra Meta: %(error)s"
    ) % {"hours": int(limit.total_seconds() // 3600), "error": error}
