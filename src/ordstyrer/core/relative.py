"""Relative times in the console ("for 2 timer siden", "om 3 timer"), always with the
exact time beside them for hover and screen readers (issue #15, item 10)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import formats, timezone
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import gettext as _

JUST_NOW = timedelta(minutes=1)


def exact(when: datetime) -> str:
    """The one Norwegian date format, «5. des. 2026 kl. 17.26», in Oslo time."""
    return formats.date_format(timezone.localtime(when), "SHORT_DATETIME_FORMAT")


def relative(when: datetime, now: datetime) -> str:
    """«for 2 timer siden» / «om 3 timer» / «nå»: the largest unit only."""
    if abs(when - now) < JUST_NOW:
        return _("nå")
    if when < now:
        return _("for %(delta)s siden") % {"delta": timesince(when, now, depth=1)}
    return _("om %(delta)s") % {"delta": timeuntil(when, now, depth=1)}
