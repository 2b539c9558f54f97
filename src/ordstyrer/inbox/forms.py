"""Forms of the inbox pages. They parse input; the services decide."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from ordstyrer.core.forms import VisibleCharField
from ordstyrer.inbox.models import person_close_reasons
from ordstyrer.inbox.reply_templates import TEMPLATES
from ordstyrer.inbox.triage import category_labels
from ordstyrer.inbox.widgets import RENDERER

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class PageForm(forms.Form):
    """A form of the item page: its widgets are rendered in Python (`inbox.widgets`)."""

    default_renderer = RENDERER


def intent_field() -> forms.CharField:
    """The hidden `intent_key` of a form whose post must act once (`core.intents`): the
    view makes a fresh key when it renders the form (`new_intent_key`); shown again after
    an error, the form keeps the key it was posted with."""
    return forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)


def cited(text: Any, rules: Sequence[str], policy: Any) -> str:
    """`text` with the ids of those of `rules` the municipality's `policy` applies, e.g.
    «Henviser videre (DI-7)»; all of them without a policy (as `reply_templates.label`)."""
    applying = [rule for rule in rules if policy is None or policy.applies(rule)]
    return f"{text} ({', '.join(applying)})" if applying else str(text)


class ReplyForm(PageForm):
    text = forms.CharField(
        label=_("Svartekst"),
        widget=forms.Textarea(attrs={"rows": 7}),
        max_length=8000,
        help_text=_("Svaret sjekkes mot retningslinjen før det sendes."),
    )
    template = forms.ChoiceField(
        choices=[("", "")] + [(code, code) for code in TEMPLATES],
        required=False,
        widget=forms.HiddenInput,
    )
    # Made when the form is rendered (`core.intents`): one reply per intent.
    intent_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    # The choices and the referral label cite only the rules the municipality's policy
    # applies (`__init__`, the policy the view passes).
    effect = forms.ChoiceField(
        label=_("Hva gjør svaret?"),
        choices=[
            ("acknowledge", _("Bekrefter mottak – mer kommer")),
            ("answer", _("Besvarer henvendelsen")),
            ("refer", _("Henviser videre")),
        ],
        widget=forms.RadioSelect,
        initial="answer",
        required=False,
    )
    # Where a reply that refers goes, when it is not written from a referral template
    # (DI-7, DI-8): nothing is chosen beforehand, so no referral is journaled by a
    # default (`replies.referral_of`).
    referral_kind = forms.ChoiceField(
        label=_("Henvis til"),
        choices=[
            ("formal", _("Formell henvendelse – journalføres")),
            ("political", _("Politisk nivå")),
        ],
        widget=forms.RadioSelect,
        required=False,
        help_text=_("Velg bare når svaret henviser videre."),
    )
    referral_target = forms.CharField(
        label=_("Henvist til (politisk organ)"),
        required=False,
        max_length=255,
        help_text=_("For eksempel formannskapet eller kommunestyret."),
    )
    override_reason = forms.CharField(
        label=_("Hvorfor skal svaret sendes tross advarslene?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Begrunnelsen lagres i loggen sammen med navnet ditt."),
    )

    def __init__(self, *args: Any, policy: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["effect"]).choices = [
            ("acknowledge", cited(_("Bekrefter mottak – mer kommer"), ("DI-2",), policy)),
            ("answer", _("Besvarer henvendelsen")),
            ("refer", cited(_("Henviser videre"), ("DI-7", "DI-8"), policy)),
        ]
        cast(forms.ChoiceField, self.fields["referral_kind"]).choices = [
            ("formal", cited(_("Formell henvendelse – journalføres"), ("DI-7",), policy)),
            ("political", cited(_("Politisk nivå"), ("DI-8",), policy)),
        ]
        if policy is None or policy.applies("DI-8"):
            self.fields["referral_target"].label = _("Henvist til (politisk organ, DI-8)")


class CloseForm(PageForm):
    close_reason = forms.ChoiceField(label=_("Hvorfor lukkes den?"), choices=person_close_reasons)
    note = forms.CharField(label=_("Merknad"), required=False, max_length=2000)


class AssignForm(PageForm):
    assignee = forms.ChoiceField(label=_("Tildel til"), required=False)

    def __init__(self, *args: Any, people: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {str(p.pk): p for p in people}
        # The fields declared above (`fields` is typed with the base `Field`).
        cast(forms.ChoiceField, self.fields["assignee"]).choices = [
            ("", _("Kanalens administratorer"))
        ] + [(str(p.pk), p.get_full_name() or p.username) for p in people]

    def person(self) -> User | None:
        """The chosen person, or None for the channel's administrators."""
        return self.people.get(self.cleaned_data.get("assignee") or "")


class NoteForm(PageForm):
    text = VisibleCharField(
        label=_("Internt notat"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
        help_text=_("Notater vises bare i Ordstyrer, aldri for innbyggeren."),
    )


class EscalateForm(PageForm):
    note = VisibleCharField(
        label=_("Hvorfor kan saken være omdømmekritisk?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
    )
    # One escalation per intent: a double click mails communications once (DI-10).
    intent_key = intent_field()


class ReferForm(PageForm):
    # Nothing is chosen beforehand, as in the reply box (`ReplyForm.referral_kind`): a
    # formal referral journals an inbound record that can never be removed (AR-1, AR-3),
    # so «Henvis» clicked after only a note must not journal one by the first option. The
    # empty first choice is what the browser shows and sends until a kind is chosen.
    kind = forms.ChoiceField(
        label=_("Henvis til"),
        choices=[
            ("", _("Velg …")),
            ("formal", _("Formell henvendelse – journalføres")),
            ("political", _("Politisk nivå")),
        ],
        error_messages={"required": _("Velg hvor saken skal henvises.")},
    )
    target = forms.CharField(label=_("Organ eller mottaker"), required=False, max_length=255)
    note = forms.CharField(label=_("Merknad"), required=False, max_length=2000)
    # One referral per intent: a double click journals a formal inquiry once (AR-3).
    intent_key = intent_field()

    def __init__(self, *args: Any, policy: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Each kind cites its rule only where the municipality's policy applies it.
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            ("", _("Velg …")),
            ("formal", cited(_("Formell henvendelse – journalføres"), ("DI-7",), policy)),
            ("political", cited(_("Politisk nivå"), ("DI-8",), policy)),
        ]


class UnwantedReportForm(forms.Form):
    channel = forms.ChoiceField(label=_("Kanal"))
    # One report per intent: a double click opens one item (DI-11).
    intent_key = intent_field()
    link = forms.URLField(
        label=_("Lenke til ytringen"),
        required=False,
        assume_scheme="https",
        max_length=1000,
    )
    text = forms.CharField(
        label=_("Teksten (hvis du ikke har lenke)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=8000,
    )
    note = forms.CharField(
        label=_("Hva er problemet?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
    )

    def __init__(self, *args: Any, channels: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["channel"]).choices = [("", "")] + [
            (str(c.pk), c.name) for c in channels
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data  # what BaseForm.clean returns (typed as maybe None)
        if not data.get("link") and not (data.get("text") or "").strip():
            raise forms.ValidationError(
                _("Lim inn en lenke til ytringen eller teksten den inneholder.")
            )
        return data


# Straffeloven § 185 second paragraph a–e (norwegian-standards §4.1), the codes of
# `language.classify.HATE_GROUNDS`.
HATE_GROUND_CHOICES = [
    ("", _("Ikke oppgitt")),
    ("ethnicity", _("a) hudfarge eller nasjonal eller etnisk opprinnelse")),
    ("religion", _("b) religion eller livssyn")),
    ("sexual_orientation", _("c) seksuell orientering")),
    ("gender_identity", _("d) kjønnsidentitet eller kjønnsuttrykk")),
    ("disability", _("e) nedsatt funksjonsevne")),
]


class CategoriesForm(PageForm):
    """An editor's categories for an item (issue #16): checked as they stand now."""

    labels = forms.MultipleChoiceField(
        label=_("Kategorier"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Velg minst én kategori.")},
    )
    hate_ground = forms.ChoiceField(
        label=_("Grunnlag etter straffeloven § 185"),
        choices=HATE_GROUND_CHOICES,
        required=False,
        help_text=_("Bare for hatefulle ytringer."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.MultipleChoiceField", self.fields["labels"]).choices = list(
            category_labels().items()
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # A ground left selected when hate speech is unticked means nothing: the panel
        # reopens with the last ground an editor gave, and moving the comment to another
        # category must not need two saves.
        if "hate_speech" not in (data.get("labels") or ()):
            data["hate_ground"] = ""
        return data
