from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "ordstyrer.inbox"
    label = "inbox"
    verbose_name = _("Innboks")
    # Deadline notices, policy recomputation, polling and reply retries: run by every
    # worker (`ordstyrer worker` and the embedded in-process worker). What the inbox
    # plugs into the channels is named in settings: the opener of the simulated
    # platform's world (ORDSTYRER_CONNECTORS, so that closures, CH-9, act on the page
    # the inbox reads) and the overdue counts that flag a channel
    # (ORDSTYRER_OVERDUE_COUNTERS, CH-5).
    sweeps = "ordstyrer.inbox.sweeps.SWEEPS"
