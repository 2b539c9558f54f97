"""A field of several checkboxes or radio buttons is a group named by its label (WCAG 2.1
1.3.1, 4.1.2): `web/_field.html` renders it as a fieldset whose legend is the label, not
as `<label for="">` (Django gives such widgets no id to label) over a bare list. The
policy settings' MO-1 grounds and CH-2 plan fields are such groups."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from tests.conftest import make_personas

pytestmark = pytest.mark.django_db


def _fieldset(html: str, legend: str) -> str:
    found = re.search(rf"<fieldset[^>]*>\s*<legend>{legend}</legend>(.*?)</fieldset>", html, re.S)
    assert found is not None, legend
    return found.group(1)


def test_the_policy_settings_group_their_checkboxes_under_a_legend():
    p = make_personas("gruppeby", "indre-fosen")
    client = Client()
    client.force_login(p.communications)
    response = client.get(reverse("policy_settings", args=[p.municipality.slug]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'for=""' not in html
    assert 'name="MO-1-param__grounds"' in _fieldset(html, "Slettegrunnlag")
    assert 'name="CH-2-param__required_plan_fields"' in _fieldset(
        html, "Påkrevde punkter i kanalplanen"
    )


class _Form(forms.Form):
    grounds = forms.MultipleChoiceField(
        label="Grunnlag",
        choices=[("spam", "Spam"), ("hat", "Hat")],
        widget=forms.CheckboxSelectMultiple,
        help_text="Velg minst ett.",
    )


def test_a_group_names_its_help_and_error():
    form = _Form({}, auto_id="x_%s")
    assert not form.is_valid()
    html = render_to_string("web/_field.html", {"field": form["grounds"]})
    assert 'for=""' not in html and "<legend>Grunnlag</legend>" in html
    described = re.search(r'<fieldset[^>]*aria-describedby="([^"]+)"', html)
    assert described is not None
    assert described.group(1).split() == ["x_grounds_helptext", "x_grounds_error"]
    ids = set(re.findall(r'id="([^"]+)"', html))
    assert {"x_grounds_helptext", "x_grounds_error"} <= ids
