"""Console page of API tokens: list one's tokens (communications and the chief
administrator: every token of the municipality) and revoke one after a confirmation.

Tokens are made by the operator (`ordstyrer api-token create`), never in a browser
form: a token shown in a page would sit in the browser's history and caches."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ordstyrer.api.tokens import api_token_revoke, may_manage_all, tokens_visible
from ordstyrer.core.console import Already, MunicipalityRequest, act, municipality_view
from ordstyrer.core.errors import NotPermitted
from ordstyrer.tenants.models import Municipality


@municipality_view()
@require_GET
def token_list(request: MunicipalityRequest, municipality: Municipality) -> HttpResponse:
    return render(
        request,
        "api/tokens.html",
        {
            "tokens": list(tokens_visible(user=request.actor, municipality=municipality)),
            "sees_all": may_manage_all(request.actor, municipality),
            "now": timezone.now(),
        },
    )


@municipality_view()
@require_http_methods(["GET", "POST"])
def token_revoke(request: MunicipalityRequest, municipality: Municipality, pk: int) -> HttpResponse:
    token = tokens_visible(user=request.actor, municipality=municipality).filter(pk=pk).first()
    if token is None:
        raise Http404(_("Fant ikke API-nøkkelen."))
    if request.method == "POST":
        if request.POST.get("confirmed") != "1":
            messages.error(request, _("Bekreft for å trekke tilbake nøkkelen."))
            return redirect("api_tokens:revoke", slug=municipality.slug, pk=token.pk)
        if token.revoked_at is not None:
            done: str = Already(_("Nøkkelen var allerede trukket tilbake."))
        else:
            done = _("API-nøkkelen %(id)s er trukket tilbake og virker ikke lenger.") % {
                "id": token.prefix
            }
        return act(
            request,
            lambda: api_token_revoke(actor=request.actor, token_id=token.pk),
            to=reverse("api_tokens:list", kwargs={"slug": municipality.slug}),
            done=done,
            refused=(NotPermitted,),
        )
    return render(request, "api/token_revoke.html", {"token": token, "now": timezone.now()})
