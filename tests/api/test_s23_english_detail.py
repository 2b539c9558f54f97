"""A refusal's `detail` is the refusal itself in English (api.md "Errors": `detail` in
English, `detail_nb` in Bokmål). Until stop 23 every service refusal answered with one
general English sentence ("…see detail_nb"), so a client that does not read Norwegian
learnt only that something was refused. The services now write their refusals lazily
(`core.errors.lazy_interpolate`, `finding_text`), and the API renders each again under
English, values and all (MO-1, MO-2)."""

from __future__ import annotations

import pytest
from django.utils import translation

from ordstyrer.core.errors import ServiceError
from ordstyrer.moderation.grounds import MIN_JUSTIFICATION, clean_justification
from tests.api.conftest import ApiClient, citizen_comment, token_for

GENERIC = ("see detail_nb", "was refused")


@pytest.fixture
def api(world) -> ApiClient:
    return ApiClient(token_for(world.p.communications, world.municipality))


def refusal(response, status: int = 422) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert not any(words in body["detail"] for words in GENERIC), body
    return body


def test_a_justification_too_short_is_explained_in_english_with_its_number(api, world):
    """MO-2: the sentence carries a value (the minimum length), in both languages."""
    item = citizen_comment(world.channel, "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/x")
    url = f"/api/v1/m/apiby/inbox/items/{item.pk}/moderation"
    body = refusal(api.post(url, {"action": "delete", "ground": "spam", "reason": "Reklame."}))
    assert body["detail"] == (
        f"Write a short justification (at least {MIN_JUSTIFICATION} characters); it is "
        "archived with the deletion."
    )
    assert f"minst {MIN_JUSTIFICATION} tegn" in body["detail_nb"]


def test_a_ground_the_guideline_does_not_allow_is_explained_in_english(api, world):
    """MO-1: Indre Fosen's guideline does not let harassment be deleted; the policy
    finding inside the refusal is given in English too, the citation as written."""
    item = citizen_comment(world.channel, "Du er en idiot og burde sparkes.")
    url = f"/api/v1/m/apiby/inbox/items/{item.pk}/moderation"
    body = {"action": "delete", "ground": "harassment", "reason": "Sjikane av en ansatt."}
    problem = refusal(api.post(url, body))
    assert problem["rule"] == "MO-1"
    assert "The guideline says:" in problem["detail"]
    assert "Retningslinjen sier:" in problem["detail_nb"]
    assert (
        problem["detail"].split("The guideline says:")[0]
        != problem["detail_nb"].split("Retningslinjen sier:")[0]
    )


def test_a_plain_field_refusal_is_in_english(api, world):
    item = citizen_comment(world.channel, "Når åpner biblioteket?")
    response = api.post(f"/api/v1/m/apiby/inbox/items/{item.pk}/replies", {"text": " "})
    body = refusal(response)
    assert body["detail"] == "The reply is empty." and body["detail_nb"] == "Svaret er tomt."


def test_the_console_still_reads_a_refusal_in_its_own_language(db):
    """The same lazy refusal, raised once, reads in the language of whoever shows it."""
    with pytest.raises(ServiceError) as refused, translation.override("nn"):
        clean_justification("kort", kind="delete")
    with translation.override("nb"):
        assert "minst" in str(refused.value.message)
    with translation.override("en"):
        assert "at least" in str(refused.value.message)
