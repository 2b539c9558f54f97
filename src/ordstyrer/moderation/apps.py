from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "ordstyrer.moderation"
    label = "moderation"
    verbose_name = _("Moderering")

    def ready(self) -> None:
        # The platform outbox (MO-2: archived first, then deleted) and the automatic
        # rules (hide or flag, never delete) run in every worker (`core.worker`).
        from ordstyrer.moderation import sweeps

        sweeps.register()
