"""Helpers shared by every app's console views: the municipality in view, a refused
service call shown as the page's error message, and the one shape of a console write —
parse the form, call the service, say what happened, redirect (`act`, `act_on_form`,
`submit_form`).

In `core` (not `web`) so that the feature apps' views import downwards only
(`.importlinter`, contract "apps-layers"; docs/architecture.md, "Layers")."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy

from ordstyrer.core.permissions import actor_in, require
from ordstyrer.errors import ServiceError

if TYPE_CHECKING:
    from ordstyrer.core.actor import Actor
    from ordstyrer.tenants.models import Municipality

T = TypeVar("T")

# What a page shows as its error message rather than as the 404/403 page. `NotFound`
# and `NotPermitted` are not among them by default (core.middleware maps them), so an
# outsider's 404 never becomes a message; a view passes `refused=` to widen it.
REFUSED: tuple[type[Exception], ...] = (ServiceError,)

# Where a write goes afterwards: a URL, or a redirect the view has built already.
Target = str | HttpResponse


class Already(str):
    """A done message said as information, not success: the service found the thing done
    already (a replayed form, a second click) and changed nothing."""

    __slots__ = ()


# What it says when done: a sentence (an `Already` one as information), or one made
# from the service's result ("" or None: nothing).
Done = str | Callable[[Any], str | None] | None


class MunicipalityRequest(HttpRequest):
    """For the type checker only: the request a `municipality_view` hands its view — Django's
    own request, with the two attributes the decorator sets on it. A view annotates its
    `request` with this to read `request.actor`; nothing is ever made of this class."""

    actor: Actor
    municipality: Municipality


def municipality_view(need: str = "read") -> Callable[..., Any]:
    """Resolve `slug` through the central access helper and put it on the request, with
    the person acting there (`request.actor`: their roles, looked up once). A member is on
    the request before `need` is checked, so that a refusal's 403 page shows their
    municipality's menu and banner; an outsider gets 404 with nothing set.

    Someone not signed in goes to the login page and back (`login_required`). A form
    posted after the session ended (SSO's hours are up, a logout in another tab) did
    nothing, and comes back after the login as a GET of the form's own URL: that GET
    says so (`LOGGED_OUT`) and, when the URL takes posted forms only, leads back to the
    page the form was on rather than to a bare 405 (`_form_lost`). Nothing is ever done
    on a GET: the view's `require_POST` answers it, and a GET of a POST-only URL gets
    the console's 405 page (`not_allowed`)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(
            request: MunicipalityRequest, slug: str, *args: Any, **kwargs: Any
        ) -> HttpResponse:
            if not request.user.is_authenticated:
                if request.method == "POST":
                    _remember_lost_form(request)
                return redirect_to_login(request.get_full_path())
            # Django hands a plain HttpRequest; the two lines below make it a MunicipalityRequest.
            # A member first (404 for anyone else, before anything is set) …
            request.actor = actor_in(user=request.user, slug=slug, need="read")
            request.municipality = request.actor.municipality
            # … then the role `need` asks for: the 403 page of a member without it is
            # still their municipality's page, with its menu and the crisis banner (PU-12).
            require(request.actor, request.municipality, need)
            back = _form_lost(request)
            response = view(request, request.municipality, *args, **kwargs)
            if isinstance(response, HttpResponseNotAllowed) and request.method in ("GET", "HEAD"):
                if back is None:
                    return not_allowed(request, response)
                return redirect(back) if back else redirect("dashboard", request.municipality.slug)
            return response

        return wrapper

    return decorate


# What a form posted after the session ended says, once the person has signed in again.
LOGGED_OUT = gettext_lazy("Skjemaet ble ikke sendt fordi du var logget ut. Prøv igjen.")
# The session's note of such a form: its URL, and the page it was posted from.
LOST_FORM = "ordstyrer_lost_form"


def _remember_lost_form(request: HttpRequest) -> None:
    """Note, in the (anonymous) session the login keeps, that a form was posted to this
    URL without a session, and from which page of the console (the Referer, when it is
    one of ours: sent on same-origin requests, `SECURE_REFERRER_POLICY`)."""
    referer = request.headers.get("referer", "")
    page = ""
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        parts = urlsplit(referer)
        page = parts.path + (f"?{parts.query}" if parts.query else "")
    if page == request.path:
        page = ""
    request.session[LOST_FORM] = {"url": request.get_full_path(), "page": page}


def _form_lost(request: HttpRequest) -> str | None:
    """After the login: whether this GET is the return of a form that was not sent
    (`_remember_lost_form`). If so, it says so (`LOGGED_OUT`, shown on the page the GET
    renders, or on the one it leads to) and gives the page the form was on ("" when not
    known); None otherwise. The note is read once, by the first console request after
    the login, whichever it is."""
    if LOST_FORM not in request.session:
        return None
    lost = request.session.pop(LOST_FORM)
    if request.method not in ("GET", "HEAD") or not isinstance(lost, dict):
        return None
    if lost.get("url") != request.get_full_path():
        return None
    messages.warning(request, LOGGED_OUT)
    return str(lost.get("page") or "")


def not_allowed(request: HttpRequest, response: HttpResponseNotAllowed) -> HttpResponse:
    """The console's 405 page: Django's own has no body. Keeps the `Allow` header."""
    page = render(request, "405.html", status=405)
    page["Allow"] = response["Allow"]
    return page


def fail_message(request: HttpRequest, exc: Exception) -> None:
    """Show a refused service call (`ServiceError` and the domain errors) as the page's
    error message, with its rule id when the text does not name it already."""
    message = str(getattr(exc, "message", None) or exc)
    rule = getattr(exc, "rule", None)
    if rule and rule not in message:
        message = f"{message} ({rule})"
    messages.error(request, message)


def _go(to: Target) -> HttpResponse:
    return to if isinstance(to, HttpResponse) else redirect(to)


def _say_done(request: HttpRequest, done: Done, result: Any) -> None:
    text = done(result) if callable(done) else done
    if isinstance(text, Already):
        messages.info(request, text)
    elif text:
        messages.success(request, text)


def act(
    request: HttpRequest,
    call: Callable[[], T],
    *,
    to: Target,
    done: Done = None,
    refused: tuple[type[Exception], ...] = REFUSED,
) -> HttpResponse:
    """Call a service and go to `to`: a refusal becomes the page's error message
    (`fail_message`), success says `done`. Idempotency stays the service's (its intent
    key): a replayed post returns the first result and says the same."""
    try:
        result = call()
    except refused as exc:
        fail_message(request, exc)
    else:
        _say_done(request, done, result)
    return _go(to)


def form_errors(request: HttpRequest, form: BaseForm) -> None:
    """A panel form's errors as the page's error messages, each with its field's label."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else str(error))


def act_on_form(
    request: HttpRequest,
    form: BaseForm,
    call: Callable[[dict[str, Any]], T],
    *,
    to: Target,
    done: Done = None,
    invalid: str | None = None,
    refused: tuple[type[Exception], ...] = REFUSED,
) -> HttpResponse:
    """A small form posted from a panel of another page (no page of its own): when it is
    valid, `act` with its cleaned data; when not, its errors (or the one sentence
    `invalid`) as error messages. Either way back to `to`."""
    if not form.is_valid():
        if invalid is None:
            form_errors(request, form)
        else:
            messages.error(request, invalid)
        return _go(to)
    return act(request, lambda: call(form.cleaned_data), to=to, done=done, refused=refused)


def submit_form(
    request: HttpRequest,
    form: BaseForm,
    call: Callable[[dict[str, Any]], T],
    *,
    to: Target | Callable[[T], Target],
    done: Done = None,
    refused: tuple[type[Exception], ...] = REFUSED,
    on_form: bool = True,
    field: str | None = None,
) -> HttpResponse | None:
    """A page's own form posted: when it is valid, call the service with its cleaned
    data; success says `done` and returns the redirect to `to` (or to what `to` makes of
    the result). A refusal goes on the form as its error (on `field`, or the whole
    form's; with `on_form=False`: the page's error message); then, as for an invalid
    form, None: the view renders the page again, with the errors."""
    if not form.is_valid():
        return None
    try:
        result = call(form.cleaned_data)
    except refused as exc:
        if on_form:
            form.add_error(field, str(getattr(exc, "message", None) or exc))
        else:
            fail_message(request, exc)
        return None
    _say_done(request, done, result)
    return _go(to(result) if callable(to) else to)
