"""The channel registry: official channels, their roles, approvals, closures and reviews.

No business logic here: the services in `services.py`, `closures.py` and `reviews.py`
write these rows; the selectors read them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ordstyrer import channelcodes
from ordstyrer.channels import workflow

if TYPE_CHECKING:
    from ordstyrer.channels.selectors import Flag


class ChannelKind(models.TextChoices):
    SIMULATED = "simulated", _("Simulert plattform")
    FACEBOOK = "facebook", _("Facebook-side")
    INSTAGRAM = "instagram", _("Instagram-konto")


class ChannelStatus(models.TextChoices):
    DRAFT = workflow.DRAFT, _("Utkast")
    SUBMITTED = workflow.SUBMITTED, _("Sendt inn")
    IN_REVIEW = workflow.IN_REVIEW, _("Under godkjenning")
    REJECTED = workflow.REJECTED, _("Avvist")
    APPROVED = workflow.APPROVED, _("Godkjent")
    ACTIVE = workflow.ACTIVE, _("Aktiv")
    PAUSED = workflow.PAUSED, _("Satt på pause")
    CLOSED = workflow.CLOSED, _("Stengt for kommentarer")
    RETIRED = workflow.RETIRED, _("Avviklet")


class ChannelRole(models.TextChoices):
    """Per-channel roles (CH-3). Only these people act in the municipality's name. The
    codes from `ordstyrer.channelcodes`, which `tenants` (below this app) names too."""

    MAIN_ADMIN = channelcodes.MAIN_ADMIN, _("Hovedadministrator")
    ADMIN = channelcodes.ADMIN, _("Administrator")
    EDITOR = channelcodes.EDITOR, _("Redaktør")


class Channel(models.Model):
    """An official channel, from the first proposal to retirement (CH-1, CH-8)."""

    municipality = models.ForeignKey(
        "tenants.Municipality", on_delete=models.CASCADE, related_name="channels"
    )
    unit = models.ForeignKey(
        "tenants.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="channels",
        verbose_name=_("eierenhet"),
    )
    kind = models.CharField(_("plattform"), max_length=20, choices=ChannelKind.choices)
    name = models.CharField(_("navn"), max_length=120)
    url = models.URLField(_("nettadresse"), blank=True, max_length=500)
    platform_id = models.CharField(_("plattformens id"), max_length=120, blank=True)
    purpose = models.TextField(_("formål"), blank=True)
    audience = models.TextField(_("målgruppe"), blank=True)
    # The other CH-2 plan fields by code (policy.tables.PLAN_FIELDS): why, goals, topics, …
    plan = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ChannelStatus.choices, default=ChannelStatus.DRAFT
    )
    # CH-1: the approval chain as it was when the proposal was submitted, and the index
    # of the step waiting for a decision. A policy change affects later submissions only.
    approval_chain = models.JSONField(default=list, blank=True)
    approval_step = models.PositiveSmallIntegerField(default=0)
    approval_round = models.PositiveSmallIntegerField(default=0)
    rejection_reason = models.TextField(_("begrunnelse for avslag"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # CH-8 "last activity": stamped by publishing and the inbox through
    # `channel_record_activity`, and by every change of state here.
    last_activity_at = models.DateTimeField(null=True, blank=True)
    # Non-secret connector settings (tokens are stored encrypted by the connectors' side).
    connector_config = models.JSONField(default=dict, blank=True)
    # The proposal form's key (`core.intents`): the same form sent twice proposes once.
    intent_key = models.CharField(max_length=64, blank=True, default="")

    # Not columns: set on the channels `selectors.channel_registry` returns (the flags of
    # CH-3/CH-5/CH-6 and the overdue replies); absent on a channel read any other way.
    flags: list[Flag]
    overdue_count: int
    # The registry's queryset annotations and prefetch (`selectors._registry_queryset`).
    active_main_admins: int
    review_overdue: bool
    main_admins: list[ChannelMembership]

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("kanal")
        verbose_name_plural = _("kanaler")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "kind", "name"], name="channel_unique_name"
            ),
            # One proposal per intent: a double click or Back + send proposes once.
            models.UniqueConstraint(
                fields=["municipality", "intent_key"],
                condition=~models.Q(intent_key=""),
                name="channels_one_proposal_per_intent",
            ),
        ]
        indexes = [models.Index(fields=["municipality", "status"])]

    def __str__(self) -> str:
        return self.name

    @property
    def current_approver_role(self) -> str | None:
        if self.status in workflow.AWAITING_DECISION and self.approval_step < len(
            self.approval_chain
        ):
            return self.approval_chain[self.approval_step]
        return None


EVENT_LABELS = {
    "propose": _("Foreslått"),
    "update": _("Forslaget endret"),
    "submit": _("Sendt til godkjenning"),
    "withdraw": _("Trukket tilbake til utkast"),
    "approve": _("Godkjent"),
    "reject": _("Avvist"),
    "activate": _("Tatt i bruk"),
    "pause": _("Satt på pause"),
    "resume": _("Tatt i bruk igjen"),
    "close": _("Stengt for kommentarer"),
    "reopen": _("Åpnet igjen"),
    "retire": _("Avviklet"),
    "review": _("Gjennomgått"),
    "closure_notice": _("Beskjed om stenging publisert"),
}


class ChannelEvent(models.Model):
    """One step in a channel's life: who did what, when, from which state to which."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=30)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    # For approval decisions: the chain role decided and the submission round.
    approver_role = models.CharField(max_length=30, blank=True)
    approval_round = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["channel", "at"])]

    def __str__(self) -> str:
        return f"{self.channel_id}: {self.action}"

    @property
    def action_label(self) -> str:
        return str(EVENT_LABELS.get(self.action, self.action))


class ChannelMembership(models.Model):
    """A person's role on one channel (CH-3)."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channel_memberships"
    )
    role = models.CharField(_("rolle"), max_length=20, choices=ChannelRole.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    granted_at = models.DateTimeField()

    class Meta:
        ordering = ["role", "user__first_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "user"], name="channel_membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} @ {self.channel_id}"


class ClosureState(models.TextChoices):
    SCHEDULED = "scheduled", _("Planlagt")
    IN_EFFECT = "in_effect", _("Stengt nå")
    ENDED = "ended", _("Åpnet igjen")
    CANCELLED = "cancelled", _("Avlyst")


class CommentMode(models.TextChoices):
    """How commenting was made impossible during a closure (CH-9)."""

    PENDING = "pending", _("Venter på plattformen")
    SWITCHED_OFF = "switched_off", _("Kommentarer slått av på plattformen")
    HIDE_NEW = "hide_new", _("Nye kommentarer skjules automatisk")
    FAILED = "failed", _("Plattformen svarte ikke – følg med manuelt")


class Closure(models.Model):
    """A period the channel is closed for comments, with its reason (CH-9)."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="closures")
    reason = models.TextField(_("hvorfor kanalen stenges"))
    starts_at = models.DateTimeField(_("stenges fra"))
    ends_at = models.DateTimeField(_("åpnes igjen"))
    state = models.CharField(max_length=20, choices=ClosureState.choices, db_index=True)
    comment_mode = models.CharField(
        max_length=20, choices=CommentMode.choices, default=CommentMode.PENDING
    )
    # Posts whose comments were switched off, to switch on again at the end.
    switched_post_ids = models.JSONField(default=list, blank=True)
    platform_note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    notice_published_at = models.DateTimeField(null=True, blank=True)
    notice_published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    platform_closed_at = models.DateTimeField(null=True, blank=True)
    platform_reopened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["state", "starts_at"]),
            models.Index(fields=["state", "ends_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="closure_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel_id}: {self.starts_at:%Y-%m-%d %H:%M} – {self.ends_at:%Y-%m-%d %H:%M}"


class ClosureHiddenComment(models.Model):
    """A comment that arrived while the channel was closed: hidden automatically and
    listed for the editor afterwards (CH-9).

    Until it is `hidden`, `closures_platform_sweep` tries again from `retry_at` while the
    closure is in effect (a transient failure, or the task was lost); `failed`: the
    platform refused for good, and `note` says why, for people to act on."""

    closure = models.ForeignKey(Closure, on_delete=models.CASCADE, related_name="hidden_comments")
    comment_id = models.CharField(max_length=200)
    # The post it came on, when known: switched off too where the closure switches.
    post_id = models.CharField(max_length=200, blank=True)
    arrived_at = models.DateTimeField()
    hidden = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)  # failed tries
    retry_at = models.DateTimeField(null=True, blank=True)
    failed = models.BooleanField(default=False)

    class Meta:
        ordering = ["arrived_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["closure", "comment_id"], name="closure_hidden_comment_unique"
            ),
        ]
        indexes = [
            models.Index(
                fields=["retry_at"],
                condition=models.Q(hidden=False, failed=False),
                name="closure_hidden_retry_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.comment_id


class ClosurePostSwitch(models.Model):
    """A post whose comments a closure in effect switches off on its own (published, or
    commented on, during the closure; CH-9), recorded before the platform is asked.

    Until it is `switched_off` (or needs no switch), `closures_platform_sweep` tries
    again from `retry_at` while the closure is in effect; `failed`: the platform refused
    for good, and `note` says why, for people to act on."""

    closure = models.ForeignKey(Closure, on_delete=models.CASCADE, related_name="post_switches")
    post_id = models.CharField(max_length=200)
    queued_at = models.DateTimeField()
    switched_off = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)  # failed tries
    retry_at = models.DateTimeField(null=True, blank=True)
    failed = models.BooleanField(default=False)

    class Meta:
        ordering = ["queued_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["closure", "post_id"], name="closure_post_switch_unique"
            ),
        ]
        indexes = [
            models.Index(
                fields=["retry_at"],
                condition=models.Q(switched_off=False, failed=False),
                name="closure_post_retry_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.post_id


class ChannelReview(models.Model):
    """A periodic review of a channel by its main administrator (CH-6)."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="reviews")
    due_on = models.DateField(_("frist"))
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Checklist answers by code (see reviews.CHECKLIST) and free notes.
    answers = models.JSONField(default=dict, blank=True)
    notes = models.TextField(_("merknader"), blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    reminder_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-due_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "due_on"], name="channel_review_unique"),
        ]
        indexes = [models.Index(fields=["completed_at", "due_on"])]

    def __str__(self) -> str:
        return f"{self.channel_id}: {self.due_on}"

    @property
    def done(self) -> bool:
        return self.completed_at is not None
