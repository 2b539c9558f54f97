"""PU-12, CH-4: the publishing confirmation sends what it showed, or nothing. Its form
carries a digest of the post and of where sending it leads; a crisis declared or ended,
or a draft another person changed since the page was read, shows the page again with
what happens now and a sentence that it changed — nothing is published. The page also
says when a post that waits for an approval is published (its time if approved by then,
else at once)."""

from __future__ import annotations

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from ordstyrer.crisis.services import crisis_declare, crisis_end
from ordstyrer.publishing.models import Post, PostStatus
from ordstyrer.publishing.services import post_create, post_update

TEXT = "Skolen har åpen dag torsdag klokka seks. Se https://indrefosen.kommune.no/skole"
CHANGED = "Innlegget eller hva som skjer når det sendes, er endret siden du åpnet siden."


def _draft(w, channel, **kw) -> Post:
    return post_create(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[channel.pk],
        text=kw.pop("text", TEXT),
        **kw,
    )


def _url(w, post) -> str:
    return reverse("publishing:confirm", args=[w.municipality.slug, post.pk])


def _shown(page: str) -> str:
    """The digest the page's form carries ("" where there is none)."""
    found = re.search(r'name="shown" value="([^"]*)"', page)
    return found.group(1) if found else ""


def _send(client, w, post, shown: str):
    return client.post(
        _url(w, post),
        {"confirm": "on", "shown": shown, "override_reason": "Avklart med kommunikasjon."},
    )


def _status(post) -> str:
    return Post.objects.get(pk=post.pk).status


def test_a_crisis_ended_after_the_page_was_read_publishes_nothing(client, world):
    """PU-12: the page said the crisis leader approves it; the crisis ends before «Send
    innlegget»: nothing is published, the page says it changed and what happens now."""
    w = world
    post = _draft(w, w.page)
    crisis_declare(municipality=w.municipality, name="Flom", actor=w.p.crisis_leader)
    client.force_login(w.editor)
    page = client.get(_url(w, post)).content.decode()
    assert "sendes til kriseleder for godkjenning (PU-12)" in page
    crisis_end(municipality=w.municipality, actor=w.p.crisis_leader)

    again = _send(client, w, post, _shown(page))
    assert again.status_code == 200
    body = again.content.decode()
    assert CHANGED in body and "Ingenting er sendt." in body
    assert "Publiser nå på Kommunen." in body and "kriseleder" not in body
    assert 'type="checkbox" name="confirm"' in body and "checked" not in body
    assert _status(post) == PostStatus.DRAFT

    # Confirmed as it is now, it goes.
    done = _send(client, w, post, _shown(body))
    assert done.status_code == 302
    assert _status(post) != PostStatus.DRAFT


def test_a_crisis_declared_after_the_page_was_read_publishes_nothing(client, world):
    """PU-12: the page said «Publiser nå»; a crisis declared since sends nothing out."""
    w = world
    post = _draft(w, w.page)
    client.force_login(w.editor)
    page = client.get(_url(w, post)).content.decode()
    assert "Publiser nå på Kommunen." in page
    crisis_declare(municipality=w.municipality, name="Ras", actor=w.p.crisis_leader)
    body = _send(client, w, post, _shown(page)).content.decode()
    assert CHANGED in body and "sendes til kriseleder for godkjenning (PU-12)" in body
    assert _status(post) == PostStatus.DRAFT


def test_a_draft_communications_changed_meanwhile_is_shown_again(client, world):
    """CH-4: communications adds the main page and changes the text and the time while
    the author reads the confirmation; the author's tick sends nothing they never saw."""
    w = world
    post = _draft(w, w.school)
    client.force_login(w.editor)
    page = client.get(_url(w, post)).content.decode()
    assert "Innlegget sendes til godkjenning før det publiseres på Skolesiden." in page
    later = timezone.now() + timedelta(days=3)
    post_update(
        actor=w.p.communications,
        post_id=post.pk,
        channel_ids=[w.school.pk, w.page.pk],
        text=TEXT + " Velkommen!",
        publish_at=later,
    )

    again = _send(client, w, post, _shown(page))
    assert again.status_code == 200
    body = again.content.decode()
    assert CHANGED in body
    assert "publiseres på Skolesiden, Kommunen." in body and "Velkommen!" in body
    assert f"Det publiseres {_local(later)} hvis det er godkjent innen da" in body
    assert _status(post) == PostStatus.DRAFT
    assert Post.objects.get(pk=post.pk).submitted_at is None


def test_a_text_changed_alone_is_shown_again(client, world):
    """CH-4: the same channels and route, another text: shown again, nothing sent."""
    w = world
    post = _draft(w, w.page)
    client.force_login(w.editor)
    page = client.get(_url(w, post)).content.decode()
    post_update(actor=w.p.communications, post_id=post.pk, text=TEXT + " Gratis kaffe.")
    body = _send(client, w, post, _shown(page)).content.decode()
    assert CHANGED in body and "Gratis kaffe." in body
    assert _status(post) == PostStatus.DRAFT


def test_an_unchanged_post_goes_and_an_outsider_gets_404(client, world):
    w = world
    post = _draft(w, w.page)
    client.force_login(w.p.outsider)
    assert client.get(_url(w, post)).status_code == 404
    client.force_login(w.editor)
    page = client.get(_url(w, post)).content.decode()
    assert _send(client, w, post, _shown(page)).status_code == 302
    assert _status(post) != PostStatus.DRAFT


def _local(at) -> str:
    with translation.override("nb"):
        return date_format(timezone.localtime(at), "SHORT_DATETIME_FORMAT")


def test_the_approval_sentence_names_the_planned_time(client, world):
    """CH-4: a post with a time on the unit leader's channel: the page says it is
    published at that time if approved by then, else as soon as it is approved."""
    w = world
    at = timezone.now() + timedelta(days=2)
    post = _draft(w, w.school, publish_at=at)
    client.force_login(w.editor)
    page = client.get(_url(w, post)).content.decode()
    assert "Innlegget sendes til godkjenning før det publiseres på Skolesiden." in page
    assert (
        f"Det publiseres {_local(at)} hvis det er godkjent innen da, ellers straks det blir "
        "godkjent." in page
    )


def test_the_crisis_sentence_names_the_planned_time(client, world):
    """PU-12: the same for a post that waits for the crisis leader."""
    w = world
    at = timezone.now() + timedelta(days=2)
    post = _draft(w, w.page, publish_at=at)
    crisis_declare(municipality=w.municipality, name="Flom", actor=w.p.crisis_leader)
    client.force_login(w.editor)
    page = client.get(_url(w, post)).content.decode()
    assert "sendes til kriseleder for godkjenning (PU-12)" in page
    assert f"Det publiseres {_local(at)} hvis det er godkjent innen da" in page
