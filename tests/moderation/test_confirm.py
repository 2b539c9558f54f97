"""Deleting and banning are deliberate acts (MO-1, MO-2, MO-4): the panel's form only
shows a confirmation — what will be archived, the ground in the municipality's own
words, the notice that will go out — and nothing is archived or sent to the platform
before «Bekreft sletting» / «Bekreft utestenging»."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils.timezone import localtime

from ordstyrer.archive.models import ArchiveRecord
from ordstyrer.inbox.models import InboxItem
from ordstyrer.moderation.models import ModerationAction, PlatformOp
from tests.moderation.conftest import citizen_comment, client_for, on_platform

pytestmark = pytest.mark.django_db
SPAM = "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/rask-gevinst"
WHY = "Reklame for pengespill, lagt inn på flere innlegg."


def mod_url(world, name: str, *args) -> str:
    return reverse(f"moderation:{name}", args=[world.municipality.slug, *args])


def nothing_done() -> bool:
    return (
        not ModerationAction.objects.exists()
        and not PlatformOp.objects.exists()
        and not ArchiveRecord.objects.exists()
    )


def test_delete_shows_the_consequence_and_waits_for_the_confirmation(
    world, django_capture_on_commit_callbacks
):
    item = citizen_comment(world.channel, SPAM)
    client = client_for(world.admin)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        page = client.post(
            mod_url(world, "delete", item.pk), {"ground": "spam", "justification": WHY}
        )
    assert page.status_code == 200 and not callbacks
    html = page.content.decode()
    assert "<h1>Bekreft sletting</h1>" in html
    assert SPAM in html and "Ola Nordmann" in html  # what is archived
    assert "Spam" in html and WHY in html  # the ground and the justification
    # The municipality's own words (Indre Fosen's MO-1 citation).
    assert "Terskelen for å slette kommentarer eller utestenge enkeltpersoner" in html
    # The notice (MO-4 is required in Indre Fosen) as it will be sent.
    assert "Hei Ola! Vi har slettet en kommentar du skrev på «Skolen»." in html
    assert re.search(r'<button type="submit" class="danger">Bekreft sletting</button>', html)
    assert 'name="confirmed" value="1"' in html
    assert nothing_done()
    assert on_platform(world.channel, item.platform_id)["removed"] is False

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            mod_url(world, "delete", item.pk),
            {"ground": "spam", "justification": WHY, "confirmed": "1"},
        )
    assert done.status_code == 302 and done["Location"].endswith("#moderering")
    action = ModerationAction.objects.get(kind="delete")
    assert action.status == "done" and action.archive_record is not None
    assert on_platform(world.channel, item.platform_id)["removed"] is True


def test_a_refused_deletion_is_refused_before_the_confirmation(world):
    item = citizen_comment(world.channel, SPAM)
    client = client_for(world.admin)
    too_short = client.post(
        mod_url(world, "delete", item.pk), {"ground": "spam", "justification": "spam"}
    )
    assert too_short.status_code == 400  # the form again, with the reason beside it
    html = too_short.content.decode()
    assert "Skriv en kort begrunnelse" in html and "Bekreft sletting" not in html
    # An editor does not moderate: 403 on the preview as on the deletion.
    editor = client_for(world.editor)
    for data in (
        {"ground": "spam", "justification": WHY},
        {"ground": "spam", "justification": WHY, "confirmed": "1"},
    ):
        response = editor.post(mod_url(world, "delete", item.pk), data)
        assert response.status_code in (302, 403)
        assert "Bekreft sletting" not in response.content.decode()
    assert nothing_done()


def test_ban_is_confirmed_with_bekreft_utestenging(world, django_capture_on_commit_callbacks):
    item = citizen_comment(world.channel, SPAM)
    client = client_for(world.main_admin)
    page = client.post(mod_url(world, "ban", item.pk), {"ground": "spam", "justification": WHY})
    html = page.content.decode()
    assert page.status_code == 200 and "<h1>Bekreft utestenging</h1>" in html
    assert "Hei Ola! Du kan ikke lenger kommentere på Skolen." in html
    assert "Bekreft utestenging</button>" in html
    assert nothing_done()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            mod_url(world, "ban", item.pk),
            {"ground": "spam", "justification": WHY, "confirmed": "1"},
        )
    assert ModerationAction.objects.get(kind="ban").archive_record is not None


def test_outsiders_get_404_at_both_steps(world):
    item = citizen_comment(world.channel, SPAM)
    outsider = client_for(world.p.outsider)
    other = client_for(world.other_admin)
    for name in ("delete", "ban"):
        for extra in ({}, {"confirmed": "1"}):
            data = {"ground": "spam", "justification": WHY, **extra}
            assert outsider.post(mod_url(world, name, item.pk), data).status_code == 404
            assert other.post(mod_url(world, name, item.pk), data).status_code == 403
    assert nothing_done()


def test_no_ground_is_chosen_on_any_item_page(world):
    """Whatever the automatic category, the grounds start unchosen (8 of 40 demo items
    had "Hatefulle ytringer" ticked before)."""
    texts = [
        SPAM,
        "Innvandrerne er en pest for bygda. Jag dem ut!",
        "Rektor Hansen drikker på jobb, alle vet det.",
    ]
    client = client_for(world.main_admin)
    for n, text in enumerate(texts):
        item = citizen_comment(world.channel, text, author=(f"sim-user-7{n}", "Kari Li"))
        html = client.get(reverse("inbox:detail", args=[world.municipality.slug, item.pk]))
        body = html.content.decode()
        assert 'name="ground"' in body
        assert not re.search(r'<input[^>]*name="ground"[^>]*checked', body), text


def test_the_confirmation_says_when_the_author_wrote_the_comment(world):
    """«Skrevet» is the platform's time, as the conversation and the archive record show
    it, not when Ordstyrer fetched the comment (QA 2027-01, finding 5); the received time
    only where the platform gave none."""
    item = citizen_comment(world.channel, SPAM)
    written = item.received_at - timedelta(hours=3, minutes=12)
    InboxItem.objects.filter(pk=item.pk).update(platform_created_at=written)
    client = client_for(world.admin)
    for name in ("delete", "ban"):
        html = client.post(
            mod_url(world, name, item.pk), {"ground": "spam", "justification": WHY}
        ).content.decode()
        assert f'<time datetime="{localtime(written).isoformat()}">' in html, name
        assert localtime(item.received_at).isoformat() not in html, name
    InboxItem.objects.filter(pk=item.pk).update(platform_created_at=None)
    html = client.post(
        mod_url(world, "delete", item.pk), {"ground": "spam", "justification": WHY}
    ).content.decode()
    assert f'<time datetime="{localtime(item.received_at).isoformat()}">' in html


def _checked(html: str, form: str) -> list[str]:
    """The ground radios of `form` ("delete" or "ban") that are ticked."""
    return re.findall(
        rf'<input type="radio" name="ground" value="(\w+)"[^>]*id="mod_{form}_ground_\d+"[^>]*checked',
        html,
    )


@pytest.mark.parametrize(
    ("name", "act"),
    [("ban", "den arkiveres med utestengingen."), ("delete", "den arkiveres med slettingen.")],
)
def test_a_refused_ban_or_deletion_keeps_what_was_typed(world, name, act):
    """QA 2027-01, finding 2: a 4-character justification came back as an empty form with
    no ground ticked, and the ban's message spoke of the deletion."""
    item = citizen_comment(world.channel, SPAM)
    client = client_for(world.main_admin)
    key = "k" * 32
    response = client.post(
        mod_url(world, name, item.pk),
        {"ground": "hate_speech", "justification": "Stygg", "intent_key": key, "notify": "on"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert _checked(html, name) == ["hate_speech"]
    assert re.search(
        rf'<textarea name="justification"[^>]*id="mod_{name}_justification"[^>]*>\s*Stygg</textarea>',
        html,
    )
    error = re.search(
        rf'<p class="field-error" id="mod_{name}_justification_error">([^<]*)</p>', html
    )
    assert error is not None
    assert f"Skriv en kort begrunnelse (minst 10 tegn); {act} (MO-2)" in error.group(1)
    if name == "ban":
        assert "slettingen" not in error.group(1)
    assert f'name="intent_key" value="{key}"' in html  # the same intent when sent again
    assert SPAM in html and "Ola Nordmann" in html  # the comment, beside the form
    assert nothing_done()

    # Put right and sent again: on to the confirmation, as from the panel.
    page = client.post(
        mod_url(world, name, item.pk),
        {"ground": "hate_speech", "justification": WHY, "intent_key": key, "notify": "on"},
    )
    assert page.status_code == 200 and "Bekreft " in page.content.decode()
    assert f'name="intent_key" value="{key}"' in page.content.decode()
    assert nothing_done()


def test_a_missing_ground_is_shown_beside_the_grounds_and_the_text_is_kept(world):
    item = citizen_comment(world.channel, SPAM)
    response = client_for(world.main_admin).post(
        mod_url(world, "delete", item.pk), {"justification": WHY}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(r'<p class="field-error" id="mod-delete-ground-error">[^<]+</p>', html)
    assert WHY in html and _checked(html, "delete") == []
    assert nothing_done()
