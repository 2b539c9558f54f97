"""API tokens and the idempotency records of the HTTP API (api.md).

A token is `ord_<prefix>_<secret>`: the prefix is public (shown in the console, in the
audit log and accepted by `ordstyrer api-token revoke`), the secret is 256 random bits
of which only the SHA-256 is stored. A high-entropy secret needs no slow hash: nobody
can guess it, and a leaked table gives nothing to replay.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A bearer token of one person for one municipality, narrowed by its scopes."""

    prefix = models.CharField(_("id"), max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    name = models.CharField(_("navn"), max_length=120, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    municipality = models.ForeignKey(
        "tenants.Municipality", on_delete=models.CASCADE, related_name="api_tokens"
    )
    scopes = models.JSONField(_("tilganger"), default=list)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    expires_at = models.DateTimeField(_("utløper"))
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    last_used_at = models.DateTimeField(_("sist brukt"), null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API-nøkkel")
        verbose_name_plural = _("API-nøkler")
        indexes = [models.Index(fields=["municipality", "user"])]

    def __str__(self) -> str:
        return f"ord_{self.prefix}"

    def __repr__(self) -> str:  # never the hash, never the secret
        return f"<ApiToken {self.prefix} user={self.user_id} municipality={self.municipality_id}>"


class IdempotencyRecord(models.Model):
    """The first response to a POST with an `Idempotency-Key`, replayed for 24 hours."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField(default=dict)
    # SHA-256 (hex) of the request's canonical body: a replay with another body is refused
    # (draft-ietf-httpapi-idempotency-key-header, "key reused with a different payload").
    # Empty on records stored before the field existed: those replay on method and path.
    fingerprint = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "key"], name="api_idempotency_unique_key"),
        ]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.token_id}:{self.key}"
