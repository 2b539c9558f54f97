from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ordstyrer.tenants.models import Role


class GroupMappingForm(forms.Form):
    group = forms.CharField(
        label=_("Gruppe"),
        max_length=255,
        help_text=_("Gruppens navn eller objekt-ID slik identitetsleverandøren sender den."),
    )
    role = forms.ChoiceField(label=_("Rolle"), choices=[("", _("Velg rolle"))] + list(Role.choices))
