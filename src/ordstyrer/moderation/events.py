"""Moderation entries in the inbox item's timeline (`inbox.models.ItemEvent`).

The inbox shows an event's label from `EVENT_LABELS`, falling back to its code; the
moderation codes are added there once, from `ModerationConfig.ready`.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

LABELS = {
    "mod_hide": _("Skjult (moderering)"),
    "mod_unhide": _("Vist igjen (moderering)"),
    "mod_delete_requested": _("Sletting foreslått – venter på godkjenning"),
    "mod_delete": _("Sletting bestemt og arkivert (MO-1, MO-2)"),
    "mod_delete_rejected": _("Sletting avvist"),
    "mod_ban": _("Forfatteren utestengt (MO-1)"),
    "mod_unban": _("Utestenging opphevet"),
    "mod_flag": _("Flagget for moderering (automatisk regel)"),
    "mod_platform_done": _("Utført på plattformen"),
    "mod_platform_failed": _("Plattformen utførte ikke handlingen"),
    "mod_notice": _("Beskjed sendt til forfatteren (MO-4)"),
    "mod_notice_retry": _("Beskjeden til forfatteren sendes på nytt (MO-4)"),
    "mod_notice_by_hand": _("Beskjeden gitt forfatteren på en annen måte (MO-4)"),
}


def register_labels() -> None:
    from ordstyrer.inbox.models import EVENT_LABELS

    for code, label in LABELS.items():
        EVENT_LABELS.setdefault(code, label)
