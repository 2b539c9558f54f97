"""Automatic rules: hide or flag a newly triaged comment — never delete (MO-1; HS-02).

"An automatic classifier may *hide or flag* a comment; a human editor decides on
deletion" (norwegian-standards §4.1, HS-02). A rule names a triage category and an
action, `hide` or `flag`; nothing else is accepted, and the deletion services refuse an
actor that is not a person. By default every municipality flags the categories the
guidelines treat as deletion candidates; hiding automatically is its own choice.

The `moderation.auto` sweep looks at each newly triaged comment once, claimed by
inserting its `AutoCheck` row.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ordstyrer.core.errors import ServiceError, lazy_interpolate
from ordstyrer.inbox.models import InboxItem
from ordstyrer.inbox.transitions import lock_item
from ordstyrer.inbox.triage import CATEGORY_LABELS, category_label, category_labels
from ordstyrer.moderation.actions import (
    MODERATED_KINDS,
    audit,
    log_item,
    moderated_kind,
    new_action,
    settings_for,
)
from ordstyrer.moderation.models import ActionKind, ActionStatus, AutoCheck, ModerationAction
from ordstyrer.moderation.services import hide_by_rule
from ordstyrer.tenants.models import Municipality

logger = logging.getLogger("ordstyrer.moderation")

AUTO_ACTIONS = ("hide", "flag")
WINDOW = timedelta(days=2)
BATCH = 200


def validate_rules(rules: Any) -> list[dict[str, str]]:
    """The rules as stored; refuses anything but hide/flag on a known category."""
    if not isinstance(rules, list):
        raise ServiceError(gettext_lazy("Reglene må være en liste."))
    clean: list[dict[str, str]] = []
    seen = set()
    for rule in rules:
        if not isinstance(rule, dict):
            raise ServiceError(gettext_lazy("Hver regel må ha en kategori og en handling."))
        category, action = str(rule.get("category", "")), str(rule.get("action", ""))
        if action not in AUTO_ACTIONS:
            raise ServiceError(
                gettext_lazy(
                    "En automatisk regel kan bare skjule eller flagge en kommentar. Sletting og "
                    "utestenging er for høy terskel for en maskin: bare en person kan gjøre det "
                    "(MO-1)."
                ),
                rule="MO-1",
                code="auto_delete",
            )
        if category not in CATEGORY_LABELS:
            raise ServiceError(
                lazy_interpolate(gettext_lazy("Ukjent kategori «%(c)s»."), {"c": category})
            )
        if (category, action) not in seen:
            seen.add((category, action))
            clean.append({"category": category, "action": action})
    return clean


def auto_moderate(*, item: InboxItem, rules: list[dict[str, str]], now: datetime) -> list[str]:
    """Apply the rules that match any of the item's triage labels; returns what was done."""
    matching = matching_rules(item, rules)
    # A citizen's follow-up folded into a conversation (not `listed`) is a comment on the
    # platform like any other (PU-1): only the page's own comments, removed ones and what
    # is not on the platform to moderate (a message, an employee's report) are left alone.
    if not matching or item.from_page or item.removed_at is not None or not moderated_kind(item):
        return []
    done: list[str] = []
    if "hide" in matching and not item.hidden:
        label = category_label(matching["hide"])
        try:
            hide_by_rule(
                item=item, rule=_("Automatisk regel: skjul «%(c)s»") % {"c": label}, now=now
            )
            done.append("hide")
        except ServiceError:  # already hidden, or gone: nothing to do
            pass
    with transaction.atomic():
        item = lock_item(item)
        if _flag_worthy(item):
            # The rule as codes (read in the console's language by `rule_text`); the
            # justification and the item's history as the worker says it.
            flagged = matching.get("flag") or matching["hide"]
            rule = rule_code("flag", flagged)
            text = _("Automatisk regel: flagg «%(c)s»") % {"c": category_label(flagged)}
            action = new_action(
                item=item,
                kind=ActionKind.FLAG,
                status=ActionStatus.DONE,
                actor=None,
                now=now,
                justification=text,
                automatic=True,
                rule=rule,
            )
            ModerationAction.objects.filter(pk=action.pk).update(finished_at=now)
            log_item(
                item,
                "mod_flag",
                actor=None,
                now=now,
                text=text,
                data={"action_id": action.pk, "rule": rule},
            )
            audit(action, "flag", actor=None, rule=rule)
            done.append("flag")
    return done


def matching_rules(item: InboxItem, rules: list[dict[str, str]]) -> dict[str, str]:
    """Action → the category of the rule that matched, for every rule whose category is
    one of the item's labels (`categories`, and `category`, the top one): a comment
    labelled hate speech and harassment, harassment on top, is hidden by a rule that
    hides hate speech (MO-1). The top label's rule first, then the labels' order."""
    wanted = {(r["action"], r["category"]) for r in validate_rules(rules)}
    labels = [item.category, *(c for c in item.categories or () if c != item.category)]
    matching: dict[str, str] = {}
    for category in labels:
        for action in AUTO_ACTIONS:
            if (action, category) in wanted:
                matching.setdefault(action, category)
    return matching


def rule_code(action: str, category: str) -> str:
    """An automatic rule as stored on its action: «flag:hate_speech», in no language."""
    return f"{action}:{category}"


# Rules stored before `rule_code` (and a hide, whose rule is also its justification: see
# `hide_by_rule`) hold the sentence in the worker's language: «Automatisk regel: flagg
# «Hatefulle ytringer»» (nb, nn) or «Automatic rule: flag “Hate speech”» (en).
_SENTENCE = re.compile(
    r"^(?:Automatisk regel|Automatic rule):\s*(?P<verb>skjul|flagg|hide|flag)\s*"
    r"[«“\"](?P<label>.+)[»”\"]$"
)
_VERBS = {"skjul": "hide", "hide": "hide", "flagg": "flag", "flag": "flag"}
_PREFIX = re.compile(r"^(?:Automatisk regel|Automatic rule):\s*")


def _parse_rule(stored: str) -> tuple[str, str] | None:
    """(action, category) of a stored rule, codes or an old sentence; None if unknown."""
    action, _sep, category = stored.partition(":")
    if action in AUTO_ACTIONS and category in CATEGORY_LABELS:
        return action, category
    match = _SENTENCE.match(stored.strip())
    if match is None:
        return None
    label = match["label"]
    for lang in ("nb", "nn", "en"):
        for code, known in category_labels(lang).items():
            if known == label:
                return _VERBS[match["verb"]], code
    return None


def rule_text(stored: str) -> str:
    """The automatic rule as the console says it, in its language, whatever language it
    was stored in: «Automatisk regel: flagg «Hatefulle ytringer»» (MO-1)."""
    parsed = _parse_rule(stored or "")
    if parsed is None:
        # A rule this version cannot read: as stored, with the prefix said once.
        rest = _PREFIX.sub("", (stored or "").strip())
        return f"{_('Automatisk regel')}: {rest}" if rest else _("Automatisk regel")
    action, category = parsed
    label = category_label(category)
    if action == "hide":
        return _("Automatisk regel: skjul «%(c)s»") % {"c": label}
    return _("Automatisk regel: flagg «%(c)s»") % {"c": label}


def _flag_worthy(item: InboxItem) -> bool:
    """Flag once, and not what a person has already dealt with."""
    return (
        not ModerationAction.objects.filter(item=item)
        .filter(Q(automatic=False) | Q(kind=ActionKind.FLAG))
        .exists()
    )


def _new_items(municipality_id: int, since: datetime, limit: int) -> list[InboxItem]:
    # Per municipality, so the work list's (municipality, received_at) index does the work.
    # Only what is on the platform to hide: not a message, not an employee's report (DI-11).
    # A follow-up the triage finds harmful or holding personal data is listed on arrival
    # (`inbox.ingest.NEEDS_ATTENTION`), so it is read here like any comment.
    return list(
        InboxItem.objects.filter(
            municipality_id=municipality_id,
            listed=True,
            received_at__gte=since,
            from_page=False,
            triaged_at__isnull=False,
            removed_at__isnull=True,
            kind__in=MODERATED_KINDS,
            moderation_auto_check__isnull=True,
        )
        .select_related("municipality", "channel__municipality")
        .order_by("received_at", "pk")[:limit]
    )


def auto_sweep(*, now: datetime, limit: int = BATCH) -> int:
    """Look at each newly triaged citizen comment once; returns how many were looked at."""
    looked = 0
    for municipality_id in Municipality.objects.order_by("pk").values_list("pk", flat=True):
        rules: list[dict[str, str]] | None = None
        for item in _new_items(municipality_id, now - WINDOW, limit - looked):
            try:
                with transaction.atomic():
                    check = AutoCheck.objects.create(item=item, checked_at=now)
            except IntegrityError:  # another worker took it
                continue
            looked += 1
            if rules is None:
                rules = list(settings_for(item.municipality).auto_rules)
            try:
                done = auto_moderate(item=item, rules=rules, now=now)
            except ServiceError as exc:
                done = []
                logger.warning(
                    "automatic moderation refused",
                    extra={"item_id": item.pk, "error": str(exc.message)},
                )
            AutoCheck.objects.filter(pk=check.pk).update(outcome=",".join(done) or "none")
        if looked >= limit:
            break
    return looked
