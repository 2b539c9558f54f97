from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformsConfig(AppConfig):
    name = "ordstyrer.platforms"
    label = "platforms"
    verbose_name = _("Plattformtilkoblinger")

    def ready(self) -> None:
        # Webhook recovery and token checks are sweeps. (The stored Page token and the call
        # log plug into the connectors through settings.ORDSTYRER_CONNECTORS.)
        from ordstyrer.platforms import checks, sweeps  # noqa: F401 (checks register)

        sweeps.register()
