"""The item page's widgets rendered in Python are byte for byte Django's templates."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django import forms
from django.forms.renderers import get_default_renderer
from django.utils.safestring import mark_safe

from ordstyrer.inbox.forms import (
    AssignForm,
    CloseForm,
    EscalateForm,
    NoteForm,
    ReferForm,
    ReplyForm,
)
from ordstyrer.inbox.widgets import RENDERER
from ordstyrer.moderation.forms import BanForm, HideForm, RejectForm, RemoveForm, UnbanForm
from ordstyrer.policy import load_policy

NASTY = 'Svar til «Åse» <b>&amp; "venner"</b>\nlinje to'
GROUNDS = [("spam", "Spam & reklame"), ("hate_speech", 'Hatefulle "ytringer"')]
PEOPLE = [
    SimpleNamespace(pk=7, username="kari", get_full_name=lambda: "Kari <Nordmann>"),
    SimpleNamespace(pk=8, username="ola", get_full_name=lambda: ""),
]


class Everything(forms.Form):
    """The widgets the page does not use today, with safe and grouped choices."""

    text = forms.CharField(initial=mark_safe("<i>trygg</i>"), help_text="hjelp")
    number = forms.IntegerField(initial=3)
    email = forms.EmailField(required=False)
    flag = forms.BooleanField(initial=True)
    groups = forms.ChoiceField(
        choices=[("Gruppe <1>", [("a", "A & a"), ("b", "B")]), ("c", "C")], initial="b"
    )
    radios = forms.ChoiceField(
        choices=[("Gruppe", [("a", "A"), ("b", "B")]), ("c", "C")], widget=forms.RadioSelect
    )
    many = forms.MultipleChoiceField(
        choices=[("x", "X"), ("y", "Y <y>")],
        widget=forms.CheckboxSelectMultiple(attrs={"class": "liste"}),
        initial=["y"],
    )


def _forms(data: dict[str, Any] | None, renderer: Any) -> list[forms.Form]:
    kw = {"renderer": renderer}
    policy = load_policy("indre-fosen")  # the rules the moderation forms' texts cite
    return [
        ReplyForm(data, initial={"text": NASTY, "template": "thank"}, auto_id="reply_%s", **kw),
        CloseForm(data, auto_id="close_%s", **kw),
        AssignForm(data, people=PEOPLE, initial={"assignee": "7"}, auto_id="assign_%s", **kw),
        NoteForm(data, auto_id="note_%s", **kw),
        EscalateForm(data, **kw),
        ReferForm(data, auto_id=False, **kw),
        HideForm(data, grounds=GROUNDS, policy=policy, auto_id="mod_hide_%s", **kw),
        RemoveForm(data, grounds=GROUNDS, policy=policy, initial={"notify": True}, **kw),
        BanForm(data, grounds=GROUNDS, policy=policy, auto_id="mod_ban_%s", **kw),
        UnbanForm(data, auto_id="mod_unban_%s", **kw),
        RejectForm(data, auto_id="mod_reject_%s", **kw),
        Everything(data, **kw),
    ]


def _html(form: forms.Form) -> list[str]:
    out = []
    for field in form:
        out.append(str(field))
        out += [sub.tag() for sub in field.subwidgets if hasattr(sub, "tag")]
    return out


BOUND = {
    "text": NASTY,
    "template": "thank",
    "effect": "refer",
    "override_reason": "",
    "close_reason": "duplicate",
    "note": "<script>alert(1)</script>",
    "assignee": "8",
    "kind": "political",
    "target": 'Formannskapet "FSK"',
    "ground": "hate_speech",
    "justification": "For kort",
    "notify": "on",
    "manual": "",
    "reason": "",
    "number": "x",
    "radios": "a",
    "many": ["x", "y"],
}


@pytest.mark.parametrize("data", [None, BOUND, {}], ids=["unbound", "bound", "empty"])
def test_python_widgets_match_the_templates(data):
    django_forms = _forms(data, get_default_renderer())
    python_forms = _forms(data, RENDERER)
    for expected, got in zip(django_forms, python_forms, strict=True):
        assert _html(got) == _html(expected), type(got).__name__


def test_the_page_forms_use_the_python_widgets():
    assert ReplyForm().renderer is RENDERER
    assert AssignForm(people=PEOPLE).renderer is RENDERER
