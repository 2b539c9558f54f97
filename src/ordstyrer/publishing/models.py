"""Publishing: posts, their channels, media and the consent register (PU-1 … PU-12, AR-1).

No business logic here: `services.py` writes these rows, `delivery.py` carries posts to
the platforms after commit, `selectors.py` reads them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PostStatus(models.TextChoices):
    """Post statuses fixed by the API contract (api.md)."""

    DRAFT = "draft", _("Utkast")
    AWAITING_APPROVAL = "awaiting_approval", _("Venter på godkjenning")
    AWAITING_CRISIS_APPROVAL = "awaiting_crisis_approval", _("Venter på kriseleder")
    SCHEDULED = "scheduled", _("Planlagt")
    PUBLISHING = "publishing", _("Publiseres")
    PUBLISHED = "published", _("Publisert")
    FAILED = "failed", _("Feilet")
    REJECTED = "rejected", _("Avvist")
    PAUSED = "paused", _("Satt på pause (krise)")


class DeliveryStatus(models.TextChoices):
    """Per-channel statuses (api.md)."""

    QUEUED = "queued", _("I kø")
    SCHEDULED = "scheduled", _("Planlagt")
    PUBLISHING = "publishing", _("Publiseres")
    PUBLISHED = "published", _("Publisert")
    FAILED = "failed", _("Feilet")


class Approval(models.TextChoices):
    """Who approves a channel's posts before they go out (CH-4: unit leaders run the
    unit's channels; communications is web editor). Empty: the preset's default."""

    PRESET = "", _("Som retningslinjen sier")
    NONE = "none", _("Ingen godkjenning")
    UNIT_LEADER = "unit_leader", _("Enhetsleder")
    COMMUNICATIONS = "communications", _("Kommunikasjon")
    UNIT_LEADER_OR_COMMUNICATIONS = (
        "unit_leader_or_communications",
        _("Enhetsleder eller kommunikasjon"),
    )


class ChannelPublishing(models.Model):
    """One channel's publishing settings: approval, four eyes, main page (PU-10)."""

    channel = models.OneToOneField(
        "channels.Channel", on_delete=models.CASCADE, related_name="publishing"
    )
    approval = models.CharField(
        _("godkjenning av innlegg"),
        max_length=40,
        choices=Approval.choices,
        default=Approval.PRESET,
        blank=True,
    )
    # Four eyes: the approver must be another person than the author.
    four_eyes = models.BooleanField(_("fire øyne: godkjenner er ikke forfatteren"), default=True)
    # PU-10 applies to the municipality's main page only ("other accounts as needed").
    is_main_page = models.BooleanField(_("kommunens hovedside (PU-10)"), default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.channel_id}"


class MediaKind(models.TextChoices):
    IMAGE = "image", _("Bilde")
    VIDEO = "video", _("Video")


class CaptionMode(models.TextChoices):
    """PU-3: how a video's speech is made readable."""

    UNKNOWN = "", _("Ikke oppgitt")
    FILE = "file", _("Undertekstfil (SRT/VTT)")
    BURNED_IN = "burned_in", _("Tekstingen er brent inn i videoen")
    NO_SPEECH = "no_speech", _("Videoen har ingen tale")


class People(models.TextChoices):
    """PU-6: who is in the picture."""

    UNKNOWN = "", _("Ikke oppgitt")
    NONE = "none", _("Ingen personer")
    RECOGNISABLE = "recognisable", _("Gjenkjennbare personer")
    CROWD = "crowd", _("Folkemengde på offentlig arrangement")


class MediaAsset(models.Model):
    """An image or video and what the register knows about it (PU-3, PU-4, PU-6, PU-7).

    The file is kept in the database like the archive's files: web and worker machines
    then need no shared disk, and a backup of the database holds everything. Reusable
    across posts; the consent register hangs on it.
    """

    municipality = models.ForeignKey(
        "tenants.Municipality", on_delete=models.CASCADE, related_name="media_assets"
    )
    kind = models.CharField(_("type"), max_length=10, choices=MediaKind.choices)
    filename = models.CharField(_("filnavn"), max_length=200)
    mime = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(default=0)
    # An image's size in pixels as it is shown (upright: its EXIF orientation applied),
    # read at upload: Instagram takes only aspect ratios from 4:5 to 1.91:1
    # (`rules.channel_findings`). None for a video, and for an image no one could read.
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()
    # Unguessable id for the public URL Instagram fetches the file from (spec §4.5).
    public_token = models.CharField(max_length=64, unique=True)
    alt_text = models.TextField(_("alternativ tekst"), blank=True)
    title = models.CharField(_("tittel"), max_length=200, blank=True)
    caption_mode = models.CharField(
        _("teksting"), max_length=20, choices=CaptionMode.choices, blank=True, default=""
    )
    captions_name = models.CharField(max_length=200, blank=True)
    captions_text = models.TextField(_("undertekster"), blank=True)
    captions_locale = models.CharField(max_length=10, default="nb_NO")
    people = models.CharField(
        _("personer på bildet"), max_length=20, choices=People.choices, blank=True, default=""
    )
    children = models.BooleanField(_("barn på bildet"), null=True, blank=True)
    photographer = models.CharField(_("fotograf"), max_length=200, blank=True)
    photographer_permission = models.BooleanField(
        _("fotografen har gitt tillatelse"), null=True, blank=True
    )
    music_cleared = models.BooleanField(
        _("ingen musikk, eller musikken er klarert"), null=True, blank=True
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["municipality", "-created_at"])]

    def __str__(self) -> str:
        return self.filename


class Consent(models.Model):
    """A person in a photo or video and their consent (PU-6). For a child, the guardian
    gives it on a signed form (the file is kept). Withdrawal is stamped, never deleted."""

    asset = models.ForeignKey(MediaAsset, on_delete=models.CASCADE, related_name="consents")
    person_name = models.CharField(_("personen på bildet"), max_length=200)
    is_child = models.BooleanField(_("barn"), default=False)
    given_by = models.CharField(_("samtykke gitt av"), max_length=200)
    given_at = models.DateField(_("samtykke gitt dato"))
    form_name = models.CharField(max_length=200, blank=True)
    form_content = models.BinaryField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    withdrawal_note = models.TextField(blank=True)

    class Meta:
        ordering = ["person_name", "id"]

    def __str__(self) -> str:
        return self.person_name


class Post(models.Model):
    """A post in the municipality's name, from draft to published on each channel."""

    municipality = models.ForeignKey(
        "tenants.Municipality", on_delete=models.CASCADE, related_name="posts"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("tekst"), blank=True)
    links = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=30, choices=PostStatus.choices, default=PostStatus.DRAFT, db_index=True
    )
    # None: as soon as it is released (approved).
    publish_at = models.DateTimeField(_("publiseres"), null=True, blank=True)
    # The findings of the last check, as the API shape (`Finding.to_dict`).
    findings = models.JSONField(default=list, blank=True)
    override_reason = models.TextField(blank=True)
    # AR-1: a post with documentation value is journaled when published.
    documentation_value = models.BooleanField(_("har dokumentasjonsverdi (AR-1)"), default=False)
    archive_record_id = models.BigIntegerField(null=True, blank=True)
    # Approval, snapshot of who may approve when it was submitted.
    approval = models.CharField(max_length=40, blank=True)
    approval_round = models.PositiveSmallIntegerField(default=0)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    rejected_at = models.DateTimeField(null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    rejection_reason = models.TextField(blank=True)
    # PU-12: the crisis (by id; the crisis app owns that table) and its leader's decision.
    crisis_ref = models.BigIntegerField(null=True, blank=True)
    crisis_approved_at = models.DateTimeField(null=True, blank=True)
    crisis_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    paused_from = models.CharField(max_length=30, blank=True)
    taken_down_at = models.DateTimeField(null=True, blank=True)
    flagged_reason = models.TextField(blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)
    # The composer's key (`core.intents`): the same form sent twice creates one draft.
    intent_key = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["municipality", "status"]),
            models.Index(fields=["municipality", "publish_at"]),
        ]
        constraints = [
            # One draft per intent: a double click on «Lagre» or Back + send creates one.
            models.UniqueConstraint(
                fields=["municipality", "intent_key"],
                condition=~models.Q(intent_key=""),
                name="publishing_one_post_per_intent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pk}: {self.text[:40]}"


class PostMedia(models.Model):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="attachments")
    asset = models.ForeignKey(MediaAsset, on_delete=models.PROTECT, related_name="uses")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["post", "asset"], name="post_media_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.post_id}:{self.asset_id}"


class PostChannel(models.Model):
    """The post on one channel: its own status, platform id and delivery attempts."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.ForeignKey(
        "channels.Channel", on_delete=models.CASCADE, related_name="post_deliveries"
    )
    status = models.CharField(
        max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    platform_id = models.CharField(max_length=255, blank=True)
    permalink = models.URLField(max_length=500, blank=True)
    # Handed to the platform's own scheduler (Facebook `scheduled_publish_time`).
    platform_scheduled = models.BooleanField(default=False)
    # A copy on the platform's scheduler to cancel (paused or withdrawn) before anything
    # else happens on this channel; cleared once the platform confirms.
    cancel_platform_id = models.CharField(max_length=255, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Stamped and committed before each platform call: a later attempt that finds it
    # looks on the platform for the post first, so an accepted post is never sent twice.
    attempt_started_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["post", "channel"], name="post_channel_unique"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.post_id}@{self.channel_id}"


EVENT_LABELS = {
    "create": _("Utkast opprettet"),
    "update": _("Endret"),
    "publish": _("Sendt til publisering"),
    "approve": _("Godkjent"),
    "reject": _("Sendt tilbake"),
    "withdraw": _("Trukket tilbake"),
    "settle": _("Status fra plattformene"),
    "pause": _("Satt på pause (krise)"),
    "crisis_approve": _("Godkjent av kriseleder"),
    "crisis_reject": _("Stoppet av kriseleder"),
    "resume": _("Gjenopptatt etter krisen"),
    "discard": _("Forkastet etter krisen"),
    "consent_withdrawn": _("Samtykke trukket tilbake"),
    "take_down": _("Tatt ned"),
    "pull_back": _("Stoppet før publisering"),
    "hold": _("Venter: kanalen er satt på pause"),
    "copy_not_cancelled": _("Ikke slettet hos plattformen"),
    "copy_cancelled": _("Slettet hos plattformen"),
}


class PostEvent(models.Model):
    """One step in a post's life: who did what, when, from which status to which."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=40)
    from_status = models.CharField(max_length=30, blank=True)
    to_status = models.CharField(max_length=30, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField()
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.post_id}: {self.action}"

    @property
    def action_label(self) -> str:
        return str(EVENT_LABELS.get(self.action, self.action))
