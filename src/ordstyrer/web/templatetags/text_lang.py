"""`{{ standard|lang_attr }}`: the `lang` attribute of a text written in `standard` («nb»,
«nn») on this page, with its leading space, or nothing (`core.textlang`, WCAG 3.1.2):
`<blockquote{{ action.notice_language|lang_attr }}>`."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from ordstyrer.core.textlang import lang_attribute

register = template.Library()


@register.filter
def lang_attr(standard: object) -> SafeString:
    # Safe: `lang_attribute` returns "" or one of two constant attributes.
    return mark_safe(lang_attribute(str(standard or "")))  # noqa: S308
