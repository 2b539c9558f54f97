from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "ordstyrer.channels"
    label = "channels"
    verbose_name = _("Kanaler")

    def ready(self) -> None:
        # Periodic sweeps (CH-9 closures open and close on time, CH-6 review reminders)
        # run in `ordstyrer worker` and in the embedded in-process worker.
        from ordstyrer.channels import sweeps

        sweeps.register()
