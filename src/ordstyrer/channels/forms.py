"""Forms of the channel pages. They parse input; the services decide."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ordstyrer.channels import rules
from ordstyrer.channels.closures import closure_time_refusal
from ordstyrer.channels.models import ChannelKind, ChannelRole
from ordstyrer.channels.reviews import CHECKLIST
from ordstyrer.channels.services import MAX_NAME_LENGTH, channel_name_clean
from ordstyrer.core.errors import ServiceError
from ordstyrer.core.forms import VisibleCharField
from ordstyrer.tenants.models import Municipality, Unit
from ordstyrer.tenants.selectors import active_member_q

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.db.models import QuerySet

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def text_language() -> str:
    """Labels from the policy tables exist in nb, nn and en."""
    lang = (get_language() or "nb")[:2]
    return lang if lang in ("nb", "nn", "en") else "nb"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


def members_of(municipality: Municipality) -> QuerySet[User]:
    """The people who may be given a role here: active, and holding a role in the
    municipality (CH-3). Not the way to find a channel's own members: one who has left is
    still on the channel, to be removed (`views._remove_role`). The one definition
    (`tenants.selectors.active_member_q`), as a channel's active holders are counted."""
    return (
        get_user_model()
        .objects.filter(active_member_q(municipality=municipality))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class ProposalForm(forms.Form):
    """A channel proposal: the channel itself and the CH-2 plan."""

    name = forms.CharField(label=_("Navn på kanalen"), max_length=MAX_NAME_LENGTH)
    kind = forms.ChoiceField(label=_("Plattform"), choices=ChannelKind.choices)
    unit = forms.ModelChoiceField(
        label=_("Enhet som eier kanalen"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("Kommunen sentralt"),
    )
    url = forms.URLField(
        label=_("Nettadresse (hvis den finnes)"),
        required=False,
        assume_scheme="https",
        max_length=500,
    )

    def __init__(
        self, *args: Any, municipality: Municipality, required_codes: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        lang = text_language()
        self.required_codes = required_codes
        # The fields declared above (`fields` is typed with the base `Field`).
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = Unit.objects.filter(
            municipality=municipality
        )
        for code in rules.PLAN_FIELD_ORDER:
            label = rules.plan_field_label(code, lang)
            label = label[:1].upper() + label[1:]
            help_text = (
                _("Påkrevd før forslaget sendes inn (CH-2).") if code in required_codes else ""
            )
            if code == "main_admin":
                field: forms.Field = PersonChoiceField(
                    label=label,
                    queryset=members_of(municipality),
                    required=False,
                    empty_label=_("Velg person"),
                    help_text=help_text
                    or _("Hver kanal må ha minst én hovedadministrator (CH-3)."),
                    # The edit page posts back whom it showed (`shown_main_admin`).
                    show_hidden_initial=True,
                )
            else:
                field = forms.CharField(
                    label=label,
                    required=False,
                    max_length=5000,
                    help_text=help_text,
                    widget=forms.Textarea(attrs={"rows": 3}),
                )
            self.fields[f"plan_{code}"] = field

    def clean_name(self) -> str:
        # The service's check (`channel_name_clean`), shown at the field.
        try:
            return channel_name_clean(self.cleaned_data["name"])
        except ServiceError as refused:
            raise forms.ValidationError(refused.message, code=refused.code) from None

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        plan = {code: data.get(f"plan_{code}", "") for code in rules.TEXT_PLAN_FIELDS}
        return {
            "name": data["name"],
            "kind": data["kind"],
            "unit": data.get("unit"),
            "url": data.get("url") or "",
            "purpose": data.get("plan_purpose", ""),
            "audience": data.get("plan_audience", ""),
            "plan": plan,
            # Only a change of the field names someone: saved unchanged, the channel's
            # main administrators stay as they are (CH-3; others may have been added on
            # the roles panel since the form was opened).
            "main_admin": (
                data.get("plan_main_admin") if "plan_main_admin" in self.changed_data else None
            ),
        }

    def shown_main_admin(self) -> User | None:
        """The main administrator the edit form showed when it was opened (posted back as
        the field's hidden initial): the one who steps down when the field is changed."""
        field = self["plan_main_admin"]
        shown = field.field.hidden_widget().value_from_datadict(
            self.data, self.files, field.html_initial_name
        )
        if not str(shown or "").isdigit():
            return None
        return get_user_model().objects.filter(pk=int(shown)).first()

    def plan_fields(self) -> list[forms.BoundField]:
        return [self[f"plan_{code}"] for code in rules.PLAN_FIELD_ORDER]


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Kommentar eller begrunnelse"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Begrunnelse er påkrevd ved avslag."),
    )


class ActivateForm(forms.Form):
    url = forms.URLField(
        label=_("Nettadresse til kanalen"), required=False, assume_scheme="https", max_length=500
    )
    platform_id = forms.CharField(label=_("Plattformens id"), required=False, max_length=120)


class ReasonForm(forms.Form):
    reason = VisibleCharField(
        label=_("Begrunnelse"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class RoleForm(forms.Form):
    user = PersonChoiceField(
        label=_("Person"), queryset=get_user_model().objects.none(), empty_label=_("Velg person")
    )
    role = forms.ChoiceField(
        label=_("Rolle"), choices=ChannelRole.choices, initial=ChannelRole.EDITOR
    )

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["user"]).queryset = members_of(municipality)


class ClosureForm(forms.Form):
    reason = VisibleCharField(
        label=_("Hvorfor stenges kanalen?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Står i beskjeden til publikum (CH-9), for eksempel «sommerferie»."),
    )
    starts_at = forms.DateTimeField(
        label=_("Stenges fra"),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )
    ends_at = forms.DateTimeField(
        label=_("Åpnes igjen"),
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what BaseForm.clean returns (typed as maybe None)
        now = timezone.now()
        # At the field rather than on the whole form: the service refuses the same.
        for name in ("starts_at", "ends_at"):
            refusal = data.get(name) and closure_time_refusal(data[name], now=now)
            if refusal:
                self.add_error(name, refusal)
        return data


class ReviewForm(forms.Form):
    notes = forms.CharField(
        label=_("Merknader"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, label in CHECKLIST:
            self.fields[f"check_{code}"] = forms.BooleanField(label=label, required=False)
        self.order_fields([*(f"check_{code}" for code, _label in CHECKLIST), "notes"])

    def answers(self) -> dict[str, bool]:
        return {code: bool(self.cleaned_data.get(f"check_{code}")) for code, _label in CHECKLIST}
