"""Single sign-on: who a person is at the identity provider, and which of its groups give
which role in which municipality (issue #14, item 3)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ordstyrer.tenants.models import Municipality, Role


class GroupRoleMapping(models.Model):
    """Members of the identity provider's group `group` hold `role` in `municipality`."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="sso_group_mappings"
    )
    group = models.CharField(_("gruppe"), max_length=255)
    role = models.CharField(_("rolle"), max_length=40, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["group", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "group", "role"], name="sso_mapping_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.group} → {self.role}"


class SsoIdentity(models.Model):
    """A person known through the identity provider: its stable subject, and the groups it
    had at the last login (so that an administrator sees which groups to map)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_identity"
    )
    issuer = models.CharField(max_length=500)
    subject = models.CharField(max_length=255)
    groups = models.JSONField(default=list, blank=True)
    last_login_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="sso_identity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.issuer}#{self.subject}"
