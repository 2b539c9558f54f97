"""The inbox: every comment, reply, visitor post and message from every channel (DI-1 … DI-12).

No business logic here: `ingest.py` writes arriving items, `services.py`, `replies.py`,
`referrals.py` and `reports_unwanted.py` write the work on them; selectors read them.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ordstyrer.inbox import workflow


class ItemKind(models.TextChoices):
    COMMENT = "comment", _("Kommentar")
    REPLY = "reply", _("Svar på kommentar")
    VISITOR_POST = "visitor_post", _("Innlegg fra besøkende")
    MESSAGE = "message", _("Melding")
    # DI-11: an employee reported something we had no platform record of.
    REPORT = "report", _("Meldt av ansatt")


class ItemStatus(models.TextChoices):
    NEW = workflow.NEW, _("Ny")
    ACKNOWLEDGED = workflow.ACKNOWLEDGED, _("Bekreftet mottatt")
    ANSWERED = workflow.ANSWERED, _("Besvart")
    REFERRED = workflow.REFERRED, _("Henvist")
    CLOSED = workflow.CLOSED, _("Lukket")
    REOPENED = workflow.REOPENED, _("Gjenåpnet")


class CloseReason(models.TextChoices):
    NO_REPLY_NEEDED = "no_reply_needed", _("Trenger ikke svar")
    HANDLED_ELSEWHERE = "handled_elsewhere", _("Håndtert i en annen kanal")
    MODERATED = "moderated", _("Moderert (skjult eller slettet)")
    DUPLICATE = "duplicate", _("Duplikat")
    AUTHOR_REMOVED = "author_removed", _("Fjernet av forfatteren")
    # The system's, when the channel is retired (CH-1, CH-3): nobody decided the item
    # needed no answer, so it is no response in time either (DI-1, docs/inbox.md#reports).
    CHANNEL_RETIRED = "channel_retired", _("Kanalen er lagt ned")
    # The system's, on arrival: another citizen's reply under a comment that is gone from
    # the platform (removed by its author, or deleted by the municipality). The platform
    # takes a comment's replies with it, so it cannot be answered there and gets no
    # deadline (DI-1, `inbox.ingest`); it is kept and shown, not judged in the report.
    PARENT_REMOVED = "parent_removed", _("Svar under en fjernet kommentar")


# The system's reasons: a person never closes with them (the close form, the work list's
# bulk close and `services.item_set_status` leave them out).
SYSTEM_CLOSE_REASONS = frozenset(
    {CloseReason.AUTHOR_REMOVED, CloseReason.CHANNEL_RETIRED, CloseReason.PARENT_REMOVED}
)


def person_close_reasons() -> list[tuple[str, Any]]:
    """The close reasons a person may choose, as (value, label)."""
    return [(v, label) for v, label in CloseReason.choices if v not in SYSTEM_CLOSE_REASONS]


class InboxItem(models.Model):
    """One thing a citizen wrote on one of the municipality's channels.

    Unique by (channel, platform id): the same comment arriving twice (webhook and
    poll, retries) is one item. Deadlines are stored in UTC when the item arrives.
    """

    municipality = models.ForeignKey(
        "tenants.Municipality", on_delete=models.CASCADE, related_name="+"
    )
    channel = models.ForeignKey(
        "channels.Channel", on_delete=models.CASCADE, related_name="inbox_items"
    )
    kind = models.CharField(max_length=20, choices=ItemKind.choices, default=ItemKind.COMMENT)
    platform_id = models.CharField(max_length=255)
    post_id = models.CharField(max_length=255, blank=True)
    parent_platform_id = models.CharField(max_length=255, blank=True)
    # A follow-up by the same citizen is folded into the item that carries the work.
    conversation = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="follow_ups"
    )
    # Shown in the work list: citizens' items that are not folded follow-ups.
    listed = models.BooleanField(default=True)
    from_page = models.BooleanField(default=False)

    author_platform_id = models.CharField(max_length=255, blank=True)
    author_name = models.CharField(max_length=255, blank=True)
    author_url = models.URLField(max_length=500, blank=True)
    text = models.TextField(blank=True)
    permalink = models.URLField(max_length=1000, blank=True)
    edited = models.BooleanField(default=False)
    hidden = models.BooleanField(default=False)
    # When the platform's hide/unhide now shown was received (orders out-of-order and
    # replayed hide/unhide events, as `text_seen_at` orders edits; `inbox.ingest`).
    hidden_seen_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    # When the text now shown was received (orders out-of-order edits).
    text_seen_at = models.DateTimeField(null=True, blank=True)

    platform_created_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField()

    # Triage on arrival (ordstyrer.language.triage).
    category = models.CharField(max_length=30, blank=True)
    categories = models.JSONField(default=list, blank=True)
    personal_data = models.JSONField(default=list, blank=True)
    written_standard = models.CharField(max_length=5, blank=True)
    action = models.CharField(max_length=40, blank=True)
    triage = models.JSONField(default=dict, blank=True)
    triaged_at = models.DateTimeField(null=True, blank=True)

    # Work.
    status = models.CharField(max_length=20, choices=ItemStatus.choices, default=ItemStatus.NEW)
    open = models.BooleanField(default=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField(max_length=30, choices=CloseReason.choices, blank=True)
    # None: the channel's administrators (the default); a person otherwise.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbox_items",
    )
    reported = models.BooleanField(default=False)  # DI-11
    escalated_at = models.DateTimeField(null=True, blank=True)  # DI-10

    # Clocks (DI-1, DI-2), all UTC.
    started_at = models.DateTimeField(null=True, blank=True)
    resolution_started_at = models.DateTimeField(null=True, blank=True)
    first_response_due = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    deadline_policy_version = models.PositiveIntegerField(default=0)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # Working seconds the municipality took, stamped when the clock stopped (reports).
    first_response_seconds = models.PositiveIntegerField(null=True, blank=True)
    resolution_seconds = models.PositiveIntegerField(null=True, blank=True)
    first_response_in_time = models.BooleanField(null=True, blank=True)
    resolution_in_time = models.BooleanField(null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(default=0)

    # Deadline sweep claims (compare-and-set): the `due_at` each notice was sent for.
    warned_for = models.DateTimeField(null=True, blank=True)
    overdue_noticed_for = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("henvendelse")
        verbose_name_plural = _("henvendelser")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "platform_id"], name="inbox_item_unique_platform_id"
            ),
        ]
        indexes = [
            # The work list: open items by deadline, per municipality / channel / person.
            models.Index(
                fields=["municipality", "open", "due_at", "id"],
                condition=Q(listed=True),
                name="inbox_open_by_due",
            ),
            models.Index(
                fields=["channel", "open", "due_at", "id"],
                condition=Q(listed=True),
                name="inbox_channel_open_by_due",
            ),
            models.Index(
                fields=["assignee", "open", "due_at", "id"],
                condition=Q(listed=True),
                name="inbox_assignee_open_by_due",
            ),
            models.Index(
                fields=["municipality", "category", "open", "due_at", "id"],
                condition=Q(listed=True),
                name="inbox_category_open_by_due",
            ),
            # "All" and closed views: newest first.
            models.Index(
                fields=["municipality", "-received_at", "-id"],
                condition=Q(listed=True),
                name="inbox_by_received",
            ),
            models.Index(
                fields=["channel", "-received_at", "-id"],
                condition=Q(listed=True),
                name="inbox_channel_by_received",
            ),
            # Threads, and the deadline sweep.
            models.Index(fields=["channel", "parent_platform_id"], name="inbox_thread"),
            models.Index(fields=["open", "warn_at"], name="inbox_sweep_warn"),
            models.Index(fields=["open", "due_at"], name="inbox_sweep_due"),
        ]

    def __str__(self) -> str:
        return f"{self.channel_id}:{self.platform_id}"

    def get_category_label(self) -> str:
        from ordstyrer.inbox.triage import category_label

        return category_label(self.category)

    @property
    def is_tombstone(self) -> bool:
        """Removed by its author before we ever saw its text."""
        return self.removed_at is not None and not self.text


class ItemVersion(models.Model):
    """Every text an item has had (DI: edits by the author are tracked, nothing lost)."""

    item = models.ForeignKey(InboxItem, on_delete=models.CASCADE, related_name="versions")
    text = models.TextField(blank=True)
    # True for the text as first posted (an "add"), False for an edit.
    original = models.BooleanField(default=False)
    seen_at = models.DateTimeField()

    class Meta:
        ordering = ["-original", "seen_at", "id"]
        indexes = [models.Index(fields=["item", "seen_at"])]

    def __str__(self) -> str:
        return f"{self.item_id} @ {self.seen_at:%Y-%m-%d %H:%M}"


EVENT_LABELS = {
    "arrived": _("Mottatt"),
    "edited": _("Endret av forfatteren"),
    "removed": _("Fjernet av forfatteren"),
    "follow_up": _("Innbyggeren skrev igjen"),
    "acknowledge": _("Bekreftet mottatt"),
    "answer": _("Besvart"),
    "refer": _("Henvist"),
    "close": _("Lukket"),
    "reopen": _("Gjenåpnet"),
    "assign": _("Tildelt"),
    "note": _("Notat"),
    "categories": _("Kategori rettet"),
    "reply": _("Svar skrevet"),
    "reply_failed": _("Svaret ble ikke publisert"),
    "reply_crisis_approved": _("Kriselederen godkjente svaret"),
    "reply_crisis_rejected": _("Kriselederen stoppet svaret"),
    "refer_formal": _("Henvist til formell henvendelse"),
    "refer_political": _("Henvist til politisk nivå"),
    "escalate": _("Sendt til kommunikasjon"),
    "reported": _("Meldt av en ansatt"),
    "notice": _("Påminnelse sendt"),
    # Written by the moderation app into the item's timeline.
    "mod_hide": _("Skjult (moderering)"),
    "mod_unhide": _("Vist igjen (moderering)"),
    "mod_delete_requested": _("Sletting foreslått – venter på godkjenning"),
    "mod_delete": _("Sletting bestemt og arkivert"),
    "mod_delete_rejected": _("Sletting avvist"),
    "mod_ban": _("Forfatteren utestengt"),
    "mod_unban": _("Utestenging opphevet"),
    "mod_flag": _("Flagget for moderering (automatisk regel)"),
    "mod_platform_done": _("Utført på plattformen"),
    "mod_platform_failed": _("Plattformen utførte ikke handlingen"),
    "mod_notice": _("Beskjed sendt til forfatteren"),
    "mod_notice_retry": _("Beskjeden til forfatteren sendes på nytt"),
    "mod_notice_by_hand": _("Beskjeden gitt forfatteren på en annen måte"),
}
# The rules an event carries out. The labels above name none: the console cites these
# only where the municipality's policy applies them (`inbox.forms.cited`), so Indre
# Fosen, whose guideline has no DI-8, never reads «(DI-8)».
EVENT_RULES: dict[str, tuple[str, ...]] = {
    "refer_formal": ("DI-7",),
    "refer_political": ("DI-8",),
    "escalate": ("DI-10",),
    "reported": ("DI-11",),
    "mod_delete": ("MO-1", "MO-2"),
    "mod_ban": ("MO-1",),
    "mod_notice": ("MO-4",),
    "mod_notice_retry": ("MO-4",),
    "mod_notice_by_hand": ("MO-4",),
}


class ItemEvent(models.Model):
    """The item's timeline: notes, status changes, assignment, replies, referrals."""

    item = models.ForeignKey(InboxItem, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField()
    text = models.TextField(blank=True)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["item", "at"])]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.action}"

    @property
    def label(self) -> str:
        """What happened, in the console's language, without rule ids (`rules`)."""
        return str(EVENT_LABELS.get(self.action, self.action))

    @property
    def rules(self) -> tuple[str, ...]:
        """The guideline rules the event carries out, to cite where the policy applies them."""
        return EVENT_RULES.get(self.action, ())

    @property
    def categories_text(self) -> str:
        """A category correction's categories, in the console's language."""
        from ordstyrer.inbox.triage import category_label

        return ", ".join(category_label(code) for code in self.data.get("to") or ())


class ReplyStatus(models.TextChoices):
    QUEUED = "queued", _("Sendes")
    RETRYING = "retrying", _("Prøver igjen")
    SENT = "sent", _("Sendt")
    FAILED = "failed", _("Feilet")
    # PU-12: during a crisis a reply waits for the crisis leader; rejected ones never go out.
    AWAITING_CRISIS_APPROVAL = "awaiting_crisis_approval", _("Venter på kriseleder")
    REJECTED = "rejected", _("Avvist av kriseleder")


class Reply(models.Model):
    """A reply in the municipality's name, checked before it goes out (DI-5, DI-6, DI-9, PU-1)."""

    item = models.ForeignKey(InboxItem, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField()
    template = models.CharField(max_length=30, blank=True)
    language = models.CharField(max_length=5, blank=True)
    # The action the reply performs on the item: acknowledge, answer, refer.
    effect = models.CharField(max_length=20)
    findings = models.JSONField(default=list, blank=True)
    override_reason = models.TextField(blank=True)
    status = models.CharField(
        max_length=30, choices=ReplyStatus.choices, default=ReplyStatus.QUEUED
    )
    # PU-12: the crisis the reply was written in, and the crisis leader's decision.
    crisis = models.ForeignKey(
        "crisis.Crisis", on_delete=models.SET_NULL, null=True, blank=True, related_name="replies"
    )
    crisis_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    crisis_decided_at = models.DateTimeField(null=True, blank=True)
    crisis_reason = models.TextField(blank=True)
    # What the item's status and clock stamps were before the reply, to restore if the
    # platform refuses the reply for good.
    previous = models.JSONField(default=dict, blank=True)
    platform_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    # The reply form's key (`core.intents`): a replayed post returns this reply.
    intent_key = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["item", "created_at"]),
            models.Index(fields=["platform_id"]),
        ]
        constraints = [
            # One reply per intent: a double click or Back + submit publishes once.
            models.UniqueConstraint(
                fields=["item", "intent_key"],
                condition=~Q(intent_key=""),
                name="inbox_one_reply_per_intent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.status}"


class ReferralKind(models.TextChoices):
    FORMAL = "formal", _("Formell henvendelse")
    POLITICAL = "political", _("Politisk nivå")
    ESCALATION = "escalation", _("Omdømmekritisk sak")


# The rule behind each kind of referral; its label names none and is cited only where the
# municipality's policy applies the rule (`inbox.forms.cited`), as `EVENT_RULES`.
REFERRAL_RULES: dict[str, tuple[str, ...]] = {
    ReferralKind.FORMAL: ("DI-7",),
    ReferralKind.POLITICAL: ("DI-8",),
    ReferralKind.ESCALATION: ("DI-10",),
}


class JournalState(models.TextChoices):
    NOT_NEEDED = "not_needed", _("Skal ikke journalføres")
    PENDING = "pending", _("Venter på journalføring")
    JOURNALED = "journaled", _("Journalført")


class Referral(models.Model):
    """Where an item was sent: the formal channel (DI-7, journaled per AR-1), the
    political level (DI-8), or communications and the rådmann team (DI-10)."""

    item = models.ForeignKey(InboxItem, on_delete=models.CASCADE, related_name="referrals")
    kind = models.CharField(max_length=20, choices=ReferralKind.choices)
    target = models.CharField(_("henvist til"), max_length=255)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField()
    journal_state = models.CharField(
        max_length=20, choices=JournalState.choices, default=JournalState.NOT_NEEDED
    )
    journal_reference = models.CharField(max_length=255, blank=True)
    # The referral or escalation form's key (`core.intents`): a replayed post returns
    # this referral (one journal record, one e-mail to communications; AR-3, DI-10).
    intent_key = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["journal_state", "at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "intent_key"],
                condition=~Q(intent_key=""),
                name="inbox_one_referral_per_intent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.kind} → {self.target}"

    @property
    def rules(self) -> tuple[str, ...]:
        """The guideline rule behind the referral, to cite where the policy applies it."""
        return REFERRAL_RULES.get(self.kind, ())


class UnwantedReport(models.Model):
    """DI-11: an employee reported an unwanted statement on an official channel."""

    item = models.ForeignKey(InboxItem, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    link = models.URLField(max_length=1000, blank=True)
    text = models.TextField(blank=True)
    note = models.TextField(blank=True)
    at = models.DateTimeField()
    # The report form's key (`core.intents`): a replayed post returns this report's item
    # instead of opening another.
    intent_key = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "intent_key"],
                condition=~Q(intent_key=""),
                name="inbox_one_report_per_intent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} ({self.at:%Y-%m-%d})"


class ChannelPoll(models.Model):
    """Where polling of one channel's `CommentSource` stands (claimed compare-and-set)."""

    channel = models.OneToOneField(
        "channels.Channel", on_delete=models.CASCADE, related_name="inbox_poll"
    )
    next_poll_at = models.DateTimeField()
    # Event feeds (the simulated platform): the last sequence number ingested.
    cursor = models.BigIntegerField(default=0)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    failures = models.PositiveSmallIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["next_poll_at"])]

    def __str__(self) -> str:
        return f"{self.channel_id} @ {self.cursor}"


class BulkIntent(models.Model):
    """The result of one bulk form post (`core.intents`): a replay returns it (#15)."""

    municipality = models.ForeignKey(
        "tenants.Municipality", on_delete=models.CASCADE, related_name="+"
    )
    # The form's intent key and a digest of what was asked (a stale page's other action
    # is a new intent, the same form posted again is not).
    key = models.CharField(max_length=130)
    result = models.JSONField(default=dict)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "key"], name="inbox_one_bulk_per_intent"
            ),
        ]

    def __str__(self) -> str:
        return self.key


class DigestMark(models.Model):
    """A person's daily digest was claimed for this day (one a day, #15)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="inbox_one_digest_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"


class PolicyMark(models.Model):
    """The policy version the municipality's open deadlines were computed with."""

    municipality = models.OneToOneField(
        "tenants.Municipality", on_delete=models.CASCADE, related_name="+"
    )
    policy_version = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.municipality_id}: v{self.policy_version}"


class SimulatedWorld(models.Model):
    """The simulated platform's world for one demo channel, kept between polls and
    replies so that ids stay stable and our replies stay on the page (the demo's
    "platform"; real platforms keep their own state)."""

    channel = models.OneToOneField(
        "channels.Channel", on_delete=models.CASCADE, related_name="simulated_world"
    )
    state = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.channel_id}"


class ReplyPresence(models.Model):
    """Someone has the reply box open on an item (#15: "someone else is writing here").

    One row per (item, person), refreshed while they write (`inbox.presence`); a row
    older than `presence.WINDOW` means nothing. Not audited: it records no decision,
    only that a colleague is busy here, and it is deleted once the reply is sent.
    """

    item = models.ForeignKey(InboxItem, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # When this person opened the box (kept while they keep writing), and last seen.
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "user"], name="inbox_one_presence_per_person"),
        ]
        indexes = [models.Index(fields=["item", "seen_at"], name="inbox_presence_recent")]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.user_id} @ {self.seen_at:%H:%M}"
