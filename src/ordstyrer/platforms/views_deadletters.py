"""The dead-letter page of the webhook queue (issue #18), for communications: what was
given up on and why, with "Prøv igjen" and "Forkast" (a confirmation first). Thin: the
selectors and services are in `platforms.deadletters`."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ordstyrer.core.console import Already, MunicipalityRequest, act, municipality_view
from ordstyrer.core.errors import NotFound
from ordstyrer.core.models import AuditEntry
from ordstyrer.platforms import deadletters
from ordstyrer.platforms.models import WebhookDelivery
from ordstyrer.tenants.models import Municipality

NEED = "webhook_dead_letters"


def _require_known(municipality: Municipality, pk: int) -> None:
    """404 for a delivery id that is no dead letter of the municipality's now and never
    was. A discarded one (or a retried one since cleared from the queue) is gone but left
    its audit entry, so only a replayed form hears "already retried or discarded"; an id
    that never existed said it too. One that exists is left to the services (another
    municipality's: 404)."""
    if WebhookDelivery.objects.filter(pk=pk).exists():
        return
    handled = AuditEntry.objects.filter(
        municipality=municipality,
        action__in=("webhook_delivery_discard", "webhook_delivery_retry"),
        object_type=WebhookDelivery.__name__,
        object_id=str(pk),
    )
    if not handled.exists():
        raise NotFound(gettext_lazy("Fant ikke leveringen."))


@municipality_view(need=NEED)
@require_GET
def dead_letter_list(request: MunicipalityRequest, municipality: Municipality) -> HttpResponse:
    letters = deadletters.dead_letters_for(user=request.actor, municipality=municipality)
    return render(request, "platforms/deadletters.html", {"letters": letters})


@municipality_view(need=NEED)
@require_POST
def dead_letter_retry(
    request: MunicipalityRequest, municipality: Municipality, pk: int
) -> HttpResponse:
    _require_known(municipality, pk)
    done = deadletters.delivery_retry(
        actor=request.actor, municipality=municipality, delivery_id=pk, now=timezone.now()
    )
    if done:
        messages.success(request, _("Leveringen er lagt i køen igjen og behandles straks."))
    else:
        messages.info(request, _("Leveringen var allerede prøvd igjen eller forkastet."))
    return redirect("platforms_deadletters:list", slug=municipality.slug)


@municipality_view(need=NEED)
@require_http_methods(["GET", "POST"])
def dead_letter_discard(
    request: MunicipalityRequest, municipality: Municipality, pk: int
) -> HttpResponse:
    if request.method == "GET":
        letter = deadletters.dead_letter_get(
            user=request.actor, municipality=municipality, delivery_id=pk
        )
        return render(request, "platforms/deadletter_discard.html", {"letter": letter})
    _require_known(municipality, pk)

    def done(discarded: bool) -> str:
        if discarded:
            return _("Leveringen er forkastet. Det er ført i revisjonsloggen.")
        return Already(_("Leveringen var allerede prøvd igjen eller forkastet."))

    return act(
        request,
        lambda: deadletters.delivery_discard(
            actor=request.actor, municipality=municipality, delivery_id=pk, now=timezone.now()
        ),
        to=reverse("platforms_deadletters:list", kwargs={"slug": municipality.slug}),
        done=done,
    )
