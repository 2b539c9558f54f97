"""Session 21: «Fjern Kari» on the crisis page took a deputy's right to approve away in
one click, with nothing saying what follows (PU-12: the crisis leader and the deputies
approve everything that goes out in a crisis).

Now «Fjern …» opens a confirmation page that names who loses the right (or that they keep
it through their role), whether a crisis is going on and what waits for approval, and
who is left to approve; only its form (`confirm=yes`) removes. A post of the old
one-click form gets the page; a replayed confirmation says «allerede fjernet»."""

from __future__ import annotations

import pytest
from django.contrib.messages import INFO, SUCCESS, get_messages
from django.test import Client

from ordstyrer.core.models import AuditEntry
from ordstyrer.crisis.models import CrisisDeputy, CrisisLogEntry, CrisisLogKind
from ordstyrer.crisis.services import crisis_declare, crisis_deputy_add
from ordstyrer.tenants.models import Role
from tests.conftest import make_personas
from tests.crisis.conftest import TUESDAY
from tests.factories import person_with_roles
from tests.inbox.conftest import text_of

pytestmark = pytest.mark.django_db

ALREADY = "Stedfortrederen er allerede fjernet."


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _said(response) -> list[tuple[int, str]]:
    return [(m.level, str(m)) for m in get_messages(response.wsgi_request)]


def _url(p) -> str:
    return f"/m/{p.municipality.slug}/krise/stedfortredere/"


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def _removals() -> int:
    return AuditEntry.objects.filter(action="crisis_deputy_removed").count()


@pytest.fixture
def kari(db):
    """Indre Fosen (PU-12 approvers: the crisis leader), Kari named the crisis leader's
    deputy by the crisis leader."""
    p = make_personas("s21stedfortreder", "indre-fosen")
    p.kari = person_with_roles(
        p.municipality, Role.COMMUNICATIONS, username="kari-s21", first_name="Kari"
    )
    crisis_deputy_add(municipality=p.municipality, user=p.kari, actor=p.crisis_leader)
    return p


def test_pu12_the_crisis_page_links_to_the_confirmation_and_removes_nothing(kari):
    """PU-12: «Fjern …» on the crisis page is a link to the confirmation, no one-click form."""
    p = kari
    page = _signed_in(p.crisis_leader).get(f"/m/{p.municipality.slug}/krise/").content.decode()
    link = f'<a class="button" href="{_url(p)}?fjern={p.kari.pk}">Fjern {_name(p.kari)}</a>'
    assert link in page
    assert 'name="remove"' not in page


def test_pu12_the_confirmation_names_who_loses_the_right_and_who_is_left(kari):
    """PU-12: the page names the deputy, says they lose the right to approve, that no
    crisis is going on, and lists who still approves (the crisis leader); nothing is
    removed and nothing is pre-selected."""
    p = kari
    response = _signed_in(p.crisis_leader).get(_url(p), {"fjern": p.kari.pk})
    assert response.status_code == 200
    words = text_of(response.content.decode())
    kari_name = _name(p.kari)
    assert f"Bekreft at {kari_name} ikke lenger er stedfortreder for kriselederen" in words
    assert f"{kari_name} mister retten til å godkjenne innlegg og svar i en krise (PU-12)." in words
    assert "Ingen krise pågår nå." in words
    assert f"Disse kan da godkjenne i en krise (PU-12): {_name(p.crisis_leader)}" in words
    html = response.content.decode()
    assert f'<input type="hidden" name="remove" value="{p.kari.pk}">' in html
    assert 'name="confirm" value="yes"' in html and "checked" not in html
    assert CrisisDeputy.objects.filter(user=p.kari).exists() and _removals() == 0


def test_pu12_the_old_one_click_form_gets_the_confirmation_and_removes_nothing(kari):
    """PU-12: a post of the old «Fjern Kari» form (a page opened before) renders the
    confirmation; Kari stays a deputy."""
    p = kari
    response = _signed_in(p.crisis_leader).post(_url(p), {"remove": p.kari.pk})
    assert response.status_code == 200
    assert "Dette skjer når du bekrefter" in text_of(response.content.decode())
    assert CrisisDeputy.objects.filter(user=p.kari).exists() and _removals() == 0


def test_pu12_during_a_crisis_the_confirmation_says_so_and_the_removal_is_logged_once(kari):
    """PU-12: during a crisis the page names it; the confirmed form removes Kari once and
    the crisis log has it once; the replay (a double click) says «allerede fjernet» as
    information and changes nothing."""
    p = kari
    crisis = crisis_declare(
        municipality=p.municipality, name="Flom i Elvdalen", actor=p.crisis_leader, now=TUESDAY
    )
    client = _signed_in(p.crisis_leader)
    words = text_of(client.get(_url(p), {"fjern": p.kari.pk}).content.decode())
    assert "Krisen «Flom i Elvdalen» pågår nå, og fjerningen føres i kriseloggen." in words

    form = {"remove": p.kari.pk, "confirm": "yes"}
    first = client.post(_url(p), form)
    assert first.status_code == 302
    assert _said(first) == [(SUCCESS, "Stedfortrederen er fjernet.")]
    assert not CrisisDeputy.objects.filter(user=p.kari).exists()
    again = client.post(_url(p), form)
    assert again.status_code == 302
    assert _said(again)[-1] == (INFO, ALREADY)
    assert _removals() == 1
    logged = CrisisLogEntry.objects.filter(crisis=crisis, kind=CrisisLogKind.DEPUTY_REMOVED)
    assert logged.count() == 1
    # The confirmation page opened again (the browser's back) says so too.
    back = client.get(_url(p), {"fjern": p.kari.pk})
    assert back.status_code == 302 and _said(back)[-1] == (INFO, ALREADY)


def test_pu12_a_deputy_who_approves_through_their_role_is_told_they_keep_it(kari):
    """PU-12: a second crisis leader named deputy keeps the right through the role; the
    page says so instead of «mister retten»."""
    p = kari
    second = person_with_roles(
        p.municipality, Role.CRISIS_LEADER, username="krise2-s21", first_name="Per"
    )
    crisis_deputy_add(municipality=p.municipality, user=second, actor=p.crisis_leader)
    words = text_of(_signed_in(p.crisis_leader).get(_url(p), {"fjern": second.pk}).content.decode())
    assert (
        f"{_name(second)} er ikke lenger stedfortreder, men kan fortsatt godkjenne innlegg og "
        "svar i en krise gjennom rollen sin i kommunen (PU-12)." in words
    )
    assert "mister retten" not in words


def test_pu12_when_nobody_else_approves_the_page_says_so():
    """PU-12 (Gausdal: the rådmann names deputies, only the crisis leader approves): with
    the crisis leader gone, removing the one deputy leaves nobody to approve — the page
    says so, and what to do."""
    p = make_personas("s21ingen", "gausdal")
    crisis_deputy_add(municipality=p.municipality, user=p.employee, actor=p.chief_administrator)
    p.crisis_leader.is_active = False
    p.crisis_leader.save(update_fields=["is_active"])
    words = text_of(
        _signed_in(p.chief_administrator).get(_url(p), {"fjern": p.employee.pk}).content.decode()
    )
    assert "Ingen andre kan da godkjenne innlegg og svar i en krise." in words
    assert "Disse kan da godkjenne" not in words


def test_pu12_an_outsider_gets_404_and_communications_403(kari):
    """PU-12: another municipality's person gets 404; communications, who sees the crisis
    page but names no deputies, gets 403 on the confirmation, confirmed or not."""
    p = kari
    for user, status in ((p.outsider, 404), (p.communications, 403)):
        client = _signed_in(user)
        assert client.get(_url(p), {"fjern": p.kari.pk}).status_code == status
        assert client.post(_url(p), {"remove": p.kari.pk}).status_code == status
        confirmed = {"remove": p.kari.pk, "confirm": "yes"}
        assert client.post(_url(p), confirmed).status_code == status
    assert CrisisDeputy.objects.filter(user=p.kari).exists() and _removals() == 0
