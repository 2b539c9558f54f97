from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "ordstyrer.inbox"
    label = "inbox"
    verbose_name = _("Innboks")

    def ready(self) -> None:
        # Deadline notices, policy recomputation, polling and reply retries run in
        # `ordstyrer worker` and in the embedded in-process worker.
        from ordstyrer.channels.selectors import register_overdue_counter
        from ordstyrer.inbox import selectors, sweeps

        sweeps.register()
        # (One world per simulated channel, so that closures (CH-9) act on the page the
        # inbox reads: its opener is named in settings.ORDSTYRER_CONNECTORS.)
        # CH-5: channels with unanswered items past their deadline are flagged.
        register_overdue_counter(selectors.overdue_counts)
