"""The `lang` attribute of a text written in Bokmål or Nynorsk on a console page, whose
own language may be another (WCAG 3.1.2, language of parts): a screen reader then reads
a Bokmål notice on an English page with Norwegian pronunciation.

A Nynorsk text is always marked (as the templates did before); a Bokmål text is marked
unless the page is Bokmål. The template filter is `web/templatetags/text_lang.py`; the
inbox list, built in Python, calls `lang_attribute` itself."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_language

WRITTEN_STANDARDS = ("nb", "nn")


def page_language() -> str:
    """The active language's code without a region: «nb», «nn» or «en»."""
    return (get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()


def lang_attribute(standard: str | None) -> str:
    """` lang="nb"` or ` lang="nn"` for a text written in `standard` on the page being
    rendered, or "" where it needs none: a Bokmål text on a Bokmål page, or a text of no
    known standard (a citizen's comment the language analysis could not place)."""
    code = (standard or "").lower()
    if code not in WRITTEN_STANDARDS or (code == "nb" and page_language() == "nb"):
        return ""
    return f' lang="{code}"'
