"""The work list's filter form: the channel and category options written in Python.

Fifty channels are a hundred template nodes per page, the same on every list page an
editor opens (#14: the list's CPU per page); escaped like the template would.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _options(pairs: Iterable[tuple[Any, Any]], selected: Any) -> SafeString:
    out = [
        f'<option value="{escape(str(value))}"{" selected" if value == selected else ""}>'
        f"{escape(str(label))}</option>"
        for value, label in pairs
    ]
    return mark_safe("".join(out))  # noqa: S308 — every value escaped above


@register.simple_tag
def channel_options(channels: Iterable[Any], selected: int | None) -> SafeString:
    """`<option>` per channel, the filter's channel selected."""
    return _options(((c.pk, c.name) for c in channels), selected)


@register.simple_tag
def category_options(categories: Iterable[tuple[str, str]], selected: str) -> SafeString:
    """`<option>` per category (code, label), the filter's category selected."""
    return _options(categories, selected)
