"""Forms of the console shell. They parse input; the policy engine judges it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from ordstyrer.core.forms import VisibleCharField
from ordstyrer.policy import GROUNDS, PLAN_FIELDS, ROLES, Draft, Media, get_rule
from ordstyrer.policy.tables import CRISIS_APPROVERS, CRISIS_DECLARERS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

TRI_STATE = [("", _("Vet ikke")), ("yes", _("Ja")), ("no", _("Nei"))]


def _tri(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class CheckForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Hva skal du publisere?"),
        choices=[("post", _("Innlegg")), ("reply", _("Svar på en kommentar"))],
        initial="post",
    )
    text = forms.CharField(
        label=_("Tekst"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        max_length=20000,
    )
    link = forms.URLField(
        label=_("Lenke (valgfri)"), required=False, assume_scheme="https", max_length=2000
    )
    media_type = forms.ChoiceField(
        label=_("Vedlegg"),
        choices=[("", _("Ingen")), ("image", _("Bilde")), ("video", _("Video"))],
        required=False,
    )
    alt = forms.CharField(label=_("Alternativ tekst for bildet"), required=False, max_length=1000)
    people = forms.ChoiceField(
        label=_("Personer på bildet/videoen"),
        choices=[
            ("", _("Vet ikke")),
            ("none", _("Ingen")),
            ("recognisable", _("Gjenkjennbare personer")),
            ("crowd", _("Folkemengde på et offentlig arrangement")),
        ],
        required=False,
    )
    children = forms.ChoiceField(label=_("Er det barn med?"), choices=TRI_STATE, required=False)
    consent = forms.ChoiceField(
        label=_("Har de avbildede samtykket?"), choices=TRI_STATE, required=False
    )
    consent_form = forms.ChoiceField(
        label=_("Finnes det signert samtykkeskjema for barna?"), choices=TRI_STATE, required=False
    )
    photographer_consent = forms.ChoiceField(
        label=_("Har fotografen samtykket til bruken?"), choices=TRI_STATE, required=False
    )
    speech = forms.ChoiceField(
        label=_("Ligger informasjonen i det som blir sagt i videoen?"),
        choices=TRI_STATE,
        required=False,
    )
    captions = forms.ChoiceField(label=_("Er videoen tekstet?"), choices=TRI_STATE, required=False)
    music_cleared = forms.ChoiceField(
        label=_("Er bruken av musikken i videoen avklart?"), choices=TRI_STATE, required=False
    )

    def draft(self) -> Draft:
        data = self.cleaned_data
        media: list[Media] = []
        if data.get("media_type"):
            media.append(
                Media(
                    type=data["media_type"],
                    alt=data.get("alt") or None,
                    people=data.get("people") or None,
                    children=_tri(data.get("children", "")),
                    consent=_tri(data.get("consent", "")),
                    consent_form=_tri(data.get("consent_form", "")),
                    photographer_consent=_tri(data.get("photographer_consent", "")),
                    speech=_tri(data.get("speech", "")),
                    captions=_tri(data.get("captions", "")),
                    music_cleared=_tri(data.get("music_cleared", "")),
                )
            )
        links = [data["link"]] if data.get("link") else []
        return Draft(text=data.get("text", ""), links=tuple(links), media=tuple(media))


def _int_or_none(bound: float | None) -> int | None:
    """An "int" parameter's minimum or maximum as the int it is (`ParamSpec.minimum` and
    `.maximum` are typed for both)."""
    return None if bound is None else int(bound)


def _code_labels(lang: str) -> dict[str, str]:
    """Every code a rule's parameter may hold, with its label: MO-1's grounds, CH-1's
    approvers, CH-2's plan fields, and PU-12's crisis approvers and declarers (the crisis
    leader is theirs alone)."""
    return {
        code: label.label(lang)
        for table in (GROUNDS, ROLES, PLAN_FIELDS, CRISIS_APPROVERS, CRISIS_DECLARERS)
        for code, label in table.items()
    }


# The rules' parameters in Norwegian (#15: the settings page showed "Approval chain",
# "Lix max", "First response hours").
PARAM_LABELS = {
    "answer_hours": _("Ferdig besvart innen (arbeidstimer)"),
    "approval_chain": _("Godkjenner"),
    "approve_posts": _("Kriseleder godkjenner alle innlegg"),
    "approve_replies": _("Kriseleder godkjenner alle svar"),
    "approvers": _("Hvem godkjenner under en krise"),
    "declared_by": _("Hvem erklærer og avslutter en krise"),
    "daily_cap": _("Høyeste antall nyheter per arbeidsdag"),
    "first_name_required": _("Svar signeres med eget fornavn"),
    "first_response_hours": _("Første svar innen (arbeidstimer)"),
    "grounds": _("Slettegrunnlag"),
    "lix_max": _("Høyeste lesbarhetsindeks (LIX)"),
    "min_words": _("Minste antall ord i teksten"),
    "required_plan_fields": _("Påkrevde punkter i kanalplanen"),
    "requires_link": _("Krever lenke til nettsiden"),
    "review_interval_days": _("Gjennomgang av kanalen hver (dager)"),
    "topics": _("Temaer"),
    "weekly_cap": _("Høyeste antall nyheter per uke"),
}
# Lists where the order matters: chosen step by step.
ORDERED_LISTS = frozenset({"approval_chain"})
# PU-12: the crisis leader approves, declares and ends a crisis whatever the lists say
# (`policy.render.crisis_approver_roles`, `crisis.selectors.crisis_settings`): shown
# fixed, not as a box whose unticking does nothing, and kept in what is saved.
CRISIS_LEADER_ALWAYS = {
    ("PU-12", "approvers"): _("Kriselederen godkjenner alltid (PU-12)."),
    ("PU-12", "declared_by"): _("Kriselederen erklærer og avslutter alltid en krise (PU-12)."),
}


class PolicyRuleForm(forms.Form):
    """Edit the parameters of one rule; fields follow the rule's parameter specs.

    Every label is Norwegian; lists of known codes are chosen from lists (checkboxes, or
    one choice per step where the order matters), never typed."""

    reason = VisibleCharField(label=_("Hvorfor endres dette?"), max_length=500)
    # The policy version the values were shown at (0: none yet): the service refuses a
    # save after someone else's rather than write these values over theirs.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    def __init__(
        self,
        *args,
        rule_id: str,
        params: dict,
        version: int = 0,
        lang: str = "nb",
        read_only: bool = False,
        locked: str = "",
        title: str = "",
        text: str = "",
        state: str = "on",
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        # The rule as the settings in force leave it (`policy.render.rule_title`,
        # `rule_text`, `rule_setting`): a rule switched off says so, never the catalogue's
        # promise (DI-9's signature, PU-12's approval); `state` on, partly or off.
        self.title = title
        self.text = text
        self.state = state
        # `locked`: why this rule is shown read-only to someone who may change others
        # (PU-12 outside the chief administrator's hands, or during a crisis).
        self.locked = locked
        read_only = read_only or bool(locked)
        self.editable = not read_only
        # Why a save was refused as a whole (the page shown again with the values in force).
        self.refusal = ""
        self.rule_id = rule_id
        self.rule = get_rule(rule_id)
        self.specs = self.rule.params
        self.shown = dict(params)
        self.fields["version"].initial = version
        labels = _code_labels(lang)
        for name, value in params.items():
            spec = self.specs.get(name)
            kind = spec.kind if spec else "str"
            label = PARAM_LABELS.get(name) or name.replace("_", " ").capitalize()
            minimum = spec.minimum if spec else None
            maximum = spec.maximum if spec else None
            field: forms.Field
            if kind == "bool":
                field = forms.BooleanField(label=label, required=False, initial=value)
            elif kind == "int":
                field = forms.IntegerField(
                    label=label,
                    initial=value,
                    min_value=_int_or_none(minimum),
                    max_value=_int_or_none(maximum),
                )
            elif kind == "float":
                field = forms.FloatField(
                    label=label, initial=value, min_value=minimum, max_value=maximum
                )
            elif kind == "str_list" and spec and spec.choices and name in ORDERED_LISTS:
                self._steps(name, label, list(value), sorted(spec.choices), labels, rule_id)
                continue
            elif kind == "str_list" and spec and spec.choices:
                fixed = CRISIS_LEADER_ALWAYS.get((rule_id, name))
                options = [(c, labels.get(c, c)) for c in sorted(spec.choices)]
                field = forms.MultipleChoiceField(
                    label=label,
                    initial=list(value),
                    choices=options,
                    widget=forms.CheckboxSelectMultiple,
                    required=False,
                    help_text=fixed or "",
                )
                if fixed:  # taken if posted, never shown as a box (`overrides` keeps it)
                    field.widget.choices = [o for o in options if o[0] != "crisis_leader"]
            elif kind == "str_list":
                allowed = sorted(spec.choices) if spec and spec.choices else []
                help_text: StrOrPromise = _("Én verdi per linje, i rekkefølge.")
                if allowed:
                    help_text = _(
                        "Én verdi per linje, i rekkefølge. Mulige verdier: %(codes)s."
                    ) % {"codes": ", ".join(f"{c} ({labels.get(c, c)})" for c in allowed)}
                field = forms.CharField(
                    label=label,
                    initial="\n".join(str(v) for v in value),
                    widget=forms.Textarea(attrs={"rows": max(2, len(value))}),
                    help_text=help_text,
                    required=False,
                )
            elif spec and spec.choices:
                field = forms.ChoiceField(
                    label=label,
                    initial=value,
                    choices=[(c, labels.get(c, c)) for c in sorted(spec.choices)],
                )
            else:
                field = forms.CharField(label=label, initial=str(value), required=False)
            field.widget.attrs["id"] = f"id_{rule_id}_{name}"
            self.fields[f"param__{name}"] = field
        self.fields["reason"].widget.attrs["id"] = f"id_{rule_id}_reason"
        self.order_fields([*(f for f in self.fields if f != "reason"), "reason"])
        self.param_names = list(params)
        if read_only:
            # For those who may read the settings but not change them: shown as they are,
            # not as fields that seem to take a change (the view refuses a POST anyway).
            for field in self.fields.values():
                field.disabled = True

    def _steps(
        self,
        name: str,
        label: StrOrPromise,
        value: list[str],
        choices: list[str],
        labels: dict[str, str],
        rule_id: str,
    ) -> None:
        """An ordered list of codes as one choice per step ("Godkjenner, steg 1", …)."""
        options = [("", _("Ingen (slutt her)")), *((c, labels.get(c, c)) for c in choices)]
        for step in range(1, len(choices) + 1):
            field = forms.ChoiceField(
                label=_("%(label)s, steg %(n)s") % {"label": label, "n": step},
                choices=options,
                initial=value[step - 1] if step <= len(value) else "",
                required=False,
            )
            field.widget.attrs["id"] = f"id_{rule_id}_{name}_{step}"
            self.fields[f"param__{name}__{step}"] = field

    def overrides(self) -> dict:
        """Every parameter as posted, under the rule's id: the values shown and any
        changed; the service tells which changed (`policy_update`)."""
        values = {}
        for name in self.param_names:
            spec = self.specs.get(name)
            if name in ORDERED_LISTS and f"param__{name}__1" in self.fields:
                steps, n = [], 1
                while f"param__{name}__{n}" in self.fields:
                    steps.append(self.cleaned_data.get(f"param__{name}__{n}") or "")
                    n += 1
                values[name] = [code for code in steps if code]
                continue
            value = self.cleaned_data[f"param__{name}"]
            if spec is not None and spec.kind == "str_list" and isinstance(value, str):
                value = [line.strip() for line in value.splitlines() if line.strip()]
            elif isinstance(value, list):
                value = list(value)
                if (self.rule_id, name) in CRISIS_LEADER_ALWAYS:
                    value = ["crisis_leader", *(c for c in value if c != "crisis_leader")]
                # Checkboxes post their codes in the page's order: the same codes are the
                # same choice, kept in the order in force (not a change of order).
                shown = list(self.shown.get(name) or ())
                if sorted(value) == sorted(shown):
                    value = shown
            values[name] = value
        return {self.rule_id: values}

    def shown_version(self) -> int | None:
        """The policy version the posted values were read at; None for a post without it."""
        return self.cleaned_data.get("version")
