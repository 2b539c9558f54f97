"""Form parts every app's forms share: a required text must show something.

In `core` so that the feature apps' forms and the console shell's import downwards only
(`.importlinter`, contract "apps-layers")."""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms

# Unicode categories that draw nothing: format characters (zero-width space U+200B,
# joiners U+200C/U+200D, the byte order mark U+FEFF, soft hyphen, bidi marks), control
# characters and separators (spaces, line and paragraph separators).
BLANK_CATEGORIES = frozenset({"Cf", "Cc", "Zs", "Zl", "Zp"})
# Letters and symbols that are drawn as nothing although their category says otherwise
# (the Hangul fillers and the blank Braille pattern are used to fake an empty name).
BLANK_CHARACTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f")


def visible_text(value: Any) -> str:
    """The characters of `value` a reader sees: without zero-width, format, control
    and space characters. For deciding whether a text is empty, never for storing it."""
    return "".join(
        char
        for char in str(value or "")
        if char not in BLANK_CHARACTERS and unicodedata.category(char) not in BLANK_CATEGORIES
    )


class VisibleCharField(forms.CharField):
    """A `CharField` whose required text must have something a reader sees: one made
    only of zero-width characters (U+200B, U+200D, U+FEFF …) is refused with the field's
    own "required" message. The text is kept as written otherwise."""

    def validate(self, value: Any) -> None:
        super().validate(value)
        if self.required and value not in self.empty_values and not visible_text(value):
            raise forms.ValidationError(self.error_messages["required"], code="required")
