"""The audit log: every write service appends one entry in its transaction."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    municipality = models.ForeignKey(
        "tenants.Municipality", on_delete=models.CASCADE, null=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=80, blank=True)
    data = models.JSONField(default=dict)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["municipality", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"


class WorkerHeartbeat(models.Model):
    """One row per running worker, stamped by its sweep thread (`GET /healthz`)."""

    worker_id = models.CharField(max_length=64, unique=True)
    beat_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"


class LanguageChoice(models.Model):
    """The language a person chose with the console's language switch (one of
    settings.LANGUAGES), so mail to them and a browser without the choice's cookie follow
    it (`core.languages`). No row: Bokmål, the installation's language."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    language = models.CharField(max_length=8)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language}"
