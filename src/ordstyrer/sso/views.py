"""Console views of single sign-on: the flow's two ends, logging out, the no-access page,
and the municipality's group → role settings."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView

from ordstyrer.core.console import Already, MunicipalityRequest, act, municipality_view, submit_form
from ordstyrer.core.errors import NotPermitted, ServiceError
from ordstyrer.core.permissions import has_role, municipalities_for
from ordstyrer.sso.backend import AuthenticationRequest, OidcBackend, configured, provider
from ordstyrer.sso.discovery import DiscoveryError
from ordstyrer.sso.forms import GroupMappingForm
from ordstyrer.sso.models import GroupRoleMapping
from ordstyrer.sso.services import (
    UNMAPPABLE_ROLES,
    group_map,
    group_unmap,
    group_unmap_effect,
)
from ordstyrer.tenants.models import Municipality, Role

logger = logging.getLogger(__name__)

# What can go wrong talking to the identity provider; shown as one Norwegian line. A
# signing key in its JWKS that PyJWT cannot build (`jwt.PyJWK` in the backend) raises
# `InvalidKeyError` (unsupported key type or curve) or `PyJWKError` (no algorithm for
# it); neither is an `InvalidTokenError`, which the backend turns into a failed login.
PROVIDER_ERRORS = (
    DiscoveryError,
    requests.RequestException,
    ServiceError,
    SuspiciousOperation,
    jwt.PyJWKError,
    jwt.InvalidKeyError,
)


def _provider_failed(request: HttpRequest, exc: Exception) -> HttpResponse:
    if isinstance(exc, ServiceError):
        # The login service refused what the provider sent, and says why in a sentence
        # the person can act on (e.g. too many groups in the token).
        logger.warning("sso refused", extra={"reason": exc.code})
        messages.error(request, str(exc.message))
        return redirect("login")
    logger.warning("sso failed", extra={"reason": type(exc).__name__})
    messages.error(
        request,
        _(
            "Innlogging med felles pålogging virket ikke nå (identitetsleverandøren svarte "
            "ikke som ventet). Prøv igjen, eller kontakt IT."
        ),
    )
    return redirect("login")


def sso_start(request: HttpRequest) -> HttpResponse:
    """/oidc/authenticate/: off (404) unless ORDSTYRER_OIDC_ISSUER is set."""
    if not configured():
        raise Http404(_("Felles pålogging er ikke satt opp."))
    try:
        return AuthenticationRequest.as_view()(request)
    except PROVIDER_ERRORS as exc:
        return _provider_failed(request, exc)


class _Callback(OIDCAuthenticationCallbackView):
    @property
    def success_url(self) -> str:
        if not municipalities_for(self.user).exists():
            return "/oidc/ingen-tilgang/"
        return super().success_url

    def login_success(self) -> HttpResponse:
        response = super().login_success()
        # A fixed end, not an idle timeout: the groups (and whether the person is still
        # employed) are read from the provider only at login, so an SSO session lasts
        # one working day rather than Django's 14 days (docs/deploy.md §7).
        self.request.session.set_expiry(
            timezone.now() + timedelta(hours=settings.ORDSTYRER_SSO_SESSION_HOURS)
        )
        return response

    def login_failure(self) -> HttpResponse:
        _forget_id_token(self.request)
        messages.error(self.request, _("Innloggingen ble avbrutt eller avvist. Prøv igjen."))
        return redirect("login")


# Where mozilla-django-oidc keeps the provider's ID token (OIDC_STORE_ID_TOKEN), for the
# logout's `id_token_hint`. The backend stores it before the login is decided.
ID_TOKEN_KEY = "oidc_id_token"  # noqa: S105 (a session key, not a secret)
OIDC_BACKEND = f"{OidcBackend.__module__}.{OidcBackend.__qualname__}"


def _forget_id_token(request: HttpRequest) -> None:
    """A login that did not happen keeps no ID token in the (anonymous) session: a later
    password login in it would otherwise log out at the provider too."""
    request.session.pop(ID_TOKEN_KEY, None)


def _pending_state(request: HttpRequest) -> bool:
    """Whether the callback's `state` is one this session sent to the provider."""
    states = request.session.get("oidc_states")
    return isinstance(states, dict) and request.GET.get("state") in states


def sso_callback(request: HttpRequest) -> HttpResponse:
    if not configured():
        raise Http404(_("Felles pålogging er ikke satt opp."))
    if request.GET.get("error") and not _pending_state(request):
        # mozilla-django-oidc logs out whoever is signed in on any `error`: a link to
        # /oidc/callback/?error=x would log out everyone who opens it (a cross-site
        # logout). An error answers a request this session made, or nothing at all.
        logger.info("sso callback error without a pending state")
        return redirect("home" if request.user.is_authenticated else "login")
    try:
        return _Callback.as_view()(request)
    except PROVIDER_ERRORS as exc:
        _forget_id_token(request)
        return _provider_failed(request, exc)


def end_session_url(request: HttpRequest) -> str | None:
    """Where a person signed in through the identity provider logs out there too (OpenID
    Connect RP-Initiated Logout 1.0 §2): the provider's `end_session_endpoint` with the
    session's ID token as `id_token_hint`, and back to our login page. None for a
    password session, with SSO off, or when the provider names no such endpoint or
    cannot be reached (the person is still logged out here)."""
    if request.session.get(BACKEND_SESSION_KEY) != OIDC_BACKEND or not configured():
        return None
    try:
        endpoint = provider().end_session_endpoint
    except PROVIDER_ERRORS as exc:
        logger.warning("sso logout at the provider skipped", extra={"reason": type(exc).__name__})
        return None
    if not endpoint:
        return None
    params = {
        "client_id": settings.OIDC_RP_CLIENT_ID,
        "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
    }
    id_token = request.session.get(ID_TOKEN_KEY)
    if isinstance(id_token, str) and id_token:
        params["id_token_hint"] = id_token
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(params)}"


class LogoutView(auth_views.LogoutView):
    """Django's logout (POST only). A person who signed in through the identity provider
    is then sent to the provider to end its session as well: at a shared PC the next
    person would otherwise be signed in as them without a question (the provider still
    knows them). A password session ends as before.

    Not a redirect: the console's Content-Security-Policy (`form-action 'self'`) makes
    the browser refuse a form's redirect to another origin, and the provider's
    end-session endpoint is one. A page that says where the person goes, and goes there
    at once (the `Refresh` header, HTML Living Standard "shared declarative refresh
    steps") with a link as well, is a navigation of its own, not the form's."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        end_session = end_session_url(request)  # read before the session goes
        response = super().post(request, *args, **kwargs)
        if end_session is None:
            return response
        page = render(request, "sso/logged_out.html", {"end_session": end_session})
        page["Refresh"] = f"0; url={end_session}"
        return page


@login_required
def no_access(request: HttpRequest) -> HttpResponse:
    """A person who logged in but whose groups give no role anywhere."""
    identity = getattr(request.user, "sso_identity", None)
    return render(
        request,
        "sso/no_access.html",
        {
            "groups": identity.groups if identity else [],
            "has_municipality": municipalities_for(request.user).exists(),
        },
    )


@municipality_view()
@require_http_methods(["GET", "POST"])
def mappings(request: MunicipalityRequest, municipality: Municipality) -> HttpResponse:
    may_edit = has_role(
        request.actor, municipality, {Role.COMMUNICATIONS, Role.CHIEF_ADMINISTRATOR}
    )
    form = GroupMappingForm(request.POST or None)
    if request.method == "POST":
        if not may_edit:
            raise NotPermitted(
                gettext_lazy("Bare kommunikasjon og kommunedirektøren kan endre koblingene.")
            )
        mapped = submit_form(
            request,
            form,
            lambda data: group_map(
                actor=request.actor,
                municipality=municipality,
                group=data["group"],
                role=data["role"],
            ),
            to=reverse("sso_mappings", kwargs={"slug": municipality.slug}),
            done=_("Gruppen er koblet til rollen."),
            field="group",
        )
        if mapped is not None:
            return mapped
    return render(
        request,
        "sso/mappings.html",
        {
            "form": form,
            "may_edit": may_edit,
            "configured": configured(),
            "mappings": GroupRoleMapping.objects.filter(municipality=municipality),
            "unmappable": UNMAPPABLE_ROLES,
        },
    )


# Names shown on the confirmation page; the rest are counted (an employee group may
# hold hundreds of people).
SHOWN_LOSING = 50


@municipality_view(need="manage_policy")
@require_http_methods(["GET", "POST"])
def mapping_remove(
    request: MunicipalityRequest, municipality: Municipality, pk: int
) -> HttpResponse:
    """A confirmation page naming the role, who loses it at their next login, and the
    channels that would then have no active main administrator (CH-3); the removal
    itself is its posted form (nothing pre-selected; a second post changes nothing and
    says so)."""
    back = reverse("sso_mappings", kwargs={"slug": municipality.slug})
    mapping = GroupRoleMapping.objects.filter(pk=pk, municipality=municipality).first()
    if request.method == "POST":
        if request.POST.get("confirmed") != "1":
            messages.error(request, _("Bekreft for å fjerne koblingen."))
            return redirect(request.path if mapping is not None else back)
        return act(
            request,
            lambda: group_unmap(actor=request.actor, municipality=municipality, mapping_id=pk),
            to=back,
            done=lambda removed: (
                _("Koblingen er fjernet. Rollen forsvinner ved neste innlogging.")
                if removed
                else Already(_("Koblingen var allerede fjernet."))
            ),
        )
    if mapping is None:
        raise Http404(_("Fant ikke koblingen."))
    effect = group_unmap_effect(mapping=mapping)
    return render(
        request,
        "sso/mapping_remove.html",
        {
            "mapping": mapping,
            "unused": mapping.role in UNMAPPABLE_ROLES,
            "losing": effect.losing[:SHOWN_LOSING],
            "losing_more": max(0, len(effect.losing) - SHOWN_LOSING),
            "losing_count": len(effect.losing),
            "refused": effect.leaves_no_advisor,
            "channels_left": effect.channels_left,
        },
    )
