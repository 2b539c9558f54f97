from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchiveConfig(AppConfig):
    name = "ordstyrer.archive"
    label = "archive"
    verbose_name = _("Arkiv")
    # Renders the PDF/A document of new records in the background, so that downloads
    # and exports find it made (AR-2); run by every worker (`core.worker`).
    sweeps = "ordstyrer.archive.sweeps.SWEEPS"
