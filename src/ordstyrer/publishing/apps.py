from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "ordstyrer.publishing"
    label = "publishing"
    verbose_name = _("Publisering")
    # Held and scheduled posts, and retries: every worker's sweep (`core.worker`); each
    # row is claimed compare-and-set.
    sweeps = "ordstyrer.publishing.sweeps.SWEEPS"
