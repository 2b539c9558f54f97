"""E-mail about posts (Django e-mail; the console in the demo). Called from tasks only,
after the change committed. Bokmål; the reason is quoted, the post text is not."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from ordstyrer.publishing.models import Post


def rejected_notify(*, post_id: int) -> str:
    """Tell the author that the post came back, and why."""
    post = Post.objects.select_related("author", "municipality").filter(pk=post_id).first()
    if post is None or post.author is None or not (post.author.email or "").strip():
        return "skipped"
    with translation.override("nb"):
        subject = _("Innlegget ditt ble sendt tilbake")
        body = _(
            "Innlegget ditt i %(municipality)s ble ikke godkjent.\n\nBegrunnelse: %(reason)s\n\n"
            "Åpne innlegget: %(path)s"
        ) % {
            "municipality": post.municipality.name,
            "reason": post.rejection_reason,
            "path": reverse("publishing:detail", args=[post.municipality.slug, post.pk]),
        }
    message = EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[post.author.email]
    )
    get_connection().send_messages([message])
    return "sent"
