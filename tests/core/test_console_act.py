"""The console's one write shape (`core.console`): call a service, say what happened,
redirect — a refusal as the page's error message (or on the form), a replay as
information, and `NotFound`/`NotPermitted` left to the middleware unless a view widens
`refused`."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import constants, get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import RequestFactory

from ordstyrer.core.console import Already, act, act_on_form, submit_form
from ordstyrer.errors import Conflict, NotFound, NotPermitted, ServiceError


def _request():
    request = RequestFactory().post("/", {"reason": "x"})
    request._messages = CookieStorage(request)
    return request


def _said(request) -> list[tuple[int, str]]:
    return [(m.level, str(m.message)) for m in get_messages(request)]


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Begrunnelse")


def test_done_is_success_and_the_redirect_follows() -> None:
    request = _request()
    response = act(request, lambda: 7, to="/m/x/", done=lambda n: f"Gjort {n}.")
    assert (response.status_code, response["Location"]) == (302, "/m/x/")
    assert _said(request) == [(constants.SUCCESS, "Gjort 7.")]


def test_a_replay_is_information_and_nothing_is_said_without_done() -> None:
    request = _request()
    act(request, lambda: None, to="/", done=Already("Allerede gjort."))
    act(request, lambda: None, to="/")
    assert _said(request) == [(constants.INFO, "Allerede gjort.")]


def test_a_refusal_is_the_error_message_with_its_rule() -> None:
    def refuse() -> None:
        raise Conflict("Kanalen er stengt.", rule="CH-9")

    request = _request()
    response = act(request, refuse, to="/back/", done="Gjort.")
    assert response["Location"] == "/back/"
    assert _said(request) == [(constants.ERROR, "Kanalen er stengt. (CH-9)")]


@pytest.mark.parametrize("error", [NotFound, NotPermitted])
def test_not_found_and_not_permitted_reach_the_middleware_unless_widened(error) -> None:
    def refuse() -> None:
        raise error("Nei.")

    with pytest.raises(error):
        act(_request(), refuse, to="/")
    request = _request()
    act(request, refuse, to="/", refused=(ServiceError, error))
    assert _said(request) == [(constants.ERROR, "Nei.")]


def test_a_panel_form_that_is_not_valid_says_why_and_calls_nothing() -> None:
    called = []
    request = _request()
    form = ReasonForm({"reason": ""})
    act_on_form(request, form, called.append, to="/")
    act_on_form(request, ReasonForm({}), called.append, to="/", invalid="Skriv hvorfor.")
    assert called == []
    assert _said(request) == [
        (constants.ERROR, f"Begrunnelse: {form.errors['reason'][0]}"),
        (constants.ERROR, "Skriv hvorfor."),
    ]


def test_a_page_form_keeps_the_refusal_on_the_form_and_renders_again() -> None:
    def refuse(data) -> None:
        raise ServiceError("For sent.")

    request = _request()
    form = ReasonForm({"reason": "x"})
    assert submit_form(request, form, refuse, to="/") is None
    assert form.non_field_errors() == ["For sent."]
    assert _said(request) == []
    on_field = ReasonForm({"reason": "x"})
    assert submit_form(request, on_field, refuse, to="/", field="reason") is None
    assert on_field.errors == {"reason": ["For sent."]}
    other = ReasonForm({"reason": "x"})
    assert submit_form(request, other, refuse, to="/", on_form=False) is None
    assert _said(request) == [(constants.ERROR, "For sent.")]


def test_a_page_form_redirects_where_the_result_says() -> None:
    request = _request()
    response = submit_form(
        request,
        ReasonForm({"reason": "ok"}),
        lambda data: data["reason"],
        to=lambda result: f"/m/{result}/",
        done="Lagret.",
    )
    assert response["Location"] == "/m/ok/"
    assert _said(request) == [(constants.SUCCESS, "Lagret.")]
