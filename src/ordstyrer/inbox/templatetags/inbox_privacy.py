"""`{{ text|mask_ids }}`: national ID numbers shown as `******12345` (PU-1, issue #18);
`{{ text|mask_ids:revealed }}` leaves them when the person has chosen to show them."""

from __future__ import annotations

from django import template

from ordstyrer.language.masking import mask_national_ids

register = template.Library()


@register.filter
def mask_ids(text: object, revealed: bool = False) -> object:
    if revealed or not isinstance(text, str):
        return text
    return mask_national_ids(text)
