from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformsConfig(AppConfig):
    name = "ordstyrer.platforms"
    label = "platforms"
    verbose_name = _("Plattformtilkoblinger")

    def ready(self) -> None:
        # The stored Page token and the call log plug into the one place that builds
        # connectors (channels.platform); webhook recovery and token checks are sweeps.
        from ordstyrer.channels.platform import use_connector_extras
        from ordstyrer.platforms import checks, recording, sweeps  # noqa: F401 (checks register)

        use_connector_extras(config=recording.connection_config, recorder=recording.recorder_for)
        sweeps.register()
