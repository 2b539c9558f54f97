from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "ordstyrer.publishing"
    label = "publishing"
    verbose_name = _("Publisering")

    def ready(self) -> None:
        # Held and scheduled posts, and retries, are carried out by every worker's sweep
        # (`core.worker`); each row is claimed compare-and-set.
        from ordstyrer.publishing import sweeps

        sweeps.register()
