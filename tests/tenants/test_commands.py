"""The operator's commands for onboarding a municipality (docs/deploy.md §7):
`ordstyrer municipality|unit|role|user`, through `call_command` and the `ordstyrer` entry.

Every refusal is one Norwegian line with exit code 2 and changes nothing: no row, no
audit entry."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from ordstyrer.api.models import ApiToken
from ordstyrer.api.tokens import api_token_create, token_authenticate
from ordstyrer.cli import main
from ordstyrer.core.models import AuditEntry
from ordstyrer.tenants.models import Municipality, Role, RoleAssignment, Unit
from tests.factories import PASSWORD as PASSWORD_OF_FACTORIES
from tests.factories import MunicipalityFactory, UnitFactory, UserFactory, person_with_roles

pytestmark = pytest.mark.django_db

PASSWORD = "Fjellvann-ved-Berkåk-2026"  # noqa: S105  (a test login)
RENNEBU_ORGNR = "939885684"  # Rennebu kommune in Brønnøysundregistrene


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch):
    """`ordstyrer <django command>` closes every connection when it ends; in a test that
    would close the test's own transaction (PostgreSQL)."""
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)


def run(*args: str, stdin: str | None = None) -> str:
    out = io.StringIO()
    extra = {"stdin": io.StringIO(stdin)} if stdin is not None else {}
    call_command(*args, stdout=out, **extra)
    return out.getvalue()


def refused(*args: str, stdin: str | None = None) -> str:
    """The one line a refused command says; it must exit with code 2."""
    with pytest.raises(CommandError) as caught:
        run(*args, stdin=stdin)
    assert caught.value.returncode == 2
    message = str(caught.value)
    assert message and "\n" not in message and "Traceback" not in message
    return message


def cli(capsys, *args: str, stdin: str | None = None, monkeypatch=None) -> tuple[int, str, str]:
    if stdin is not None and monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    try:
        code = main(list(args))
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def snapshot() -> tuple[int, ...]:
    """Everything the commands write, counted."""
    return (
        Municipality.objects.count(),
        Unit.objects.count(),
        RoleAssignment.objects.count(),
        get_user_model().objects.count(),
        get_user_model().objects.filter(is_active=True).count(),
        AuditEntry.objects.count(),
    )


# --- onboarding, end to end through the `ordstyrer` command ------------------------------


def test_an_operator_onboards_rennebu_and_its_first_advisor_from_the_command_line(
    capsys, monkeypatch
):
    code, out, err = cli(
        capsys,
        "municipality",
        "create",
        "--slug",
        "rennebu",
        "--name",
        "Rennebu kommune",
        "--preset",
        "rennebu",
        "--organisation-number",
        "939 885 684",
    )
    assert (code, err) == (0, "")
    assert "Opprettet Rennebu kommune (rennebu)" in out and "role grant" in out
    rennebu = Municipality.objects.get(slug="rennebu")
    assert (rennebu.preset, rennebu.organisation_number) == ("rennebu", RENNEBU_ORGNR)

    code, out, err = cli(
        capsys,
        "user",
        "create",
        "--username",
        "kari",
        "--first-name",
        "Kari",
        "--last-name",
        "Nordmann",
        "--email",
        "kari@rennebu.kommune.no",
        "--password-stdin",
        stdin=PASSWORD + "\n",
        monkeypatch=monkeypatch,
    )
    assert (code, err) == (0, "")
    assert PASSWORD not in out
    kari = get_user_model().objects.get(username="kari")
    assert kari.check_password(PASSWORD) and kari.get_full_name() == "Kari Nordmann"

    assert (
        cli(capsys, "unit", "create", "--municipality", "rennebu", "--name", "Berkåk skole")[0] == 0
    )
    for extra in ([], ["--unit", "berkåk skole"]):  # the unit's name in any case
        role = "communications" if not extra else "unit_leader"
        code, out, err = cli(
            capsys,
            "role",
            "grant",
            "--municipality",
            "rennebu",
            "--user",
            "kari",
            "--role",
            role,
            *extra,
        )
        assert (code, err) == (0, ""), err
    assert set(kari.role_assignments.values_list("role", "unit__name")) == {
        (Role.COMMUNICATIONS, None),
        (Role.UNIT_LEADER, "Berkåk skole"),
    }

    code, out, _ = cli(capsys, "role", "list", "--municipality", "rennebu")
    assert code == 0
    assert "kari\tKari Nordmann\tcommunications\t-\taktiv" in out
    assert "kari\tKari Nordmann\tunit_leader\tBerkåk skole\taktiv" in out
    code, out, _ = cli(capsys, "municipality", "list")
    assert "rennebu\tRennebu kommune\trennebu\t939885684\t1\t1\t1" in out

    # Kari can now work in the console; everything was done by the system, audited.
    client = Client()
    assert client.login(username="kari", password=PASSWORD)
    assert client.get(reverse("dashboard", args=["rennebu"])).status_code == 200
    actions = list(AuditEntry.objects.order_by("id").values_list("action", "actor"))
    assert actions == [
        ("municipality_create", None),
        ("user_create", None),
        ("unit_create", None),
        ("role_assign", None),
        ("role_assign", None),
    ]
    assert PASSWORD not in str(list(AuditEntry.objects.values_list("data", flat=True)))


def test_a_refusal_through_the_ordstyrer_command_is_one_line_and_exit_2(capsys):
    MunicipalityFactory(slug="rennebu", name="Rennebu kommune", preset="rennebu")
    code, out, err = cli(
        capsys, "role", "grant", "--municipality", "rennebu", "--user", "nils", "--role", "employee"
    )
    assert code == 2 and out == ""
    assert err == "ordstyrer role: Fant ingen bruker «nils» (ordstyrer user create).\n"
    code, _, err = cli(capsys, "municipality", "create", "--slug", "x")
    assert code == 2 and err == "ordstyrer municipality: mangler --name, --preset\n"
    code, _, err = cli(capsys, "unit")
    assert code == 2 and err == "ordstyrer unit: mangler create|list\n"


# --- municipality ----------------------------------------------------------------------


def create_args(**over: str) -> list[str]:
    values = {"slug": "rennebu", "name": "Rennebu kommune", "preset": "rennebu", **over}
    args = ["municipality", "create"]
    for key, value in values.items():
        args += [f"--{key.replace('_', '-')}", value]
    return args


@pytest.mark.parametrize(
    ("over", "says"),
    [
        ({"preset": "oslo"}, "Ukjent retningslinje «oslo». Kjente: birkenes, gausdal,"),
        ({"slug": "eksisterer"}, "Kortnavnet «eksisterer» er i bruk."),
        ({"organisation_number": "939885685"}, "«939885685» er ikke et gyldig organisasjonsnummer"),
        ({"organisation_number": "93988568"}, "«93988568» er ikke et gyldig organisasjonsnummer"),
        ({"organisation_number": "abc"}, "«abc» er ikke et gyldig organisasjonsnummer"),
        ({"organisation_number": "974760673"}, "974760673 er allerede registrert på Eksisterer"),
        ({"slug": "Rennebu kommune"}, "Kortnavnet «Rennebu kommune» må være 1–60 tegn"),
        ({"slug": "a" * 61}, "må være 1–60 tegn"),
        ({"name": "  "}, "Oppgi kommunens navn"),
    ],
)
def test_municipality_create_refuses_bad_input_and_changes_nothing(over, says):
    MunicipalityFactory(
        slug="eksisterer", name="Eksisterer", preset="gausdal", organisation_number="974760673"
    )
    before = snapshot()
    assert says in refused(*create_args(**over))
    assert snapshot() == before


def test_municipality_list_counts_active_people_advisors_and_units():
    place = MunicipalityFactory(slug="gausdal", name="Gausdal kommune", preset="gausdal")
    person_with_roles(place, Role.COMMUNICATIONS)
    person_with_roles(place, Role.COMMUNICATIONS, is_active=False)
    person_with_roles(place)
    UnitFactory(municipality=place, name="Follebu skole")
    MunicipalityFactory(slug="tom", name="Tom kommune", preset="birkenes")
    lines = run("municipality", "list").splitlines()
    assert lines[0].startswith("kortnavn\tnavn\tretningslinje")
    assert lines[1:] == [
        "gausdal\tGausdal kommune\tgausdal\t-\t2\t1\t1",
        "tom\tTom kommune\tbirkenes\t-\t0\t0\t0",
    ]


def test_municipality_identity_sets_shows_and_refuses_like_the_console_form():
    """PU-9/EM-9/DI-7: an operator sets a new municipality's website and contacts before
    anyone can open the console; the same service and checks as the settings form."""
    place = MunicipalityFactory(slug="rennebu", name="Rennebu kommune", preset="gausdal")
    out = run(
        "municipality",
        "identity",
        "--municipality=rennebu",
        "--website=https://rennebu.kommune.no/",
        "--contact-title=Kommunikasjonsrådgiver",
        "--contact-name=Kari Nordmann",
        "--inquiry-email=postmottak@rennebu.kommune.no",
    )
    place.refresh_from_db()
    assert place.website == "rennebu.kommune.no"
    assert (place.contact_name, place.inquiry_email) == (
        "Kari Nordmann",
        "postmottak@rennebu.kommune.no",
    )
    assert "Oppdaterte kontaktopplysningene til Rennebu kommune." in out
    assert "nettsted\trennebu.kommune.no" in out
    assert "kontaktperson, telefon\t(ikke satt)" in out
    entry = AuditEntry.objects.get(action="municipality_identity_update")
    assert entry.actor is None

    again = run(
        "municipality", "identity", "--municipality=rennebu", "--website=rennebu.kommune.no"
    )
    assert "Ingen endring" in again
    assert AuditEntry.objects.filter(action="municipality_identity_update").count() == 1

    shown = run("municipality", "identity", "--municipality=rennebu")
    assert "formelle henvendelser, e-post\tpostmottak@rennebu.kommune.no" in shown

    before = snapshot()
    assert "Ugyldig e-postadresse «ikke-en-adresse»" in refused(
        "municipality", "identity", "--municipality=rennebu", "--contact-email=ikke-en-adresse"
    )
    assert "Oppgi både tittel og navn" in refused(
        "municipality", "identity", "--municipality=rennebu", "--contact-name="
    )
    assert "Fant ingen kommune" in refused("municipality", "identity", "--municipality=borte")
    assert snapshot() == before
    place.refresh_from_db()
    assert (place.contact_email, place.contact_name) == ("", "Kari Nordmann")


# --- units -----------------------------------------------------------------------------


def test_units_are_made_once_per_municipality_and_listed():
    place = MunicipalityFactory(slug="rennebu", name="Rennebu kommune", preset="rennebu")
    assert "Opprettet enheten «Berkåk skole»" in run(
        "unit", "create", "--municipality", "rennebu", "--name", " Berkåk   skole "
    )
    before = snapshot()
    assert "har allerede en enhet som heter «berkåk skole»" in refused(
        "unit", "create", "--municipality", "rennebu", "--name", "berkåk skole"
    )
    assert "Oppgi enhetens navn" in refused(
        "unit", "create", "--municipality", "rennebu", "--name", " "
    )
    assert "Fant ingen kommune med kortnavnet «oslo»" in refused(
        "unit", "create", "--municipality", "oslo", "--name", "Rådhuset"
    )
    assert snapshot() == before
    assert run("unit", "list", "--municipality", "rennebu") == "Berkåk skole\n"
    assert AuditEntry.objects.get(action="unit_create").municipality == place


# --- roles -----------------------------------------------------------------------------


@pytest.fixture
def rennebu(db):
    place = MunicipalityFactory(slug="rennebu", name="Rennebu kommune", preset="rennebu")
    UnitFactory(municipality=place, name="Berkåk skole")
    other = MunicipalityFactory(slug="oppdal", name="Oppdal kommune", preset="gausdal")
    UnitFactory(municipality=other, name="Oppdal skole")
    UserFactory(username="nils")
    return place


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--municipality", "oslo", "--user", "nils", "--role", "employee"], "Fant ingen kommune"),
        (
            ["--municipality", "rennebu", "--user", "per", "--role", "employee"],
            "Fant ingen bruker «per»",
        ),
        (
            ["--municipality", "rennebu", "--user", "nils", "--role", "konge"],
            "Ukjent rolle «konge». Kjente: communications,",
        ),
        (
            [
                "--municipality",
                "rennebu",
                "--user",
                "nils",
                "--role",
                "employee",
                "--unit",
                "Ukjent",
            ],
            "Fant ingen enhet «Ukjent» i Rennebu kommune",
        ),
        (  # another municipality's unit is not found here
            [
                "--municipality",
                "rennebu",
                "--user",
                "nils",
                "--role",
                "employee",
                "--unit",
                "Oppdal skole",
            ],
            "Fant ingen enhet «Oppdal skole»",
        ),
        (["--municipality", "rennebu", "--user", "nils"], "mangler --role"),
    ],
)
@pytest.mark.parametrize("action", ["grant", "revoke"])
def test_role_commands_refuse_unknown_things_and_change_nothing(rennebu, action, args, says):
    before = snapshot()
    assert says in refused("role", action, *args)
    assert snapshot() == before


def test_the_last_active_communications_advisor_keeps_the_role(rennebu):
    kari = person_with_roles(rennebu, Role.COMMUNICATIONS, username="kari")
    before = snapshot()
    message = refused(
        "role", "revoke", "--municipality", "rennebu", "--user", "kari", "--role", "communications"
    )
    assert message == (
        "kari er den siste aktive kommunikasjonsrådgiveren i Rennebu kommune. "
        "Gi rollen til en annen først."
    )
    # A deactivated advisor is nobody to hand over to.
    person_with_roles(rennebu, Role.COMMUNICATIONS, username="gammel", is_active=False)
    before = snapshot()
    assert "siste aktive" in refused(
        "role", "revoke", "--municipality", "rennebu", "--user", "kari", "--role", "communications"
    )
    assert snapshot() == before

    run("role", "grant", "--municipality", "rennebu", "--user", "nils", "--role", "communications")
    out = run(
        "role", "revoke", "--municipality", "rennebu", "--user", "kari", "--role", "communications"
    )
    assert out == "kari har ikke lenger rollen communications i Rennebu kommune.\n"
    assert not kari.role_assignments.filter(role=Role.COMMUNICATIONS).exists()
    entry = AuditEntry.objects.get(action="role_revoke")
    assert (entry.municipality, entry.actor, entry.data["role"]) == (
        rennebu,
        None,
        "communications",
    )
    # The deactivated one's role can go: it leaves nobody less.
    run(
        "role",
        "revoke",
        "--municipality",
        "rennebu",
        "--user",
        "gammel",
        "--role",
        "communications",
    )


def test_revoking_a_role_not_held_is_refused_and_a_unit_role_is_its_own(rennebu):
    person_with_roles(rennebu, Role.UNIT_LEADER, username="eva")
    run(
        "role",
        "grant",
        "--municipality",
        "rennebu",
        "--user",
        "eva",
        "--role",
        "unit_leader",
        "--unit",
        "Berkåk skole",
    )
    before = snapshot()
    assert (
        refused(
            "role", "revoke", "--municipality", "rennebu", "--user", "eva", "--role", "archivist"
        )
        == "eva har ikke rollen archivist i Rennebu kommune; ingenting er endret."
    )
    assert snapshot() == before
    run(
        "role",
        "revoke",
        "--municipality",
        "rennebu",
        "--user",
        "eva",
        "--role",
        "unit_leader",
        "--unit",
        "Berkåk skole",
    )
    # The municipality-wide unit_leader role stays.
    assert list(
        RoleAssignment.objects.filter(user__username="eva", role=Role.UNIT_LEADER).values_list(
            "unit", flat=True
        )
    ) == [None]


def test_granting_a_held_role_again_changes_nothing(rennebu):
    args = ("role", "grant", "--municipality", "rennebu", "--user", "nils", "--role", "archivist")
    run(*args)
    before = snapshot()
    assert "nils har rollen archivist i Rennebu kommune." in run(*args)
    assert snapshot() == before


# --- users -----------------------------------------------------------------------------


def user_args(username: str = "kari", email: str = "kari@rennebu.kommune.no") -> list[str]:
    return [
        "user", "create", "--username", username, "--first-name", "Kari",
        "--last-name", "Nordmann", "--email", email,
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("args", "stdin", "says"),
    [
        (user_args(), "kari\n", "Passordet godtas ikke: Passordet er for likt brukernavn."),
        (user_args(), "kort\n", "Det er for kort: minst 8 tegn."),
        (user_args(), "password1\n", "Passordet godtas ikke: Dette passordet er for vanlig."),
        (user_args(username="Eksisterende"), PASSWORD, "Brukernavnet «Eksisterende» er i bruk."),
        (user_args(username="kari nordmann"), PASSWORD, "Ugyldig brukernavn «kari nordmann»"),
        (user_args(email="kari@"), PASSWORD, "Ugyldig e-postadresse «kari@»."),
        (user_args(), "\n", "Fikk ikke noe passord på standard inn."),
        (user_args(), "x" * 5000, "Passordet er lengre enn 4096 tegn."),
    ],
)
def test_user_create_refuses_bad_input_and_makes_no_account(args, stdin, says):
    UserFactory(username="eksisterende")
    before = snapshot()
    message = refused(*args, "--password-stdin", stdin=stdin)
    assert says in message and PASSWORD not in message
    assert snapshot() == before


def test_user_create_asks_twice_on_a_terminal_and_never_without_one(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    answers = iter([PASSWORD, PASSWORD + "!"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    before = snapshot()
    with pytest.raises(CommandError) as caught:
        call_command(*user_args(), stdout=io.StringIO(), stdin=Terminal())
    assert caught.value.returncode == 2 and "Passordene er ikke like" in str(caught.value)
    assert snapshot() == before
    # Not a terminal and no --password-stdin: say how, make nothing.
    assert "send passordet med --password-stdin" in refused(*user_args(), stdin="")
    assert snapshot() == before

    answers = iter([PASSWORD, PASSWORD])
    call_command(*user_args(), stdout=io.StringIO(), stdin=Terminal())
    assert get_user_model().objects.get(username="kari").check_password(PASSWORD)


def test_deactivating_ends_sessions_revokes_tokens_and_says_who_is_missing(rennebu):
    kari = person_with_roles(rennebu, Role.COMMUNICATIONS, username="kari")
    token, secret = api_token_create(actor=None, user=kari, municipality=rennebu)
    dashboard = reverse("dashboard", args=["rennebu"])
    sessions = []
    for backend in (
        "django.contrib.auth.backends.ModelBackend",
        "ordstyrer.sso.backend.OidcBackend",
    ):
        client = Client()
        client.force_login(kari, backend=backend)
        assert client.get(dashboard).status_code == 200
        sessions.append(client)

    out = run("user", "deactivate", "--username", "kari")
    assert "kari er deaktivert" in out and "Trakk tilbake 1 API-nøkler." in out
    assert "Merk: Rennebu kommune har ingen aktiv kommunikasjonsrådgiver nå." in out
    kari.refresh_from_db()
    assert not kari.is_active
    for client in sessions:  # a password session and an SSO session alike (both backends)
        assert client.get(dashboard).status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert token_authenticate(secret) is None
    assert kari.role_assignments.filter(role=Role.COMMUNICATIONS).exists()  # for the record
    entry = AuditEntry.objects.get(action="user_deactivate")
    assert (entry.municipality, entry.actor) == (rennebu, None)

    before = snapshot()
    assert refused("user", "deactivate", "--username", "kari") == "kari er allerede deaktivert."
    assert "Fant ingen bruker «per»" in refused("user", "deactivate", "--username", "per")
    assert snapshot() == before

    assert "kari er aktiv igjen" in run("user", "activate", "--username", "kari")
    kari.refresh_from_db()
    assert kari.is_active and kari.check_password(PASSWORD_OF_FACTORIES)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert refused("user", "activate", "--username", "kari") == "kari er allerede aktiv."
