"""Forms of the publishing console: input only, every rule is in the services."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ordstyrer.core.errors import ServiceError
from ordstyrer.core.forms import VisibleCharField
from ordstyrer.policy import Policy
from ordstyrer.publishing import rules
from ordstyrer.publishing.media import MAX_CAPTIONS, read_captions
from ordstyrer.publishing.models import Approval, CaptionMode, People

TRI = [("", _("Ikke oppgitt")), ("yes", _("Ja")), ("no", _("Nei"))]


def tri(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def tri_initial(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def check_captions(form: forms.Form, mode_field: str, file_field: str) -> None:
    """A subtitle file the upload would refuse (not text, not UTF-8 or a safe fallback,
    not SRT/WebVTT) as an error at its own field, before anything is stored: the rest of
    the form stays as typed. The service reads the same file again the same way."""
    upload = form.cleaned_data.get(file_field)
    if not upload or form.cleaned_data.get(mode_field) != CaptionMode.FILE:
        return
    raw = upload.read(4 * MAX_CAPTIONS + 1)  # one byte past what the service accepts
    upload.seek(0)
    try:
        read_captions(upload.name or "", raw)
    except ServiceError as exc:
        form.add_error(file_field, str(exc.message))


# (field, "label" or "help_text", rule, the text citing the rule, the text without it).
RuleText = tuple[str, str, str, Any, Any]


def by_rule(form: forms.Form, policy: Policy, texts: Sequence[RuleText]) -> None:
    """Each field's text that cites a rule (PU-2, PU-3, PU-4, PU-6, PU-7, PU-9, AR-1)
    where the municipality's `policy` applies it; elsewhere the neutral text without a
    rule id, or none ("" where the advice is the rule's alone, e.g. PU-6's signed form
    for children). The pages say what the municipality's guideline says, no more."""
    for name, attr, rule, cites, neutral in texts:
        setattr(form.fields[name], attr, cites if policy.applies(rule) else neutral)


class ChannelChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} – {rules.limits_for(obj.kind).nb}"


class AssetChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.filename} ({obj.get_kind_display()})"


class PostForm(forms.Form):
    channels = ChannelChoice(
        label=_("Kanaler"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Velg minst én kanal.")},
    )
    text = forms.CharField(
        label=_("Tekst"),
        required=False,
        max_length=63206,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    links = forms.CharField(
        label=_("Lenker (én per linje)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    publish_at = forms.DateTimeField(
        label=_("Publiseres (tom: så snart det er godkjent)"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    documentation_value = forms.BooleanField(
        label=_("Innlegget har dokumentasjonsverdi og skal arkiveres"), required=False
    )
    # django-stubs: a declared field is no class attribute (the form's metaclass takes it
    # off), so this does not override BaseForm.media.
    media: AssetChoice = AssetChoice(  # type: ignore[assignment]
        label=_("Bilder og video fra registeret"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    upload = forms.FileField(label=_("Last opp bilde eller video"), required=False)
    upload_alt = forms.CharField(
        label=_("Alternativ tekst for bildet du laster opp"),
        required=False,
        max_length=2000,
    )
    upload_people = forms.ChoiceField(
        label=_("Personer på bildet du laster opp"), required=False, choices=People.choices
    )
    # Nothing preselected but "not stated": a guess of "no" would let a photo of children
    # out without the guardians' signed form (PU-6).
    upload_children = forms.ChoiceField(
        label=_("Barn på bildet du laster opp"), required=False, choices=TRI
    )
    upload_photographer_permission = forms.ChoiceField(
        label=_("Fotografen har gitt tillatelse"), required=False, choices=TRI
    )
    upload_caption_mode = forms.ChoiceField(
        label=_("Teksting av videoen du laster opp"),
        required=False,
        choices=CaptionMode.choices,
    )
    upload_captions = forms.FileField(label=_("Undertekstfil (SRT eller WebVTT)"), required=False)
    # Made when a new post's page is rendered (`core.intents`): the same form sent twice
    # creates one draft (`services.post_create`); kept on a refused form.
    intent_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    RULE_TEXTS: tuple[RuleText, ...] = (
        (
            "text",
            "help_text",
            "PU-2",
            _("Skriv informasjonen i selve innlegget, ikke bare i bildet (PU-2)."),
            _("Skriv informasjonen i selve innlegget, ikke bare i bildet."),
        ),
        ("links", "help_text", "PU-9", _("Lenk til saken på kommunens nettside (PU-9)."), ""),
        (
            "documentation_value",
            "label",
            "AR-1",
            _("Innlegget har dokumentasjonsverdi og skal arkiveres (AR-1)"),
            _("Innlegget har dokumentasjonsverdi og skal arkiveres"),
        ),
        (
            "upload_alt",
            "help_text",
            "PU-4",
            _("Beskriv kort hva bildet viser (PU-4)."),
            _("Beskriv kort hva bildet viser."),
        ),
        (
            "upload_people",
            "label",
            "PU-6",
            _("Personer på bildet du laster opp (PU-6)"),
            _("Personer på bildet du laster opp"),
        ),
        (
            "upload_children",
            "label",
            "PU-6",
            _("Barn på bildet du laster opp (PU-6)"),
            _("Barn på bildet du laster opp"),
        ),
        (
            "upload_children",
            "help_text",
            "PU-6",
            _("Bilder av barn krever foresattes signerte samtykkeskjema."),
            "",
        ),
        (
            "upload_photographer_permission",
            "label",
            "PU-7",
            _("Fotografen har gitt tillatelse (PU-7)"),
            _("Fotografen har gitt tillatelse"),
        ),
        (
            "upload_caption_mode",
            "label",
            "PU-3",
            _("Teksting av videoen du laster opp (PU-3)"),
            _("Teksting av videoen du laster opp"),
        ),
    )

    def __init__(
        self, *args: Any, channels: Any, assets: Any, policy: Policy, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        # The fields declared above (`fields` is typed with the base `Field`).
        cast(ChannelChoice, self.fields["channels"]).queryset = channels
        cast(AssetChoice, self.fields["media"]).queryset = assets
        by_rule(self, policy, self.RULE_TEXTS)

    def clean(self) -> dict[str, Any]:
        super().clean()
        check_captions(self, "upload_caption_mode", "upload_captions")
        return self.cleaned_data

    def clean_links(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["links"].splitlines() if line.strip()]

    def clean_publish_at(self) -> datetime | None:
        value = self.cleaned_data.get("publish_at")
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value


class AltTextForm(forms.Form):
    """One attached file's alt text on the composer (`alt_<pk>`, PU-4) and the value the
    page showed for it (`shown_alt_<pk>`): the register is written only where the person
    changed what they were shown."""

    alt = forms.CharField(required=False, max_length=2000)
    shown = forms.CharField(required=False, max_length=2000)


class ConfirmForm(forms.Form):
    """Nothing preselected: the person ticks the box after reading the consequence."""

    confirm = forms.BooleanField(
        label=_("Jeg har lest hva som skjer, og vil sende innlegget"),
        required=True,
        error_messages={"required": _("Kryss av for å bekrefte.")},
    )
    override_reason = forms.CharField(
        label=_("Hvorfor skal innlegget ut til tross for merknadene?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Begrunnelsen lagres i revisjonsloggen."),
    )


class PublishConfirmForm(ConfirmForm):
    """The publishing confirmation: with what the page showed
    (`services.confirmation_digest`), for `post_publish(shown=…)` to compare."""

    shown = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)


class ReasonForm(forms.Form):
    reason = VisibleCharField(
        label=_("Begrunnelse"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Skriv en begrunnelse.")},
    )


class WithdrawalNoteForm(forms.Form):
    """The optional note kept with a withdrawn consent (who withdrew it, how; PU-6)."""

    note = forms.CharField(
        label=_("Merknad (valgfri)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MediaUploadForm(forms.Form):
    file = forms.FileField(label=_("Bilde eller video"))
    alt_text = forms.CharField(label=_("Alternativ tekst"), required=False, max_length=2000)
    caption_mode = forms.ChoiceField(
        label=_("Teksting (video)"), required=False, choices=CaptionMode.choices
    )
    captions = forms.FileField(label=_("Undertekstfil (SRT eller WebVTT)"), required=False)

    RULE_TEXTS: tuple[RuleText, ...] = (
        (
            "alt_text",
            "help_text",
            "PU-4",
            _("Beskriv kort hva bildet viser (PU-4)."),
            _("Beskriv kort hva bildet viser."),
        ),
        ("caption_mode", "label", "PU-3", _("Teksting (video, PU-3)"), _("Teksting (video)")),
    )

    def __init__(self, *args: Any, policy: Policy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        by_rule(self, policy, self.RULE_TEXTS)

    def clean(self) -> dict[str, Any]:
        super().clean()
        check_captions(self, "caption_mode", "captions")
        return self.cleaned_data


class RegisterForm(forms.Form):
    """What the register knows about one file (PU-4, PU-6, PU-7)."""

    alt_text = forms.CharField(label=_("Alternativ tekst"), required=False, max_length=2000)
    people = forms.ChoiceField(
        label=_("Personer på bildet"), required=False, choices=People.choices
    )
    children = forms.ChoiceField(label=_("Barn på bildet"), required=False, choices=TRI)
    photographer = forms.CharField(label=_("Fotograf"), required=False, max_length=200)
    photographer_permission = forms.ChoiceField(
        label=_("Fotografen har gitt tillatelse"), required=False, choices=TRI
    )
    music_cleared = forms.ChoiceField(
        label=_("Ingen musikk, eller musikken er klarert (video)"),
        required=False,
        choices=TRI,
    )

    RULE_TEXTS: tuple[RuleText, ...] = (
        ("people", "label", "PU-6", _("Personer på bildet (PU-6)"), _("Personer på bildet")),
        (
            "photographer_permission",
            "label",
            "PU-7",
            _("Fotografen har gitt tillatelse (PU-7)"),
            _("Fotografen har gitt tillatelse"),
        ),
        (
            "music_cleared",
            "label",
            "PU-7",
            _("Ingen musikk, eller musikken er klarert (video, PU-7)"),
            _("Ingen musikk, eller musikken er klarert (video)"),
        ),
    )

    # The facts above, each with a hidden `shown_<name>`: the value the page showed, so
    # that only what the person changed is written (another person may have changed the
    # register since, e.g. a consent recorded, PU-6).
    FACTS = (
        "alt_text",
        "people",
        "children",
        "photographer",
        "photographer_permission",
        "music_cleared",
    )

    def __init__(self, *args: Any, policy: Policy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        by_rule(self, policy, self.RULE_TEXTS)
        for name in self.FACTS:
            # Not a choice: a value shown before the choices changed is still read.
            self.fields[f"shown_{name}"] = forms.CharField(
                required=False, max_length=2000, widget=forms.HiddenInput
            )
            self.initial.setdefault(f"shown_{name}", self.initial.get(name, ""))

    def shown_fields(self) -> list[forms.BoundField]:
        return [self[f"shown_{name}"] for name in self.FACTS]


class ConsentForm(forms.Form):
    person_name = forms.CharField(label=_("Personen på bildet"), max_length=200)
    given_by = forms.CharField(label=_("Samtykke gitt av"), max_length=200)
    given_at = forms.DateField(
        label=_("Dato for samtykket"), widget=forms.DateInput(attrs={"type": "date"})
    )
    is_child = forms.BooleanField(label=_("Personen er et barn"), required=False)
    form_file = forms.FileField(
        label=_("Foresattes signerte samtykkeskjema (for barn)"), required=False
    )


class PrivateCheckForm(forms.Form):
    text = forms.CharField(
        label=_("Teksten du vil poste privat"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Teksten lagres ikke og sendes ikke ut av kommunens installasjon."),
    )


# A phone number: the digit keyboard on a phone; the service checks the number.
TEL = forms.TextInput(attrs={"inputmode": "tel"})


class IdentityForm(forms.Form):
    """The municipality's own website and contact details (`municipality_identity_update`):
    its own values only, never its preset's. The preset's own municipality sees the
    preset's as placeholders (`defaults`; the page says them in its help too), which
    apply while the fields are empty."""

    website = forms.CharField(
        label=_("Kommunens nettsted (domene)"), required=False, max_length=200
    )
    contact_title = forms.CharField(label=_("Tittel"), required=False, max_length=120)
    contact_name = forms.CharField(label=_("Navn"), required=False, max_length=120)
    contact_phone = forms.CharField(label=_("Telefon"), required=False, max_length=20, widget=TEL)
    contact_email = forms.CharField(
        label=_("E-post"), required=False, max_length=254, widget=forms.EmailInput
    )
    inquiry_email = forms.CharField(
        label=_("E-post"), required=False, max_length=254, widget=forms.EmailInput
    )
    inquiry_phone = forms.CharField(label=_("Telefon"), required=False, max_length=20, widget=TEL)

    CONTACT = ("contact_title", "contact_name", "contact_phone", "contact_email")
    INQUIRY = ("inquiry_email", "inquiry_phone")
    RULE_TEXTS: tuple[RuleText, ...] = (
        (
            "website",
            "help_text",
            "PU-9",
            _(
                "Viktig informasjon skal også stå her, og innlegg lenker hit (PU-9). Svar og "
                "varsler viser hit. For eksempel «kommune.no»."
            ),
            _("Svar og varsler viser hit. For eksempel «kommune.no»."),
        ),
    )

    def __init__(
        self,
        *args: Any,
        policy: Policy,
        defaults: dict[str, str] | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        by_rule(self, policy, self.RULE_TEXTS)
        for name, value in (defaults or {}).items():
            if value:
                self.fields[name].widget.attrs["placeholder"] = value

    def contact_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.CONTACT]

    def inquiry_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.INQUIRY]


class ChannelSettingsForm(forms.Form):
    """One channel's approval, four eyes and main-page flag; `locked`: shown, not
    changed (`publishing.access.may_set_publishing`: a bound locked form keeps the
    channel's own values, whatever is posted)."""

    approval = forms.ChoiceField(
        label=_("Godkjenning av innlegg"), choices=Approval.choices, required=False
    )
    four_eyes = forms.BooleanField(label=_("Fire øyne"), required=False)
    is_main_page = forms.BooleanField(label=_("Hovedside"), required=False)
    RULE_TEXTS: tuple[RuleText, ...] = (
        ("is_main_page", "label", "PU-10", _("Hovedside (PU-10)"), _("Hovedside")),
    )

    def __init__(self, *args: Any, policy: Policy, locked: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        by_rule(self, policy, self.RULE_TEXTS)
        for field in self.fields.values():
            field.disabled = locked
