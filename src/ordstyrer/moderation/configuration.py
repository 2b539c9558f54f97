"""A municipality's moderation settings: second approver, notice, automatic rules.

Changed by communications or the chief administrator (the `manage_policy` need, like
the policy itself), audited with the before and after.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from ordstyrer.core.actor import ActorLike
from ordstyrer.core.audit import audit_record
from ordstyrer.core.errors import ServiceError, lazy_interpolate
from ordstyrer.core.permissions import require
from ordstyrer.core.services import person
from ordstyrer.moderation.actions import settings_for
from ordstyrer.moderation.auto import validate_rules
from ordstyrer.moderation.models import ModerationSettings, NoticeDelivery
from ordstyrer.tenants.models import Municipality
from ordstyrer.tenants.selectors import policy_for

FIELDS = (
    "second_approver",
    "notify_author",
    "notice_delivery",
    "complaint_address",
    "auto_rules",
)
MAX_CONTACT = 200


def moderation_settings_update(
    *,
    actor: ActorLike,
    municipality: Municipality,
    second_approver: bool,
    notify_author: bool,
    notice_delivery: str,
    auto_rules: list[dict[str, str]],
    complaint_address: str | None = None,
) -> ModerationSettings:
    """Save the settings. MO-4 (Indre Fosen) keeps the notice on whatever is asked;
    automatic rules may only hide or flag (MO-1, HS-02). `complaint_address` is where the
    notice says to complain (None: unchanged); the website the notice names is the
    municipality's identity (`municipality_identity_update`), not a setting here."""
    contacts = {}
    if complaint_address is not None:
        value = " ".join(str(complaint_address).split())
        if len(value) > MAX_CONTACT:
            raise ServiceError(
                lazy_interpolate(gettext_lazy("Høyst %(n)s tegn."), {"n": MAX_CONTACT})
            )
        contacts["complaint_address"] = value
    require(actor, municipality, "manage_policy")
    if notice_delivery not in NoticeDelivery.values:
        raise ServiceError(gettext_lazy("Ukjent måte å sende beskjeden på."))
    rules = validate_rules(auto_rules)
    if policy_for(municipality=municipality).applies("MO-4"):
        notify_author = True
    with transaction.atomic():
        settings = settings_for(municipality)
        settings = ModerationSettings.objects.select_for_update().get(pk=settings.pk)
        before = {name: getattr(settings, name) for name in FIELDS}
        settings.second_approver = bool(second_approver)
        settings.notify_author = bool(notify_author)
        settings.notice_delivery = notice_delivery
        settings.auto_rules = rules
        for name, value in contacts.items():
            setattr(settings, name, value)
        settings.updated_by = person(actor)
        settings.updated_at = timezone.now()
        settings.save()
        audit_record(
            actor=actor,
            action="moderation_settings_update",
            municipality=municipality,
            obj=settings,
            data={"before": before, "after": {name: getattr(settings, name) for name in FIELDS}},
        )
    return settings
