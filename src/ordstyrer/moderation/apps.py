from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "ordstyrer.moderation"
    label = "moderation"
    verbose_name = _("Moderering")
    # The platform outbox (MO-2: archived first, then deleted) and the automatic rules
    # (hide or flag, never delete): run by every worker (`core.worker`).
    sweeps = "ordstyrer.moderation.sweeps.SWEEPS"
