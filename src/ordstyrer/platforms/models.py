"""A channel's connection to its platform, the calls made on it, webhook deliveries and
history jobs.

No business logic here: `connections.py`, `health.py`, `recording.py` (the call log),
`webhooks.py` and `history.py` write these rows; `selectors.py` reads them. The Page token is only ever stored encrypted
(`connectors.secrets.TokenCipher`, key `ORDSTYRER_TOKEN_KEY`) and no `repr`, `str` or
form shows it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Platform(models.TextChoices):
    FACEBOOK = "facebook", _("Facebook-side")
    INSTAGRAM = "instagram", _("Instagram-konto")


class ConnectionStatus(models.TextChoices):
    # Stored, not yet proven: the token has not been shown to manage the account id
    # (`health.connection_verify`). It neither routes webhooks, nor is polled, nor holds
    # the account id against another channel.
    PENDING = "pending", _("Venter på kontroll")
    CONNECTED = "connected", _("Tilkoblet")
    NEEDS_REAUTH = "needs_reauth", _("Må kobles til på nytt")
    DISCONNECTED = "disconnected", _("Frakoblet")


# A connection proven to be the account's (its token once managed it): it holds the
# account id (one channel per Page or account) and its webhooks are routed to it.
HOLDING = (ConnectionStatus.CONNECTED, ConnectionStatus.NEEDS_REAUTH)


class ConnectionMethod(models.TextChoices):
    LOGIN = "login", _("Facebook-innlogging for bedrifter")
    SYSTEM_USER = "system_user", _("Token for systembruker")


class PlatformConnection(models.Model):
    """How Ordstyrer reaches one channel's Page or Instagram account (spec §1.1, §4.1)."""

    channel = models.OneToOneField(
        "channels.Channel", on_delete=models.CASCADE, related_name="platform_connection"
    )
    platform = models.CharField(max_length=20, choices=Platform.choices)
    # The Page id (facebook) or the Instagram professional account id (instagram): what
    # webhook entries carry in `entry[].id`.
    account_id = models.CharField(max_length=64)
    account_name = models.CharField(max_length=255, blank=True)
    # The Facebook Page the token belongs to (for Instagram: the Page the account is
    # connected to).
    page_id = models.CharField(max_length=64, blank=True)
    # Fernet text; never rendered, logged or put in an error message.
    token_encrypted = models.TextField(blank=True)
    method = models.CharField(max_length=20, choices=ConnectionMethod.choices)
    status = models.CharField(
        max_length=20, choices=ConnectionStatus.choices, default=ConnectionStatus.CONNECTED
    )
    tasks = models.JSONField(default=list, blank=True)
    missing_tasks = models.JSONField(default=list, blank=True)
    tasks_known = models.BooleanField(default=True)
    scopes = models.JSONField(default=list, blank=True)
    missing_scopes = models.JSONField(default=list, blank=True)
    scopes_known = models.BooleanField(default=True)
    webhooks_subscribed = models.BooleanField(default=False)
    connected_at = models.DateTimeField()
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Token health (checked daily by a sweep).
    checked_at = models.DateTimeField(null=True, blank=True)
    check_ok = models.BooleanField(null=True)
    check_error = models.TextField(blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)
    reauth_since = models.DateTimeField(null=True, blank=True)
    disconnected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["channel_id"]
        verbose_name = _("plattformtilkobling")
        verbose_name_plural = _("plattformtilkoblinger")
        constraints = [
            # One Page (or IG account) feeds one channel: webhooks are routed by its id.
            # Only a proven connection holds the id: an unproven one never blocks the
            # account's owner.
            models.UniqueConstraint(
                fields=["platform", "account_id"],
                condition=models.Q(status__in=["connected", "needs_reauth"]),
                name="platform_account_connected_once",
            ),
        ]
        indexes = [
            models.Index(fields=["platform", "account_id"]),
            models.Index(fields=["status", "next_check_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.platform}:{self.account_id}"

    @property
    def usable(self) -> bool:
        return self.status == ConnectionStatus.CONNECTED and bool(self.token_encrypted)

    @property
    def unsubscribe_pending(self) -> bool:
        """Disconnected, the app not yet taken off the Page (`connection_unsubscribe`)."""
        return self.status == ConnectionStatus.DISCONNECTED and bool(self.token_encrypted)


class CallOutcome(models.TextChoices):
    OK = "ok", _("OK")
    ERROR = "error", _("Feil")


class ConnectorCall(models.Model):
    """One connector call on a channel (the `CallRecorder` hook of the connectors)."""

    channel = models.ForeignKey(
        "channels.Channel", on_delete=models.CASCADE, related_name="connector_calls"
    )
    at = models.DateTimeField()
    capability = models.CharField(max_length=30)
    operation = models.CharField(max_length=60)
    outcome = models.CharField(max_length=10, choices=CallOutcome.choices)
    duration_ms = models.PositiveIntegerField(default=0)
    error_code = models.CharField(max_length=30, blank=True)
    error_message = models.TextField(blank=True)
    permanent = models.BooleanField(null=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["channel", "-at"]), models.Index(fields=["at"])]

    def __str__(self) -> str:
        return f"{self.channel_id} {self.operation} {self.outcome}"


class DeliveryStatus(models.TextChoices):
    RECEIVED = "received", _("Mottatt")
    PROCESSING = "processing", _("Behandles")
    PROCESSED = "processed", _("Behandlet")
    FAILED = "failed", _("Feilet")


class WebhookDelivery(models.Model):
    """One verified webhook POST from Meta, stored as the exact bytes before we answer.

    Meta retries with the same bytes, so the body's SHA-256 is unique: a repeat is
    recognised at insert. The rows are the queue: `webhooks.deliveries_drain` claims them with
    a lease, so a worker that dies mid-way leaves it to be picked up again.
    """

    received_at = models.DateTimeField()
    body = models.BinaryField()
    sha256 = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.RECEIVED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    lease_until = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    events = models.PositiveIntegerField(default=0)
    ingested = models.PositiveIntegerField(default=0)
    ignored = models.PositiveIntegerField(default=0)
    unmatched = models.PositiveIntegerField(default=0)
    failed_events = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["status", "received_at"]),
            models.Index(fields=["status", "lease_until"]),
            models.Index(fields=["status", "next_attempt_at"]),
        ]
        verbose_name = _("webhook-levering")
        verbose_name_plural = _("webhook-leveringer")

    def __str__(self) -> str:
        return f"{self.pk} {self.status} {self.sha256[:12]}"


class JobKind(models.TextChoices):
    BACKFILL = "backfill", _("Henting av historikk")
    IMPORT = "import", _("Import av eksport («Last ned informasjonen din»)")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("I kø")
    RUNNING = "running", _("Pågår")
    DONE = "done", _("Ferdig")
    FAILED = "failed", _("Feilet")


class HistoryJob(models.Model):
    """A backfill through the API or an import of a Page's own export."""

    channel = models.ForeignKey(
        "channels.Channel", on_delete=models.CASCADE, related_name="history_jobs"
    )
    kind = models.CharField(max_length=10, choices=JobKind.choices)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    days = models.PositiveIntegerField(null=True, blank=True)
    filename = models.CharField(max_length=255, blank=True)
    # For an import: the export's JSON files only (a small zip), kept until it has run.
    payload = models.BinaryField(null=True, blank=True)
    posts = models.PositiveIntegerField(default=0)
    comments = models.PositiveIntegerField(default=0)
    ingested = models.PositiveIntegerField(default=0)
    archived = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    note = models.TextField(blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["channel", "-requested_at"])]

    def __str__(self) -> str:
        return f"{self.channel_id} {self.kind} {self.status}"
