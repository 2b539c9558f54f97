"""Forms of the archive pages: they parse input; the services decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ordstyrer.archive.exporters import CLOSED_PERIOD_ONLY, period_is_open
from ordstyrer.archive.exporters.common import year_in_range
from ordstyrer.archive.models import ExportFormat, RecordKind
from ordstyrer.archive.police import PROTECTED_GROUNDS, PROVISIONS
from ordstyrer.policy import GROUNDS


def ground_label(code: str) -> str:
    if code not in GROUNDS:
        return code
    return GROUNDS[code].label((get_language() or "nb")[:2])


def dates_in_range(form: forms.Form) -> dict[str, Any]:
    """Refuse a `since` or `until` outside the years `ordstyrer archive export` takes:
    the exporters cannot make a period's bounds far outside them (a job that never
    finished), nor the list a time in Oslo from them. Returns the cleaned data."""
    data = form.cleaned_data  # what BaseForm.clean returns (typed as maybe None)
    for name in ("since", "until"):
        if data.get(name) and not year_in_range(data[name]):
            form.add_error(name, _("Velg en dato mellom årene 1900 og 2100."))
    return data


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class ArchiveFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Søk i tittel, tekst, forfatter og kanal"), required=False, max_length=200
    )
    kind = forms.ChoiceField(label=_("Type"), required=False)
    ground = forms.ChoiceField(label=_("Grunnlag"), required=False)
    channel = forms.TypedChoiceField(label=_("Kanal"), required=False, coerce=int, empty_value=None)
    since = forms.DateField(label=_("Arkivert fra og med"), required=False, widget=DateInput())
    until = forms.DateField(label=_("Arkivert til og med"), required=False, widget=DateInput())

    def __init__(self, *args, channels: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("Alle"))]
        # The three choice fields declared above (`fields` is typed with the base `Field`).
        kind, ground, channel = (
            cast(forms.ChoiceField, self.fields[name]) for name in ("kind", "ground", "channel")
        )
        kind.choices = everything + list(RecordKind.choices)
        ground.choices = everything + [(c, ground_label(c)) for c in GROUNDS]
        channel.choices = everything + [(str(pk), name) for pk, name in channels]

    def clean(self) -> dict[str, Any]:
        super().clean()
        # A date at the calendar's ends is no time in Oslo: `until=9999-12-31` was a
        # server error. The export form's years.
        return dates_in_range(self)

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "q": data.get("q") or "",
            "kind": data.get("kind") or "",
            "ground": data.get("ground") or "",
            "channel_id": data.get("channel"),
            "since": data.get("since"),
            "until": data.get("until"),
        }


class PolicePrepareForm(forms.Form):
    # Reporting to the police is a deliberate act: no provision is chosen in advance
    # (a ticked § 185 was one click from a report on the wrong provision).
    provision = forms.ChoiceField(
        label=_("Hva gjelder saken?"),
        choices=list(PROVISIONS.items()),
        widget=forms.RadioSelect,
    )
    grounds = forms.MultipleChoiceField(
        label=_("Ytringen rammer noen på grunn av (§ 185 annet ledd)"),
        choices=[(code, f"{code}) {label}") for code, label in PROTECTED_GROUNDS.items()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    note = forms.CharField(
        label=_("Merknad til politiet (valgfri)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )


class PoliceFiledForm(forms.Form):
    reference = forms.CharField(label=_("Politiets referanse"), max_length=100)
    note = forms.CharField(
        label=_("Merknad (valgfri)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"), choices=ExportFormat.choices, widget=forms.RadioSelect
    )
    since = forms.DateField(label=_("Fra og med"), widget=DateInput())
    until = forms.DateField(
        label=_("Til og med"),
        widget=DateInput(),
        help_text=_(
            "Et Noark 5-arkivuttrekk avslutter perioden og kan derfor bare gå til og med i "
            "går; neste uttrekk begynner dagen etter."
        ),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = dates_in_range(self)
        if data.get("since") and data.get("until") and data["until"] < data["since"]:
            self.add_error("until", _("Til-datoen kan ikke være før fra-datoen."))
        elif data.get("until") and period_is_open(
            fmt=data.get("format", ""), until=data["until"], today=timezone.localdate()
        ):
            # The deposit closes its period: a day not yet over would lose the records
            # archived later that day (AR-3). The service and `run_export` refuse it too.
            self.add_error("until", CLOSED_PERIOD_ONLY)
        return data


class ScreeningRuleForm(forms.Form):
    """One row of the screening table (AR-2): the legal basis for one reason."""

    access_code = forms.CharField(label=_("Tilgangsrestriksjon"), max_length=20)
    authority = forms.CharField(label=_("Skjermingshjemmel"), max_length=200)
