"""Moderation: hide, delete, ban with a ground the municipality allows (MO-1 … MO-6).

No business logic here: `services.py` writes actions, `outbox.py` carries them to the
platform after commit, `auto.py` applies the automatic rules (hide or flag, never
delete). A deletion is archived (`archive_append`) in the same transaction that writes
its `PlatformOp` row, so nothing leaves the platform before it is in the archive (MO-2).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class NoticeDelivery(models.TextChoices):
    # A public notice never names the person (#15).
    PUBLIC_REPLY = "public_reply", _("Alltid som offentlig kommentar på innlegget, uten navn")
    # Private first where the platform allows it (Facebook and Instagram "private
    # replies" to a comment); a public comment without the name otherwise.
    PRIVATE_REPLY = (
        "private_reply",
        _("Privat melding der plattformen tillater det, ellers offentlig uten navn"),
    )


# The categories of comments the guidelines treat as deletion candidates (triage action
# "hide" or "delete_allowed"): flagged for a person by default, never hidden unasked.
FLAGGED_BY_DEFAULT = ("spam", "hate_speech", "harassment", "third_party", "sensitive", "rumour")


def default_auto_rules() -> list[dict[str, str]]:
    return [{"category": category, "action": "flag"} for category in FLAGGED_BY_DEFAULT]


class ModerationSettings(models.Model):
    """A municipality's moderation settings beside its policy.

    The second approver is a setting here, not a policy override: the guidelines do not
    mention one, and policy overrides may only change parameters a preset already sets.
    """

    municipality = models.OneToOneField(
        "tenants.Municipality", on_delete=models.CASCADE, related_name="moderation_settings"
    )
    second_approver = models.BooleanField(
        _("sletting og utestenging må godkjennes av en person til"), default=False
    )
    notify_author = models.BooleanField(_("si fra til forfatteren (MO-4)"), default=True)
    notice_delivery = models.CharField(
        _("hvordan beskjeden sendes"),
        max_length=20,
        choices=NoticeDelivery.choices,
        default=NoticeDelivery.PRIVATE_REPLY,
    )
    # Where to complain, in the notice (MO-4). Empty: the preset's formal channel (if the
    # preset is the municipality's own), else the post office on its website. The website
    # itself is the municipality's identity (`Municipality.website`, read through
    # `policy_for`), never a second copy here.
    complaint_address = models.CharField(_("adresse for klager"), max_length=200, blank=True)
    # [{"category": "spam", "action": "hide"}, …]; actions are "hide" or "flag" only.
    auto_rules = models.JSONField(default=default_auto_rules, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("modereringsinnstillinger")
        verbose_name_plural = _("modereringsinnstillinger")

    def __str__(self) -> str:
        return f"{self.municipality_id}"


class ActionKind(models.TextChoices):
    HIDE = "hide", _("Skjult")
    UNHIDE = "unhide", _("Vist igjen")
    DELETE = "delete", _("Slettet")
    BAN = "ban", _("Utestengt")
    UNBAN = "unban", _("Utestenging opphevet")
    FLAG = "flag", _("Flagget for vurdering")
    # Not a decision on the comment: it goes with the municipality's own post, which is
    # taken down (PU-6); the action carries the notice to its author (MO-4,
    # `moderation.with_post`).
    WITH_POST = "with_post", _("Slettes med innlegget")


class ActionStatus(models.TextChoices):
    PENDING_APPROVAL = "pending_approval", _("Venter på godkjenning")
    QUEUED = "queued", _("Under utføring")
    DONE = "done", _("Utført")
    FAILED = "failed", _("Feilet")
    REJECTED = "rejected", _("Avvist")
    # Done by a person in the platform's own app (Instagram has no ban API), recorded here.
    RECORDED = "recorded", _("Registrert (utført i plattformens app)")


OPEN_STATUSES = (ActionStatus.PENDING_APPROVAL, ActionStatus.QUEUED)


class NoticeState(models.TextChoices):
    """Where the notice to the author stands (MO-4): its own state, beside the action's,
    so a deletion that is done with a notice that failed never reads as plain "done"."""

    QUEUED = "queued", _("Sendes")
    SENT = "sent", _("Sendt")
    FAILED = "failed", _("Feilet – ikke kommet fram")
    DELIVERED_BY_HAND = "delivered_by_hand", _("Gitt på en annen måte")
    # A ban's notice that had not reached the person when the ban was lifted: it is not
    # sent (`bans.author_unban`).
    CANCELLED = "cancelled", _("Ikke sendt – utestengingen ble opphevet")
    # PU-12: during a crisis the notice waits for the crisis leader, like a reply
    # (`crisis_notices`); the deletion or ban itself does not wait.
    AWAITING_CRISIS_APPROVAL = "awaiting_crisis", _("Venter på kriseleder")


class NoticeVia(models.TextChoices):
    PUBLIC_REPLY = "public_reply", _("offentlig kommentar på innlegget")
    PRIVATE_REPLY = "private_reply", _("privat melding til forfatteren")
    BY_HAND = "by_hand", _("på en annen måte")


class ModerationAction(models.Model):
    """One moderation decision on one item (or its author), with ground and who."""

    municipality = models.ForeignKey(
        "tenants.Municipality", on_delete=models.CASCADE, related_name="+"
    )
    channel = models.ForeignKey(
        "channels.Channel", on_delete=models.CASCADE, related_name="moderation_actions"
    )
    item = models.ForeignKey(
        "inbox.InboxItem", on_delete=models.PROTECT, related_name="moderation_actions"
    )
    kind = models.CharField(max_length=10, choices=ActionKind.choices)
    status = models.CharField(max_length=20, choices=ActionStatus.choices)
    ground = models.CharField(max_length=40, blank=True)
    justification = models.TextField(blank=True)
    automatic = models.BooleanField(default=False)
    rule = models.CharField(max_length=120, blank=True)  # the automatic rule that fired
    # Who and when. An automatic action has no person (requested_by is None).
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    rejection_reason = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # What it acted on, copied at the time (the item may change later).
    target_platform_id = models.CharField(max_length=255, blank=True)
    author_platform_id = models.CharField(max_length=255, blank=True)
    author_name = models.CharField(max_length=255, blank=True)
    # MO-4: the notice to the author, in the comment's written standard.
    notify = models.BooleanField(default=False)
    notice_language = models.CharField(max_length=5, blank=True)
    notice_text = models.TextField(blank=True)
    notice_state = models.CharField(
        max_length=20, choices=NoticeState.choices, blank=True, default=""
    )
    notice_via = models.CharField(max_length=20, choices=NoticeVia.choices, blank=True, default="")
    notice_error = models.TextField(blank=True)
    # "Sent another way": what the moderator wrote about how the author was told.
    notice_note = models.TextField(blank=True)
    notice_updated_at = models.DateTimeField(null=True, blank=True)
    # PU-12: the crisis that held the notice for the crisis leader, and who let it go
    # when (`crisis_notices`); a notice approved in a crisis is not held again in it.
    notice_crisis = models.ForeignKey(
        "crisis.Crisis", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    notice_crisis_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    notice_crisis_approved_at = models.DateTimeField(null=True, blank=True)
    # The archive record of the deletion or ban (MO-2); never changed once set.
    archive_record = models.ForeignKey(
        "archive.ArchiveRecord", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    error = models.TextField(blank=True)
    # The form's key (`core.intents`): a replayed post returns this action, never a second.
    intent_key = models.CharField(max_length=64, blank=True, default="")

    # Not columns: what the item page's panel reads (`selectors._panel_actions`: the
    # archive record's number and ground; `selectors.mark_followups`: how a failed
    # notice can still be given); absent on an action read any other way.
    archive_sequence: int | None
    archive_ground: str | None
    private_possible: bool
    public_possible: bool

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("modereringshandling")
        verbose_name_plural = _("modereringshandlinger")
        constraints = [
            # One deletion of a comment: requested, under way or done — never two.
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(kind="delete", status__in=["pending_approval", "queued", "done"]),
                name="moderation_one_deletion_per_item",
            ),
            # One action per intent: a double click or Back + submit acts once.
            models.UniqueConstraint(
                fields=["municipality", "intent_key"],
                condition=~Q(intent_key=""),
                name="moderation_one_action_per_intent",
            ),
        ]
        indexes = [
            models.Index(fields=["municipality", "-requested_at", "-id"]),
            models.Index(fields=["channel", "-requested_at", "-id"]),
            models.Index(fields=["item", "requested_at"]),
            models.Index(fields=["municipality", "status"]),
            models.Index(fields=["municipality", "notice_state"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.item_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def get_ground_label(self) -> str:
        from ordstyrer.moderation.grounds import ground_label

        return ground_label(self.ground, (get_language() or "nb")[:2]) if self.ground else ""


class OpKind(models.TextChoices):
    CAPTURE = "capture", _("Hente fra plattformen og arkivere")
    HIDE = "hide", _("Skjule")
    UNHIDE = "unhide", _("Vise igjen")
    DELETE = "delete", _("Slette")
    BLOCK = "block", _("Utestenge")
    UNBLOCK = "unblock", _("Oppheve utestenging")
    NOTICE = "notice", _("Si fra til forfatteren")
    # MO-4 as a private message to the commenter (Facebook/Instagram "private reply").
    PRIVATE_NOTICE = "private", _("Si fra privat til forfatteren")


class OpStatus(models.TextChoices):
    WAITING = "waiting", _("Venter på forrige steg")
    PENDING = "pending", _("I kø")
    RUNNING = "running", _("Pågår")
    DONE = "done", _("Utført")
    FAILED = "failed", _("Feilet")
    CANCELLED = "cancelled", _("Avlyst")
    # PU-12: a notice held for the crisis leader; never claimed until approved.
    HELD = "held", _("Venter på kriseleder")


class PlatformOp(models.Model):
    """The outbox: one platform call a moderation action needs, carried out after commit.

    Claimed compare-and-set (`pending` → `running` with a fresh `claim_token` and a
    lease); a worker that dies leaves a `running` row whose lease runs out and is claimed
    again. Every claim writes an `OpAttempt`.
    """

    action = models.ForeignKey(ModerationAction, on_delete=models.CASCADE, related_name="ops")
    channel = models.ForeignKey("channels.Channel", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=OpKind.choices)
    target = models.CharField(max_length=255, blank=True)  # comment, author or post id
    text = models.TextField(blank=True)  # the notice
    status = models.CharField(max_length=10, choices=OpStatus.choices)
    after = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="waiting"
    )
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claim_token = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    result = models.JSONField(default=dict, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("plattformoppgave")
        verbose_name_plural = _("plattformoppgaver")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["status", "lease_until"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.target} ({self.status})"


class AttemptOutcome(models.TextChoices):
    OK = "ok", _("Utført")
    GONE = "gone", _("Fantes ikke lenger (ferdig)")
    TRANSIENT = "transient", _("Midlertidig feil – prøver igjen")
    PERMANENT = "permanent", _("Varig feil")
    ABANDONED = "abandoned", _("Avbrutt – arbeideren stoppet")
    SUPERSEDED = "superseded", _("Overtatt av en annen arbeider")


class OpAttempt(models.Model):
    """One try of a `PlatformOp`: who ran it, when, and how it ended."""

    op = models.ForeignKey(PlatformOp, on_delete=models.CASCADE, related_name="attempts_log")
    number = models.PositiveSmallIntegerField()
    worker = models.CharField(max_length=80, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=AttemptOutcome.choices, blank=True)
    error = models.TextField(blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    retry_after = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["op", "number", "id"]
        indexes = [models.Index(fields=["op", "finished_at"])]

    def __str__(self) -> str:
        return f"{self.op_id}#{self.number} {self.outcome}"


class AutoCheck(models.Model):
    """The automatic rules looked at this item once (claimed by insert)."""

    item = models.OneToOneField(
        "inbox.InboxItem", on_delete=models.CASCADE, related_name="moderation_auto_check"
    )
    checked_at = models.DateTimeField()
    outcome = models.CharField(max_length=20, blank=True)

    def __str__(self) -> str:
        return f"{self.item_id}: {self.outcome}"
