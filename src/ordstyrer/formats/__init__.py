"""One Norwegian date format in the console (#15): «5. des. 2026 kl. 17.26».

Django reads these before its own locale formats (`FORMAT_MODULE_PATH`), so every
`|date:"SHORT_DATETIME_FORMAT"` in a template and `norwegian_datetime` in Python say
a time the same way, in Bokmål and Nynorsk alike.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import dateformat, timezone, translation

DATETIME = r"j. N Y \k\l. H.i"
DATE = "j. N Y"


def norwegian_datetime(value: datetime) -> str:
    """«5. des. 2026 kl. 17.26» in Oslo time, whatever the active language."""
    with translation.override("nb"):
        return dateformat.format(timezone.localtime(value), DATETIME)
