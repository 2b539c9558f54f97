from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ordstyrer.sso.services import UNMAPPABLE_ROLES
from ordstyrer.tenants.models import Role


class GroupMappingForm(forms.Form):
    group = forms.CharField(
        label=_("Gruppe"),
        max_length=255,
        help_text=_("Gruppens navn eller objekt-ID slik identitetsleverandøren sender den."),
    )
    # Not the roles a group may not give (`group_map` refuses them): a unit leader is
    # appointed for one unit (CH-1).
    role = forms.ChoiceField(
        label=_("Rolle"),
        choices=[("", _("Velg rolle"))]
        + [(value, label) for value, label in Role.choices if value not in UNMAPPABLE_ROLES],
    )
