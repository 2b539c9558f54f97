"""Crisis mode (PU-12): a declared crisis, the crisis leader's named deputies, and the
crisis log of every outgoing word.

No business logic here: `services.py` writes these rows, `selectors.py` reads them.
This module imports no other feature app (publishing and inbox import it).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Crisis(models.Model):
    """A crisis declared in a municipality; active while `ended_at` is empty (PU-12)."""

    municipality = models.ForeignKey(
        "tenants.Municipality", on_delete=models.CASCADE, related_name="crises"
    )
    name = models.CharField(_("navn på krisen"), max_length=200)
    declared_at = models.DateTimeField(_("erklært"))
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    ended_at = models.DateTimeField(_("avsluttet"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # Not columns: what `services.crisis_declare` paused and held, set on the crisis it
    # returns; absent on a crisis read any other way.
    paused_count: int
    paused_scheduled_count: int
    paused_waiting_count: int
    held_replies_count: int

    class Meta:
        ordering = ["-declared_at"]
        verbose_name = _("krise")
        verbose_name_plural = _("kriser")
        constraints = [
            # At most one active crisis per municipality, enforced by the database too.
            models.UniqueConstraint(
                fields=["municipality"],
                condition=Q(ended_at__isnull=True),
                name="crisis_one_active_per_municipality",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class CrisisDeputy(models.Model):
    """A person the municipality names as the crisis leader's deputy (PU-12)."""

    municipality = models.ForeignKey(
        "tenants.Municipality", on_delete=models.CASCADE, related_name="crisis_deputies"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="crisis_deputyships"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["added_at"]
        verbose_name = _("stedfortreder for kriseleder")
        verbose_name_plural = _("stedfortredere for kriseleder")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "user"], name="crisis_deputy_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.municipality_id})"


class CrisisLogKind(models.TextChoices):
    DECLARED = "declared", _("Krise erklært")
    ENDED = "ended", _("Krise avsluttet")
    # Scheduled posts and posts waiting for approval (the entry's text counts them apart).
    POSTS_PAUSED = "posts_paused", _("Innlegg satt på pause")
    POST_PUBLISHED = "post_published", _("Innlegg publisert")
    POST_APPROVED = "post_approved", _("Innlegg godkjent av kriseleder")
    POST_REJECTED = "post_rejected", _("Innlegg avvist av kriseleder")
    POST_RESUMED = "post_resumed", _("Innlegg gjenopptatt")
    POST_DISCARDED = "post_discarded", _("Innlegg forkastet")
    REPLY_SENT = "reply_sent", _("Svar sendt")
    REPLY_APPROVED = "reply_approved", _("Svar godkjent av kriseleder")
    REPLY_REJECTED = "reply_rejected", _("Svar avvist av kriseleder")
    NOTICE_SENT = "notice_sent", _("Beskjed til forfatteren sendt (MO-4)")
    DEPUTY_ADDED = "deputy_added", _("Stedfortreder oppnevnt")
    DEPUTY_REMOVED = "deputy_removed", _("Stedfortreder fjernet")


class CrisisLogEntry(models.Model):
    """One line of the crisis log: every outgoing word and every decision (PU-12).

    Append-only: services write it through `crisis_log_write`, nothing edits it.
    """

    crisis = models.ForeignKey(Crisis, on_delete=models.CASCADE, related_name="log_entries")
    kind = models.CharField(_("hva"), max_length=40, choices=CrisisLogKind.choices)
    text = models.TextField(_("tekst"), blank=True)
    channel = models.ForeignKey(
        "channels.Channel", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    object_kind = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("linje i kriseloggen")
        verbose_name_plural = _("kriselogg")
        indexes = [models.Index(fields=["crisis", "created_at"])]

    def __str__(self) -> str:
        return f"{self.crisis_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"
