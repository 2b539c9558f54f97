"""Console pages for a channel's platform connection: status, connect, disconnect,
backfill and import. Thin: they call selectors and services.

Every page resolves the channel through `access_channel`, so an outsider gets 404.
Seeing the connection needs "manage" or "moderate" on the channel; changing it
needs "manage" (CH-3).
"""

from __future__ import annotations

import re
import secrets
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ordstyrer.channels.models import Channel
from ordstyrer.channels.permissions import access_channel, has_channel_need
from ordstyrer.connectors.base import ConnectorError
from ordstyrer.connectors.secrets import SecretToken, TokenDecryptError
from ordstyrer.core.console import (
    Already,
    MunicipalityRequest,
    act,
    fail_message,
    municipality_view,
    submit_form,
)
from ordstyrer.core.errors import NotPermitted, ServiceError
from ordstyrer.core.ids import parse_id
from ordstyrer.platforms import connections, history, login, tokens
from ordstyrer.platforms.forms import BackfillForm, ChoosePageForm, ImportForm, SystemTokenForm
from ordstyrer.platforms.models import ConnectionMethod, Platform
from ordstyrer.platforms.selectors import connection_overview
from ordstyrer.tenants.models import Municipality

if TYPE_CHECKING:
    from django.contrib.auth.models import User

SESSION_LOGIN = "platforms_login"
SESSION_PAGES = "platforms_pages"
LOGIN_TTL = 15 * 60


def _channel(
    request: MunicipalityRequest, municipality: Municipality, pk: int, need: str
) -> Channel:
    channel = access_channel(user=request.actor, id=pk, slug=municipality.slug)
    if need == "see":
        if not (
            has_channel_need(request.actor, channel, "manage")
            or has_channel_need(request.actor, channel, "moderate")
        ):
            raise NotPermitted(
                gettext_lazy("Bare kanalens administratorer kan se tilkoblingen (CH-3).")
            )
        return channel
    return access_channel(user=request.actor, id=pk, slug=municipality.slug, need=need)


def _status_page(channel: Channel) -> HttpResponse:
    return redirect("platforms:connection", slug=channel.municipality.slug, pk=channel.pk)


@municipality_view()
@require_GET
def connection(request: MunicipalityRequest, municipality: Municipality, pk: int) -> HttpResponse:
    channel = _channel(request, municipality, pk, "see")
    return _render_status(request, channel)


def _render_status(request: MunicipalityRequest, channel: Channel, **forms: Any) -> HttpResponse:
    overview = connection_overview(channel=channel)
    return render(
        request,
        "platforms/connection.html",
        {
            "channel": channel,
            "overview": overview,
            "connection": overview.connection,
            "may_manage": has_channel_need(request.actor, channel, "manage"),
            "meta_kind": channel.kind in Platform.values,
            "login_configured": login.login_configured(),
            "token_form": forms.get("token_form") or SystemTokenForm(),
            "backfill_form": forms.get("backfill_form") or BackfillForm(),
            "import_form": forms.get("import_form") or ImportForm(),
            "is_instagram": channel.kind == Platform.INSTAGRAM,
        },
        status=400 if forms else 200,
    )


@municipality_view()
@require_POST
def login_start(request: MunicipalityRequest, municipality: Municipality, pk: int) -> HttpResponse:
    """Send the person to Meta's login dialog (Facebook Login for Business)."""
    channel = _channel(request, municipality, pk, "manage")
    if not login.login_configured():
        messages.error(request, _("Meta-appen er ikke satt opp (META_APP_ID, META_APP_SECRET)."))
        return _status_page(channel)
    state = secrets.token_urlsafe(24)
    redirect_uri = request.build_absolute_uri(reverse("platforms_oauth_callback"))
    request.session[SESSION_LOGIN] = {
        "state": state,
        "channel_id": channel.pk,
        "slug": municipality.slug,
        "redirect_uri": redirect_uri,
        "started": time.time(),
    }
    request.session.pop(SESSION_PAGES, None)
    return redirect(login.dialog_for(redirect_uri=redirect_uri, state=state))


@login_required
@require_GET
def oauth_callback(request: HttpRequest) -> HttpResponse:
    """Meta sends the person back here with `code` and our `state` (one fixed URL, as
    Meta's strict redirect-URI matching requires)."""
    pending = request.session.pop(SESSION_LOGIN, None)
    state = request.GET.get("state", "")
    if (
        not isinstance(pending, dict)
        or not state
        or not secrets.compare_digest(str(pending.get("state", "")), state)
        or time.time() - float(pending.get("started", 0)) > LOGIN_TTL
    ):
        messages.error(request, _("Innloggingen hos Meta kunne ikke bekreftes. Prøv igjen."))
        return redirect("home")
    # Meta's one fixed redirect URI is outside the municipality's URLs (no
    # `municipality_view`, so no `request.actor`): the channel is checked for the user.
    channel = access_channel(
        user=cast("User", request.user),  # login_required: Django's User
        id=int(pending["channel_id"]),
        slug=pending["slug"],
        need="manage",
    )
    if request.GET.get("error") or not request.GET.get("code"):
        messages.error(request, _("Innloggingen hos Meta ble avbrutt."))
        return _status_page(channel)
    try:
        result = login.login_pages(
            code=request.GET["code"], redirect_uri=pending["redirect_uri"], kind=channel.kind
        )
    except ConnectorError as exc:
        messages.error(request, _("Meta svarte med en feil: %(error)s") % {"error": exc.message})
        return _status_page(channel)
    except ServiceError as exc:
        fail_message(request, exc)
        return _status_page(channel)
    if not result.options:
        messages.error(
            request,
            _("Du har ingen sider (eller Instagram-kontoer) du kan koble til denne kanalen."),
        )
        return _status_page(channel)
    request.session[SESSION_PAGES] = {
        "channel_id": channel.pk,
        "options": [o.as_dict() for o in result.options],
        "scopes": result.scopes,
        "started": time.time(),
    }
    return redirect("platforms:choose", slug=channel.municipality.slug, pk=channel.pk)


def _pending_pages(request: HttpRequest, channel: Channel) -> dict[str, Any] | None:
    pending = request.session.get(SESSION_PAGES)
    if (
        not isinstance(pending, dict)
        or pending.get("channel_id") != channel.pk
        or time.time() - float(pending.get("started", 0)) > LOGIN_TTL
    ):
        return None
    return pending


@municipality_view()
@require_http_methods(["GET", "POST"])
def choose(request: MunicipalityRequest, municipality: Municipality, pk: int) -> HttpResponse:
    """Choose which of the person's Pages (or Instagram accounts) the channel is."""
    channel = _channel(request, municipality, pk, "manage")
    pending = _pending_pages(request, channel)
    if pending is None:
        messages.error(request, _("Valget har gått ut på tid. Logg inn hos Meta på nytt."))
        return _status_page(channel)
    options = {o["account_id"]: o for o in pending["options"]}
    choices = [(o["account_id"], o["account_name"] or o["account_id"]) for o in options.values()]
    form = ChoosePageForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        option = options[form.cleaned_data["page"]]
        try:
            token = tokens.cipher().decrypt(option["token_encrypted"])
            connections.connection_connect(
                actor=request.actor,
                channel=channel,
                account_id=option["account_id"],
                account_name=option["account_name"],
                page_id=option["page_id"],
                token=token,
                method=ConnectionMethod.LOGIN,
                tasks=list(option["tasks"]),
                scopes=pending["scopes"],
            )
        except TokenDecryptError:
            messages.error(request, _("Valget kunne ikke leses. Logg inn hos Meta på nytt."))
        except ServiceError as exc:
            fail_message(request, exc)
        else:
            request.session.pop(SESSION_PAGES, None)
            messages.success(request, _("Kanalen er koblet til. Tilgangen sjekkes nå."))
        return _status_page(channel)
    return render(
        request,
        "platforms/choose.html",
        {"channel": channel, "form": form, "options": list(options.values())},
    )


@municipality_view()
@require_POST
def system_token(request: MunicipalityRequest, municipality: Municipality, pk: int) -> HttpResponse:
    """Connect with a token IT made for a Business Manager system user: stored pending,
    proven by `health.connection_verify` before it routes or holds the Page."""
    channel = _channel(request, municipality, pk, "manage")
    form = SystemTokenForm(request.POST)
    connected = submit_form(
        request,
        form,  # a refusal goes on the form: the password widget never renders the token
        lambda data: connections.connection_connect(
            actor=request.actor,
            channel=channel,
            account_id=data["account_id"],
            page_id=data["page_id"],
            token=SecretToken(data["token"]),
            method=ConnectionMethod.SYSTEM_USER,
        ),
        to=_status_page(channel),
        # Not connected yet: the token must first be seen to manage that Page or account.
        done=_(
            "Tokenet er lagret kryptert. Kanalen kobles til når Meta har bekreftet at "
            "tokenet gjelder denne siden eller kontoen."
        ),
    )
    if connected is not None:
        return connected
    return _render_status(request, channel, token_form=form)


# When the connection shown was connected, as the confirmation writes it (`isoformat`).
SHOWN_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?[+-]\d\d:\d\d", re.ASCII)


def _shown_connection(request: HttpRequest) -> connections.ShownConnection | None:
    """The connection the confirmation showed, as its form posts it back (`connection`,
    `connected_at`); None from a form without them (a page made before they were on
    it). ValueError when they are not what the page writes (a mangled or hostile form)."""
    raw_id = request.POST.get("connection", "")
    raw_at = request.POST.get("connected_at", "")
    if not raw_id and not raw_at:
        return None
    connection_id = parse_id(raw_id)
    if connection_id is None or not SHOWN_TIME.fullmatch(raw_at):
        raise ValueError("not a connection the confirmation showed")
    connected_at = datetime.fromisoformat(raw_at)
    return connections.ShownConnection(id=connection_id, connected_at=connected_at)


@municipality_view()
@require_http_methods(["GET", "POST"])
def disconnect(request: MunicipalityRequest, municipality: Municipality, pk: int) -> HttpResponse:
    """Disconnect the channel from its Page or account, after a confirmation page that
    says what follows (webhooks no longer routed, no new comments in the inbox until it
    is connected again, the app taken off the Page, the token forgotten — at once, or
    after the app is off the Page). Only its posted form (`confirmed=1`) disconnects; a
    post of the old one-click form leads to the page. A replayed or double-clicked
    confirmation finds the connection disconnected (before, or after waiting for the
    first one's lock) and says so as information, claiming nothing about the token.

    The form names the connection it showed (CH-3): a stale one — the channel has been
    disconnected and connected again since it was shown — disconnects nothing and says
    so as information (`connections.ConnectedSince`)."""
    channel = _channel(request, municipality, pk, "manage")
    already = Already(_("Kanalen er allerede koblet fra. Ingenting er endret."))
    if request.method == "POST" and request.POST.get("confirmed") == "1":
        try:
            shown = _shown_connection(request)
        except ValueError:
            messages.error(
                request, _("Skjemaet kunne ikke leses. Last inn siden på nytt og prøv igjen.")
            )
            return _status_page(channel)

        def disconnect_shown() -> Any:
            try:
                return connections.connection_disconnect(
                    actor=request.actor, channel=channel, shown=shown
                )
            except connections.ConnectedSince as stale:
                return stale

        def done(connection: Any) -> str:
            if isinstance(connection, connections.ConnectedSince):
                return Already(connection.message)
            if connection is None:  # nothing was connected: a replay
                return already
            if connection.unsubscribe_pending:
                return _(
                    "Kanalen er koblet fra. Tokenet slettes når appen er fjernet fra siden "
                    "hos Meta."
                )
            return _("Kanalen er koblet fra, og tokenet er slettet.")

        return act(request, disconnect_shown, to=_status_page(channel), done=done)
    preview = connections.connection_disconnect_preview(actor=request.actor, channel=channel)
    if preview is None:
        messages.info(request, already)
        return _status_page(channel)
    return render(
        request,
        "platforms/disconnect_confirm.html",
        {
            "channel": channel,
            "preview": preview,
            "connection": preview.connection,
            "is_instagram": channel.kind == Platform.INSTAGRAM,
            "grace_hours": int(connections.UNSUBSCRIBE_GRACE.total_seconds() // 3600),
        },
    )


@municipality_view()
@require_POST
def backfill(request: MunicipalityRequest, municipality: Municipality, pk: int) -> HttpResponse:
    channel = _channel(request, municipality, pk, "manage")
    form = BackfillForm(request.POST)
    if not form.is_valid():
        return _render_status(request, channel, backfill_form=form)
    return act(
        request,
        lambda: history.history_backfill_start(
            actor=request.actor, channel=channel, days=form.cleaned_data["days"]
        ),
        to=_status_page(channel),
        done=_("Historikken hentes i bakgrunnen."),
    )


@municipality_view()
@require_POST
def import_export(
    request: MunicipalityRequest, municipality: Municipality, pk: int
) -> HttpResponse:
    channel = _channel(request, municipality, pk, "manage")
    form = ImportForm(request.POST, request.FILES)
    started = submit_form(
        request,
        form,
        lambda data: history.history_import_start(
            actor=request.actor,
            channel=channel,
            upload=data["export"],
            filename=data["export"].name,
        ),
        to=_status_page(channel),
        done=_("Eksporten importeres i bakgrunnen."),
        field="export",
    )
    if started is not None:
        return started
    return _render_status(request, channel, import_form=form)
