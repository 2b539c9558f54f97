"""Moderation by ground and month (MO-1): how often the municipality hid, deleted and
banned, on which of its grounds — for the communications advisor's follow-up of a
guideline whose threshold for deleting is "very high"."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Count
from django.db.models.functions import Coalesce, TruncMonth

from ordstyrer.core.actor import ActorLike
from ordstyrer.core.reports import bar_chart
from ordstyrer.moderation.access import log_channel_ids
from ordstyrer.moderation.grounds import ground_label
from ordstyrer.moderation.models import ActionKind, ActionStatus, ModerationAction
from ordstyrer.tenants.models import Municipality

OSLO = ZoneInfo("Europe/Oslo")
# What left a mark on the platform: done, or done by hand in the platform's own app.
COUNTED_KINDS = (ActionKind.HIDE, ActionKind.DELETE, ActionKind.BAN)
COUNTED_STATUSES = (ActionStatus.DONE, ActionStatus.RECORDED)


@dataclass(frozen=True)
class GroundMonth:
    month: date
    ground: str
    label: str
    hidden: int = 0
    deleted: int = 0
    banned: int = 0

    @property
    def total(self) -> int:
        return self.hidden + self.deleted + self.banned


def moderation_by_ground(
    *, user: ActorLike, municipality: Municipality, since: date, until: date, lang: str = "nb"
) -> list[GroundMonth]:
    """Hides, deletions and bans carried out between `since` and `until` (inclusive,
    Oslo dates), by month and ground, on the channels whose log `user` may read. An
    action without a ground (a hide pending review, say) counts under ground "".

    An action counts when it was carried out (MO-1), not when it was asked for: a
    deletion asked for on 29 May and approved by the second approver on 2 June is one
    of June's. That is `finished_at` (the platform confirmed it, or it was recorded as
    done in the platform's app); where it is missing, the approval, then the request
    stand in."""
    start = datetime.combine(since, time.min, tzinfo=OSLO)
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=OSLO)
    actions = (
        ModerationAction.objects.filter(
            municipality=municipality,
            kind__in=COUNTED_KINDS,
            status__in=COUNTED_STATUSES,
            # Asked for before it was carried out: bounds the read by the request's index.
            requested_at__lt=end,
        )
        .alias(done=Coalesce("finished_at", "approved_at", "requested_at"))
        .filter(done__gte=start, done__lt=end)
    )
    visible = log_channel_ids(user, municipality)
    if visible is not None:
        actions = actions.filter(channel_id__in=visible)
    counts: dict[tuple[date, str], dict[str, int]] = defaultdict(dict)
    rows = (
        actions.annotate(month=TruncMonth("done", tzinfo=OSLO))
        .values("month", "ground", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        month = row["month"].date() if isinstance(row["month"], datetime) else row["month"]
        counts[(month, row["ground"] or "")][row["kind"]] = row["n"]
    return [
        GroundMonth(
            month=month,
            ground=ground,
            label=ground_label(ground, lang) if ground else "",
            hidden=kinds.get(ActionKind.HIDE, 0),
            deleted=kinds.get(ActionKind.DELETE, 0),
            banned=kinds.get(ActionKind.BAN, 0),
        )
        for (month, ground), kinds in sorted(counts.items(), key=lambda kv: (kv[0][0], kv[0][1]))
    ]


def totals_by_ground(rows: list[GroundMonth]) -> list[GroundMonth]:
    """The period's sum per ground, most used first."""
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    labels: dict[str, str] = {}
    for row in rows:
        total = sums[row.ground]
        total[0] += row.hidden
        total[1] += row.deleted
        total[2] += row.banned
        labels[row.ground] = row.label
    out = [
        GroundMonth(month=date.min, ground=g, label=labels[g], hidden=h, deleted=d, banned=b)
        for g, (h, d, b) in sums.items()
    ]
    return sorted(out, key=lambda r: (-r.total, r.ground))


def count_chart(rows: list[GroundMonth]) -> dict[str, Any]:
    """A horizontal bar chart of actions per ground (`core.reports.bar_chart`)."""
    top = max((r.total for r in rows), default=0) or 1
    return bar_chart(
        [(r.label or "–", r.total / top, str(r.total)) for r in rows],
        label_width=190,
        margin=50,
    )
