"""E-mail when a channel's platform connection needs re-authorisation, or Meta has
stopped its writes as abusive (from a task); in each recipient's language (`core.mail`)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from ordstyrer.channels.models import Channel
from ordstyrer.channels.selectors import main_admin_users
from ordstyrer.core.mail import addresses, console_url, send


def notify_reauth(*, channel_id: int) -> int:
    channel = Channel.objects.select_related("municipality").get(pk=channel_id)
    recipients = addresses(main_admin_users(channel=channel))
    if not recipients:
        return 0
    path = console_url(
        reverse(
            "platforms:connection", kwargs={"slug": channel.municipality.slug, "pk": channel.pk}
        )
    )

    def compose() -> tuple[str, str]:
        subject = _("Kanalen «%(name)s» må kobles til på nytt") % {"name": channel.name}
        body = _(
            "Ordstyrer får ikke lenger tilgang til %(name)s: tilgangen (token) er utløpt "
            "eller trukket tilbake. Nye kommentarer kommer ikke inn, og svar kan ikke "
            "sendes før en hovedadministrator kobler kanalen til igjen.\n\n"
            "Koble til på nytt her: %(path)s"
        ) % {"name": channel.name, "path": path}
        return subject, body

    return send(compose, recipients)


def notify_policy_block(*, channel_id: int) -> int:
    """Meta's 368 (spec §3.2): writes to the Page are stopped for hours; a person must
    look at what was sent and at the Page's quality in Meta's own tools."""
    channel = Channel.objects.select_related("municipality").get(pk=channel_id)
    recipients = addresses(main_admin_users(channel=channel))
    if not recipients:
        return 0

    def compose() -> tuple[str, str]:
        subject = _("Meta har stanset skrivingen til «%(name)s»") % {"name": channel.name}
        body = _(
            "Meta har sperret en handling på %(name)s som misbruk. Ordstyrer sender ingen "
            "svar, innlegg eller moderering til kanalen de neste timene; det som venter, "
            "prøves igjen etterpå. Nye kommentarer kommer fortsatt inn.\n\n"
            "Se gjennom det som nylig ble sendt fra kanalen, og sjekk siden i Metas egne "
            "verktøy (Kontostatus) før skrivingen tas opp igjen."
        ) % {"name": channel.name}
        return subject, body

    return send(compose, recipients)
