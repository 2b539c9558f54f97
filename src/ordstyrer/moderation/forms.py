"""Forms of the moderation console. They parse input; the services judge it (MO-1)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ordstyrer.inbox.triage import CATEGORY_LABELS, category_labels
from ordstyrer.moderation.grounds import MAX_JUSTIFICATION
from ordstyrer.moderation.models import NoticeDelivery
from ordstyrer.policy import Policy


class IntentForm(forms.Form):
    """A moderation form: it carries the key made when it was rendered (`core.intents`),
    so a double click or Back + submit acts once."""

    intent_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


class HideForm(IntentForm):
    ground = forms.ChoiceField(label=_("Grunnlag (valgfritt)"), required=False)
    justification = forms.CharField(
        label=_("Notat (valgfritt)"),
        required=False,
        max_length=MAX_JUSTIFICATION,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self, *args: Any, grounds: list[tuple[str, str]], policy: Policy, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # The field declared above (`fields` is typed with the base `Field`).
        cast(forms.ChoiceField, self.fields["ground"]).choices = [
            ("", _("Uten grunnlag (arkiveres ikke)")),
            *grounds,
        ]
        # What a ground does, everywhere; the rules only where the municipality's
        # guideline has them (MO-6: R, M; MO-3: F).
        self.fields["ground"].help_text = format_lazy(
            "{} {}",
            _("Med grunnlag arkiveres den skjulte kommentaren som dokumentasjon (MO-6).")
            if policy.applies("MO-6")
            else _("Med grunnlag arkiveres den skjulte kommentaren som dokumentasjon."),
            _("Den kan meldes til politiet (MO-3).")
            if policy.applies("MO-3")
            else _("Den kan meldes til politiet."),
        )


class RemoveForm(IntentForm):
    """Delete or ban: a ground from the municipality's list and a justification.

    Posted twice: first from the panel (the console shows what will happen), then from
    the confirmation with `confirmed=1` (only then is the service called)."""

    ground = forms.ChoiceField(label=_("Grunnlag"), widget=forms.RadioSelect)
    justification = forms.CharField(
        label=_("Begrunnelse"),
        max_length=MAX_JUSTIFICATION,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # Offered only where the guideline does not demand the notice: where MO-4 applies
    # the panel says the author is told («MO-4: retningslinjen krever det», `_notify.html`)
    # instead of this box, so the box never cites the rule.
    notify = forms.BooleanField(label=_("Si fra til forfatteren hvorfor"), required=False)

    def __init__(
        self, *args: Any, grounds: list[tuple[str, str]], policy: Policy, **kwargs: Any
    ) -> None:
        # Deleting is a deliberate act: no ground is ever chosen in advance; the
        # automatic category is shown beside the list as a suggestion with its reason.
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["ground"]).choices = grounds
        self.fields["justification"].help_text = (
            _("Kort og saklig: den arkiveres sammen med kommentaren (MO-2).")
            if policy.applies("MO-2")
            else _("Kort og saklig: den arkiveres sammen med kommentaren.")
        )


class BanForm(RemoveForm):
    manual = forms.BooleanField(
        label=_("Jeg har utestengt personen i plattformens egen app"), required=False
    )


class UnbanForm(IntentForm):
    justification = forms.CharField(
        label=_("Begrunnelse (valgfri)"),
        required=False,
        max_length=MAX_JUSTIFICATION,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    manual = forms.BooleanField(
        label=_("Jeg har opphevet utestengingen i plattformens egen app"), required=False
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Hvorfor avvises slettingen?"),
        max_length=MAX_JUSTIFICATION,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


AUTO_CHOICES = [
    ("", _("Ingen automatikk")),
    ("flag", _("Flagg for vurdering")),
    ("hide", _("Skjul og flagg")),
]


class SettingsForm(forms.Form):
    second_approver = forms.BooleanField(
        label=_("Sletting må godkjennes av en person til"),
        required=False,
        help_text=_(
            "Den som foreslår slettingen, kan ikke godkjenne den selv. Kommentaren skjules "
            "mens den venter."
        ),
    )
    notify_author = forms.BooleanField(
        label=_("Si fra til forfatteren når en kommentar slettes eller noen utestenges"),
        required=False,
    )
    notice_delivery = forms.ChoiceField(
        label=_("Hvordan beskjeden sendes"),
        choices=NoticeDelivery.choices,
        help_text=_(
            "Facebook og Instagram tillater en privat melding til den som skrev kommentaren. "
            "En offentlig beskjed nevner aldri personen ved navn."
        ),
    )
    complaint_address = forms.CharField(
        label=_("Adresse for klager i beskjeden"),
        required=False,
        max_length=200,
        help_text=_(
            "For eksempel «postmottak@eksempel.kommune.no». Tom: postmottaket på nettsiden."
        ),
    )

    def __init__(
        self, *args: Any, rules: list[dict[str, str]], mo4: bool, mo4_words: str = "", **kwargs: Any
    ) -> None:
        initial = kwargs.setdefault("initial", {})
        chosen: dict[str, str] = {}
        for rule in rules:
            if rule["action"] == "hide" or rule["category"] not in chosen:
                chosen[rule["category"]] = rule["action"]
        super().__init__(*args, **kwargs)
        for code, label in category_labels().items():
            name = f"auto_{code}"
            self.fields[name] = forms.ChoiceField(label=label, choices=AUTO_CHOICES, required=False)
            initial.setdefault(name, chosen.get(code, ""))
        if mo4:
            field = self.fields["notify_author"]
            field.disabled = True
            # The municipality's own words (policy.citation), never another's: the quote
            # used to be Indre Fosen's for everyone (language review 2026-12, row 21).
            field.help_text = (
                _("Retningslinjen krever det (MO-4): «%(words)s»") % {"words": mo4_words}
                if mo4_words
                else _("Retningslinjen krever det (MO-4).")
            )

    def auto_fields(self) -> list[Any]:
        return [self[f"auto_{code}"] for code in CATEGORY_LABELS]

    def rules(self) -> list[dict[str, str]]:
        out = []
        for code in CATEGORY_LABELS:
            action = self.cleaned_data.get(f"auto_{code}") or ""
            if action == "hide":
                out += [{"category": code, "action": "hide"}, {"category": code, "action": "flag"}]
            elif action == "flag":
                out.append({"category": code, "action": "flag"})
        return out
