"""Forms of the connection pages. A token field never shows its value back."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from ordstyrer.platforms.history import MAX_DAYS


class SystemTokenForm(forms.Form):
    account_id = forms.CharField(
        label=_("Sidens eller kontoens id"),
        max_length=64,
        help_text=_("Facebook-sidens id, eller Instagram-kontoens id for en Instagram-kanal."),
    )
    page_id = forms.CharField(
        label=_("Facebook-sidens id (bare for Instagram)"),
        max_length=64,
        required=False,
        help_text=_("Siden Instagram-kontoen er koblet til."),
    )
    token = forms.CharField(
        label=_("Token for systembruker"),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        max_length=2000,
        strip=True,
        help_text=_(
            "Lages av IT i Meta Business Manager for en systembruker med tilgang til siden. "
            "Tokenet lagres kryptert og vises aldri igjen."
        ),
    )


class BackfillForm(forms.Form):
    days = forms.IntegerField(
        label=_("Antall dager tilbake"),
        min_value=1,
        max_value=MAX_DAYS,
        initial=30,
        help_text=_("Innlegg fra disse dagene, med alle kommentarer og svar."),
    )


class ImportForm(forms.Form):
    export = forms.FileField(
        label=_("Eksportfil (zip)"),
        help_text=_(
            "Fra sidens innstillinger: «Last ned informasjonen din», format JSON. "
            "Bilder og video trengs ikke."
        ),
    )


class ChoosePageForm(forms.Form):
    page = forms.ChoiceField(label=_("Side"), widget=forms.RadioSelect)

    def __init__(self, *args, choices: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The field declared above (`fields` is typed with the base `Field`).
        cast(forms.ChoiceField, self.fields["page"]).choices = choices
