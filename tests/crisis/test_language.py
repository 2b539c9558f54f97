"""The crisis page in the reader's language: texts the views hold at module level are
translated per request, not frozen in the language active when the module was imported."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _bokmal_afterwards():
    """The console's middleware activates the cookie's language in the test's thread and
    leaves it there; later tests expect Bokmål."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


# The catalogue's own words (locale/nn/LC_MESSAGES/django.po, msgid "Alle planlagte
# innlegg settes på pause, …"), and the English for the same msgid.
NYNORSK = (
    "Alle planlagde innlegg blir sette på pause, alle nye innlegg og svar ventar på kriseleiar."
)
ENGLISH = "All scheduled posts are paused, all new posts and replies wait for the crisis leader."
BOKMAL = "Alle planlagte innlegg settes på pause, alle nye innlegg og svar venter på kriseleder."


def client_for(user, language: str) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.mark.parametrize(
    ("language", "shown", "not_shown"),
    [("nn", NYNORSK, BOKMAL), ("en", ENGLISH, BOKMAL), ("nb", BOKMAL, NYNORSK)],
)
def test_the_consequence_of_a_crisis_is_said_in_the_interface_language(
    world, language, shown, not_shown
):
    client = client_for(world.p.crisis_leader, language)
    url = f"/m/{world.municipality.slug}/krise/"
    page = client.get(url).content.decode()
    assert shown in page and not_shown not in page
    # The confirmation step says it too.
    confirm = client.post(f"{url}erklaer/", {"name": "Flom"}).content.decode()
    assert shown in confirm and not_shown not in confirm


def test_an_outsider_gets_404_in_any_language(world):
    url = f"/m/{world.municipality.slug}/krise/"
    assert client_for(world.p.outsider, "nn").get(url).status_code == 404
