"""Console forms of crisis mode (PU-12). Nothing is pre-selected in a deliberate act."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from ordstyrer.core.forms import VisibleCharField, visible_text
from ordstyrer.crisis.models import Crisis

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DeclareForm(forms.Form):
    name = VisibleCharField(
        label=_("Navn på krisen"),
        max_length=Crisis._meta.get_field("name").max_length,
        help_text=_("For eksempel «Flom i sentrum» eller «Vannforurensning Elvdalen»."),
    )


class ReasonForm(forms.Form):
    reason = VisibleCharField(
        label=_("Begrunnelse til forfatteren"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Forfatteren får begrunnelsen og kan skrive et nytt forslag."),
    )


DECISIONS = (
    ("resume_now", _("Publiser nå")),
    ("resume_at", _("Publiser på et tidspunkt")),
    ("discard", _("Forkast innlegget")),
)
# The same decisions for a post on a channel whose chain names an approver (CH-4): a
# time other than the one approved sends it back to the approver
# (`publishing.services.resumption`; the confirmation says which). "Publiser nå" would
# promise more than happens.
DECISIONS_MAY_RETURN = (
    ("resume_now", _("Send videre nå (kan gå tilbake til godkjenning)")),
    ("resume_at", _("Send videre på et tidspunkt (kan gå tilbake til godkjenning)")),
    ("discard", _("Forkast innlegget")),
)
# The same decisions for a post that waits for an approval again when it is resumed
# (`publishing.selectors.resumes_to_approval`): "Publiser nå" would promise too much.
DECISIONS_TO_APPROVAL = (
    ("resume_now", _("Send til godkjenning")),
    ("resume_at", _("Send til godkjenning, med tidspunkt for publisering")),
    ("discard", _("Forkast innlegget")),
)


def decisions_for(post: Any) -> tuple[tuple[str, Any], ...]:
    """The choices for the paused `post`: back to the approval it waited for
    (`publishing.selectors.resumes_to_approval`), perhaps back to its approver (a chain
    that names one, CH-4), or published (a channel without approval)."""
    from ordstyrer.publishing import rules, selectors

    if selectors.resumes_to_approval(post):
        return DECISIONS_TO_APPROVAL
    if rules.approver_roles(post.approval):
        return DECISIONS_MAY_RETURN
    return DECISIONS


class PausedDecisionForm(forms.Form):
    """What happens to one paused post after the crisis: chosen, never pre-selected."""

    decision = forms.ChoiceField(
        label=_("Hva skal skje med innlegget?"),
        choices=DECISIONS,
        widget=forms.RadioSelect,
        error_messages={"required": _("Velg hva som skal skje med innlegget.")},
    )
    publish_at = forms.DateTimeField(
        label=_("Tidspunkt"),
        required=False,
        input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
        help_text=_("Bare når innlegget skal publiseres på et tidspunkt."),
    )
    reason = forms.CharField(
        label=_("Begrunnelse"),
        required=False,
        max_length=2000,
        help_text=_("Må fylles ut når innlegget forkastes."),
    )
    # On the confirmation only, where it shows warnings the post does not carry already
    # (`publishing.services.Resumption.unexcused`; the "warn" rule). Never pre-filled.
    override_reason = forms.CharField(
        label=_("Hvorfor skal innlegget ut til tross for merknadene?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Begrunnelsen lagres i revisjonsloggen."),
    )

    def __init__(self, *args: Any, post: Any, **kwargs: Any) -> None:
        """For the paused `post`: its choices say what resuming it can do
        (`decisions_for`)."""
        super().__init__(*args, **kwargs)
        # The field declared above (`fields` is typed with the base `Field`).
        cast(forms.ChoiceField, self.fields["decision"]).choices = decisions_for(post)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what BaseForm.clean returns (typed as maybe None)
        decision = data.get("decision")
        if decision == "resume_at" and not data.get("publish_at"):
            self.add_error("publish_at", _("Oppgi når innlegget skal publiseres."))
        if decision == "discard" and not visible_text(data.get("reason")):
            self.add_error("reason", _("Skriv hvorfor innlegget forkastes."))
        return data


class _PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


class DeputyForm(forms.Form):
    user = _PersonChoiceField(
        label=_("Stedfortreder for kriselederen"),
        queryset=get_user_model().objects.none(),
        empty_label=_("Velg en person"),
        error_messages={"required": _("Velg en person.")},
    )

    def __init__(self, *args, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        # The field declared above (`fields` is typed with the base `Field`).
        user = cast(forms.ModelChoiceField, self.fields["user"])
        user.queryset = (
            get_user_model()
            .objects.filter(role_assignments__municipality=municipality, is_active=True)
            .distinct()
            .order_by("first_name", "last_name", "username")
        )
