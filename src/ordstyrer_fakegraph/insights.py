"""Basic Page/post and Instagram insights (spec §1.9, §4.6): deterministic made-up numbers."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from ordstyrer_fakegraph.errors import GraphError, bad_param
from ordstyrer_fakegraph.nodes import Ctx, fmt, parse_time
from ordstyrer_fakegraph.store import IgMediaRec, IgUserRec, PageRec, PostRec, Record

PAGE_METRICS = {
    "page_media_view": "Page media views",
    "page_total_media_view_unique": "Unique page media views",
    "page_post_engagements": "Daily Post Engagements",
    "page_follows": "Page follows",
    "page_daily_follows_unique": "Daily new follows",
    "page_views_total": "Daily Total Page Views",
}
POST_METRICS = {
    "post_total_media_view_unique": "Unique post media views",
    "post_reactions_by_type_total": "Reactions by type",
    "post_clicks": "Post clicks",
}
IG_USER_METRICS = {
    m: m
    for m in (
        "reach views accounts_engaged total_interactions likes comments shares saves replies "
        "follows_and_unfollows profile_views profile_links_taps website_clicks follower_count".split()
    )
}
IG_MEDIA_METRICS = {
    m: m for m in "views reach likes comments shares saved total_interactions".split()
}
PERIODS = {"day", "week", "days_28", "month", "lifetime", "total_over_range"}
MAX_WINDOW = timedelta(days=90)


def _number(*parts: str) -> int:
    return int(hashlib.sha256("|".join(parts).encode()).hexdigest()[:6], 16) % 500


def insights(rec: Record, params: dict[str, str], ctx: Ctx) -> dict[str, Any]:
    if isinstance(rec, PageRec):
        allowed = PAGE_METRICS
    elif isinstance(rec, PostRec):
        allowed = POST_METRICS
    elif isinstance(rec, IgUserRec):
        allowed = IG_USER_METRICS
    elif isinstance(rec, IgMediaRec):
        allowed = IG_MEDIA_METRICS
    else:
        raise GraphError(100, None, "(#100) Insights are not available for this object")
    metrics = [m for m in params.get("metric", "").split(",") if m]
    if not metrics:
        raise GraphError(3001, 1504028)
    for m in metrics:
        if m not in allowed:
            raise bad_param(f"The value must be a valid insights metric: {m}")
    period = params.get(
        "period", "day" if not isinstance(rec, PostRec | IgMediaRec) else "lifetime"
    )
    if period not in PERIODS:
        raise bad_param("period must be one of " + ", ".join(sorted(PERIODS)))
    now = ctx.store.now()
    until = parse_time(params["until"]) if "until" in params else now
    since = parse_time(params["since"]) if "since" in params else until - timedelta(days=2)
    if until - since > MAX_WINDOW:
        raise bad_param("There cannot be more than 90 days (7776000 s) between since and until")
    data = []
    for m in metrics:
        if period in {"lifetime", "total_over_range"}:
            values = [{"value": _value(m, rec.id, "total")}]
        else:
            values = []
            day = datetime(since.year, since.month, since.day, 7, tzinfo=since.tzinfo) + timedelta(
                days=1
            )
            while day <= until + timedelta(days=1) and len(values) < 93:
                values.append(
                    {"value": _value(m, rec.id, day.date().isoformat()), "end_time": fmt(day)}
                )
                day += timedelta(days=1)
        data.append(
            {
                "name": m,
                "period": period,
                "values": values,
                "title": allowed[m],
                "description": f"{period}: {allowed[m]}",
                "id": f"{rec.id}/insights/{m}/{period}",
            }
        )
    return {"data": data}


def _value(metric: str, object_id: str, key: str) -> Any:
    if metric == "post_reactions_by_type_total":
        return {
            "like": _number(metric, object_id, key, "like") % 40,
            "love": _number(metric, object_id, key, "love") % 10,
        }
    return _number(metric, object_id, key)
