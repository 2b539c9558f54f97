"""The inbox's periodic sweeps, run by every worker (`core.worker`).

Each sweep claims its rows with a compare-and-set update, so several workers on
several machines may run them at the same moment without a double notice:

- `deadlines_sweep`: stamps each item's reminder and passed deadline once (DI-1,
  CH-5); what they mean for people goes out in one daily digest per person
  (`digest.digest_sweep`, #15), not one e-mail per item;
- `policy_sweep`: recomputes open items' deadlines when a municipality's policy
  changed (DI-1 targets are policy parameters);
- `polls_sweep` (in `polling.py`) and `replies_retry_sweep` (in `replies.py`).
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q

from ordstyrer.core.worker import Sweep
from ordstyrer.inbox.models import InboxItem, PolicyMark
from ordstyrer.inbox.transitions import (
    CLOCK_FIELDS,
    calendar_for,
    policy_state,
    set_deadlines,
)
from ordstyrer.tenants.models import Municipality, PolicyVersion

BATCH = 500
DEADLINE_SWEEP_SECONDS = 60.0
POLICY_SWEEP_SECONDS = 60.0
POLL_SWEEP_SECONDS = 15.0
RETRY_SWEEP_SECONDS = 15.0
DIGEST_SWEEP_SECONDS = 300.0


def _not_sent_for(field: str) -> Q:
    """The notice recorded in `field` was not for the item's current deadline."""
    return Q(**{f"{field}__isnull": True}) | ~Q(**{field: F("due_at")})


def deadlines_sweep(*, now: datetime) -> int:
    """Stamp reminders and passed deadlines once each; returns how many this worker
    claimed. (The e-mail about them is the daily digest's.)"""
    claimed = 0
    for field, due_filter in (
        ("warned_for", Q(warn_at__lte=now, due_at__gt=now)),
        ("overdue_noticed_for", Q(due_at__lte=now)),
    ):
        candidates = (
            InboxItem.objects.filter(open=True, listed=True)
            .filter(due_filter)
            .filter(_not_sent_for(field))
            .values_list("pk", "due_at")
            .order_by("due_at")[:BATCH]
        )
        for pk, due in list(candidates):
            with transaction.atomic():
                won = (
                    InboxItem.objects.filter(pk=pk, open=True, due_at=due)
                    .filter(_not_sent_for(field))
                    .update(**{field: due})
                )
                if won:
                    claimed += 1
    return claimed


def policy_sweep(*, now: datetime) -> int:
    """Recompute open deadlines of municipalities whose policy version moved on."""
    latest = dict(
        PolicyVersion.objects.values("municipality")
        .annotate(n=Max("number"))
        .values_list("municipality", "n")
    )
    marks = dict(PolicyMark.objects.values_list("municipality_id", "policy_version"))
    recomputed = 0
    for municipality_id, number in latest.items():
        seen = marks.get(municipality_id)
        if seen == number:
            continue
        with transaction.atomic():
            if seen is None:
                try:
                    with transaction.atomic():
                        PolicyMark.objects.create(
                            municipality_id=municipality_id, policy_version=number
                        )
                except IntegrityError:  # another worker claimed it
                    continue
            elif not PolicyMark.objects.filter(
                municipality_id=municipality_id, policy_version=seen
            ).update(policy_version=number):
                continue
        recomputed += recompute_deadlines(municipality=Municipality.objects.get(pk=municipality_id))
    return recomputed


def recompute_deadlines(*, municipality: Municipality) -> int:
    """Open items' deadlines under the municipality's current policy (DI-1)."""
    _policy, targets, version = policy_state(municipality)
    calendar = calendar_for(municipality)
    stale = InboxItem.objects.filter(municipality=municipality, open=True, listed=True).exclude(
        deadline_policy_version=version
    )
    done = 0
    while True:
        with transaction.atomic():
            chunk = list(stale.select_for_update().order_by("pk")[:BATCH])
            if not chunk:
                return done
            for item in chunk:
                set_deadlines(item, targets=targets, calendar=calendar, version=version)
                item.deadline_policy_version = version
            InboxItem.objects.bulk_update(chunk, list(CLOCK_FIELDS))
            done += len(chunk)


def sweep_deadlines(*, now: datetime) -> int:
    return deadlines_sweep(now=now)


def sweep_digests(*, now: datetime) -> int:
    from ordstyrer.inbox.digest import digest_sweep

    return digest_sweep(now=now)


def sweep_policy(*, now: datetime) -> int:
    return policy_sweep(now=now)


def sweep_polls(*, now: datetime) -> int:
    from ordstyrer.inbox.polling import polls_sweep

    return polls_sweep(now=now)


def sweep_reply_retries(*, now: datetime) -> int:
    from ordstyrer.inbox.replies import replies_retry_sweep

    return replies_retry_sweep(now=now)


SWEEPS = (
    Sweep("inbox.deadlines", sweep_deadlines, every=DEADLINE_SWEEP_SECONDS),
    Sweep("inbox.digests", sweep_digests, every=DIGEST_SWEEP_SECONDS),
    Sweep("inbox.policy", sweep_policy, every=POLICY_SWEEP_SECONDS),
    Sweep("inbox.polls", sweep_polls, every=POLL_SWEEP_SECONDS),
    Sweep("inbox.reply_retries", sweep_reply_retries, every=RETRY_SWEEP_SECONDS),
)
