from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformsConfig(AppConfig):
    name = "ordstyrer.platforms"
    label = "platforms"
    verbose_name = _("Plattformtilkoblinger")
    # Webhook recovery and token checks are sweeps. (The stored Page token and the call
    # log plug into the connectors through settings.ORDSTYRER_CONNECTORS.)
    sweeps = "ordstyrer.platforms.sweeps.SWEEPS"

    def ready(self) -> None:
        from ordstyrer.platforms import checks  # noqa: F401 (registers system checks)
