"""`ordstyrer municipality create|identity|list` — IT operations onboards a municipality
(docs/deploy.md §7).

    ordstyrer municipality create --slug rennebu --name "Rennebu kommune" --preset rennebu
                                  [--organisation-number 9 SIFRE]
    ordstyrer municipality identity --municipality rennebu [--website rennebu.kommune.no]
                                  [--contact-title T] [--contact-name N] [--contact-phone P]
                                  [--contact-email E] [--inquiry-email E] [--inquiry-phone P]
    ordstyrer municipality list

`identity` sets what the console's form «Kommunens nettsted og kontaktopplysninger» sets
(PU-9, EM-9, DI-7; `services.municipality_identity_update`): an option left out stays as
it is, "" clears it; without options it shows the details in force.

Changing a municipality's preset is left out on purpose: the overrides of its policy
versions belong to the old preset (`policy_for` drops them), and no service changes a
preset yet. Exit codes: 0 done, 2 unusable arguments or a refusal (one line on stderr).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from ordstyrer.policy import preset_ids
from ordstyrer.tenants.management.base import OperatorCommand
from ordstyrer.tenants.models import IDENTITY_FIELDS, Municipality
from ordstyrer.tenants.selectors import municipalities_overview
from ordstyrer.tenants.services import municipality_create, municipality_identity_update

# The identity's options, in the order `identity` shows them: field → (option help, label).
_IDENTITY_HELP = {
    "website": ("kommunens nettsted, f.eks. rennebu.kommune.no (PU-9)", "nettsted"),
    "contact_title": ("kontaktpersonens tittel (EM-9)", "kontaktperson, tittel"),
    "contact_name": ("kontaktpersonens navn (EM-9)", "kontaktperson, navn"),
    "contact_phone": ("kontaktpersonens telefon", "kontaktperson, telefon"),
    "contact_email": ("kontaktpersonens e-post", "kontaktperson, e-post"),
    "inquiry_email": ("e-post for formelle henvendelser (DI-7)", "formelle henvendelser, e-post"),
    "inquiry_phone": ("telefon for formelle henvendelser (DI-7)", "formelle henvendelser, telefon"),
}


class Command(OperatorCommand):
    help = "Opprett kommuner og vis dem som finnes (docs/deploy.md §7)."
    prog = "ordstyrer municipality"
    actions = {
        "create": "opprett en kommune med en retningslinje (forhåndsinnstilling)",
        "identity": "vis eller sett kommunens nettsted og kontaktopplysninger (PU-9, EM-9, DI-7)",
        "list": "vis kommunene: kortnavn, navn, retningslinje og antall personer og enheter",
    }

    def add_action(self, name: str, parser: CommandParser) -> None:
        if name == "create":
            parser.add_argument(
                "--slug", required=True, metavar="KORTNAVN", help="i adressen, f.eks. rennebu"
            )
            parser.add_argument("--name", required=True, metavar="NAVN", help="Rennebu kommune")
            parser.add_argument(
                "--preset",
                required=True,
                metavar="RETNINGSLINJE",
                help=f"en av: {', '.join(preset_ids())}",
            )
            parser.add_argument(
                "--organisation-number",
                default="",
                metavar="ORGNR",
                help="organisasjonsnummeret, ni sifre (kontrollsifferet sjekkes)",
            )

        if name == "identity":
            parser.add_argument("--municipality", required=True, metavar="KORTNAVN")
            for field, (help_text, _label) in _IDENTITY_HELP.items():
                parser.add_argument(
                    "--" + field.replace("_", "-"),
                    dest=field,
                    default=None,
                    metavar="VERDI",
                    help=help_text,
                )

    def do_create(self, options: dict[str, Any]) -> None:
        municipality = municipality_create(
            actor=None,
            slug=options["slug"],
            name=options["name"],
            preset=options["preset"],
            organisation_number=options["organisation_number"],
        )
        number = (
            f", org.nr. {municipality.organisation_number}"
            if municipality.organisation_number
            else ""
        )
        self.stdout.write(
            f"Opprettet {municipality.name} ({municipality.slug}) med retningslinjen "
            f"{municipality.preset}{number}. Neste steg: gi kommunikasjonsrådgiveren rollen "
            f"(ordstyrer role grant --municipality {municipality.slug} --user BRUKERNAVN "
            "--role communications)."
        )

    def do_list(self, options: dict[str, Any]) -> None:
        rows = municipalities_overview()
        if not rows:
            self.stdout.write("Ingen kommuner ennå (ordstyrer municipality create).")
            return
        self.stdout.write(
            "kortnavn\tnavn\tretningslinje\torg.nr.\tpersoner\tkommunikasjon\tenheter"
        )
        for row in rows:
            self.stdout.write(
                f"{row.slug}\t{row.name}\t{row.preset}\t{row.organisation_number or '-'}\t"
                f"{row.people}\t{row.communications}\t{row.units}"
            )

    def do_identity(self, options: dict[str, Any]) -> None:
        municipality = self.municipality(options["municipality"])
        given = {field: options[field] for field in IDENTITY_FIELDS if options[field] is not None}
        if given:
            changed = municipality_identity_update(actor=None, municipality=municipality, **given)
            self.stdout.write(
                f"Oppdaterte kontaktopplysningene til {municipality.name}."
                if changed
                else f"Ingen endring: {municipality.name} hadde allerede disse opplysningene."
            )
        self._show_identity(municipality)

    def _show_identity(self, municipality: Municipality) -> None:
        for field in IDENTITY_FIELDS:
            value = getattr(municipality, field) or "(ikke satt)"
            self.stdout.write(f"{_IDENTITY_HELP[field][1]}\t{value}")
