from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChannelsConfig(AppConfig):
    name = "ordstyrer.channels"
    label = "channels"
    verbose_name = _("Kanaler")
    # CH-9 closures open and close on time, CH-6 review reminders: run by every worker
    # (`ordstyrer worker` and the embedded in-process worker).
    sweeps = "ordstyrer.channels.sweeps.SWEEPS"
