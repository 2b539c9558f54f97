"""Municipalities (tenants), their units, people's roles and the versioned policy."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COMMUNICATIONS = "communications", _("Kommunikasjon")
    CHIEF_ADMINISTRATOR = "chief_administrator", _("Kommunedirektør/rådmann")
    UNIT_LEADER = "unit_leader", _("Enhetsleder")
    CRISIS_LEADER = "crisis_leader", _("Kriseleder")
    ARCHIVIST = "archivist", _("Arkiv/servicetorg")
    EMPLOYEE = "employee", _("Ansatt")


# The municipality's own identity (`services.municipality_identity_update`), in form order.
IDENTITY_FIELDS = (
    "website",
    "contact_title",
    "contact_name",
    "contact_phone",
    "contact_email",
    "inquiry_email",
    "inquiry_phone",
)


class Municipality(models.Model):
    slug = models.SlugField(_("kortnavn"), max_length=60, unique=True)
    name = models.CharField(_("navn"), max_length=120)
    preset = models.CharField(_("retningslinje (forhåndsinnstilling)"), max_length=60)
    organisation_number = models.CharField(_("organisasjonsnummer"), max_length=9, blank=True)
    # The municipality's own identity (`municipality_identity_update`), applied over its
    # preset's by `selectors.policy_for`: its website (PU-9, and where replies and notices
    # send people), its communications contact (EM-9, DI-10) and where formal inquiries
    # go (DI-7). Blank: the preset's, for the preset's own municipality; nothing for a
    # municipality on another's preset (docs/policy.md).
    website = models.CharField(_("nettsted (domene)"), max_length=200, blank=True)
    contact_title = models.CharField(_("kontaktpersonens tittel"), max_length=120, blank=True)
    contact_name = models.CharField(_("kontaktpersonens navn"), max_length=120, blank=True)
    contact_phone = models.CharField(_("kontaktpersonens telefon"), max_length=20, blank=True)
    contact_email = models.EmailField(_("kontaktpersonens e-post"), blank=True)
    inquiry_email = models.EmailField(_("e-post for formelle henvendelser"), blank=True)
    inquiry_phone = models.CharField(
        _("telefon for formelle henvendelser"), max_length=20, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("kommune")
        verbose_name_plural = _("kommuner")

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """An organisational unit: school, kindergarten, nursing home, culture school, …"""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="units")
    name = models.CharField(_("navn"), max_length=120)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="unit_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class RoleAssignment(models.Model):
    """A person holds a role in a municipality (optionally for one unit).

    Anyone with at least one assignment is a member of that municipality.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("rolle"), max_length=40, choices=Role.choices)
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # A role once per person and municipality, and once per unit. Two partial
        # constraints instead of `nulls_distinct=False`, which SQLite (the embedded
        # default) cannot create.
        constraints = [
            models.UniqueConstraint(
                fields=["user", "municipality", "role", "unit"],
                condition=models.Q(unit__isnull=False),
                name="role_assignment_unique_in_unit",
            ),
            models.UniqueConstraint(
                fields=["user", "municipality", "role"],
                condition=models.Q(unit__isnull=True),
                name="role_assignment_unique",
            ),
        ]
        indexes = [models.Index(fields=["user", "municipality"])]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} ({self.municipality})"


class PolicyVersion(models.Model):
    """One version of a municipality's overrides on top of its preset.

    Versions are never edited: a change writes a new version with who, when and why.
    """

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="policy_versions"
    )
    number = models.PositiveIntegerField()
    preset = models.CharField(max_length=60)
    overrides = models.JSONField(default=dict)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "number"], name="policy_version_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} v{self.number}"
