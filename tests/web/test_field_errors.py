"""A field's error is what its input's aria-describedby names (helper QA): Django 5.2
points it at `<id>_error`, and `web/_field.html` rendered the error as `<id>-error`,
so screen readers were never led from a field to its error."""

from __future__ import annotations

import re

from django import forms
from django.template.loader import render_to_string


class _Form(forms.Form):
    note = forms.CharField(label="Merknad", min_length=10, help_text="Minst ti tegn.")


def test_every_described_by_of_a_field_with_an_error_exists() -> None:
    form = _Form({"note": "kort"}, auto_id="x_%s")
    assert not form.is_valid()
    html = render_to_string("web/_field.html", {"field": form["note"]})
    described = re.search(r'aria-describedby="([^"]+)"', html)
    assert described is not None
    ids = set(re.findall(r'id="([^"]+)"', html))
    assert set(described.group(1).split()) <= ids, (described.group(1), ids)
    assert 'aria-invalid="true"' in html
