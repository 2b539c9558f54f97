"""PU-6 take-down: a deletion the platform refused can be tried again from the console,
and the author of a post taken down on its way is told.

- The post page offers «Prøv å ta ned igjen» where a copy is still out after the take-down;
  the confirmation names only the channels it tries again, and the retry calls the
  platform there and nowhere else.
- A second click (the first retry done, or still under way) calls no platform again.
- Someone of another municipality finds nothing.
- A post taken down while still on its way is a draft again: its author is told why (as
  a consent pull-back tells them), unless the author took it down."""

from __future__ import annotations

from collections import Counter

import pytest
from django.urls import reverse
from django.utils import timezone

from ordstyrer.connectors.base import ErrorCode
from ordstyrer.connectors.simulated.connector import SimulatedConnector
from ordstyrer.inbox.platform import channel_connector
from ordstyrer.publishing.media import post_take_down
from ordstyrer.publishing.models import DeliveryStatus, Post, PostEvent, PostStatus
from ordstyrer.publishing.services import post_create, post_publish
from tests.publishing.conftest import make_channel, texts_on

TEXT = "Sommerleiren for ungdom åpner påmeldingen mandag. https://indrefosen.kommune.no/leir"
REASON = "Samtykket er trukket tilbake."
REFUSED = "Simulert: mangler tillatelse til å slette."


def _live(channel) -> list[str]:
    """Our text as it is out on a simulated channel (published, not deleted)."""
    return texts_on(channel, (TEXT,))


@pytest.fixture
def deletes(monkeypatch) -> Counter[tuple[str, str]]:
    """The platform's delete calls, by page name and platform id (two simulated pages can
    give their posts the same id)."""
    calls: Counter[tuple[str, str]] = Counter()
    delete = SimulatedConnector.delete_post

    def counted(self, post_id):
        calls[(self.platform.page_name, post_id)] += 1
        return delete(self, post_id)

    monkeypatch.setattr(SimulatedConnector, "delete_post", counted)
    return calls


def _out_on_two(w, capture):
    """Out on the main page and the library's page."""
    library = make_channel(w.p, name="Biblioteket", editor=w.editor)
    post = post_create(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[w.page.pk, library.pk],
        text=TEXT,
    )
    with capture(execute=True):
        post_publish(actor=w.editor, post_id=post.pk)
    assert _live(w.page) == [TEXT] and _live(library) == [TEXT]
    return post, library


def _take_down_refused_on(client, w, post, channel, capture):
    """Taken down through the console; the platform refuses the deletion on `channel`."""
    with channel_connector(channel, now=timezone.now()) as connector:
        connector.fail_next(
            "delete_post", code=ErrorCode.PERMISSION, permanent=True, message=REFUSED
        )
    url = reverse("publishing:take_down", args=[w.municipality.slug, post.pk])
    with capture(execute=True):
        response = client.post(url, {"reason": REASON, "confirm": "on"})
    assert response.status_code == 302
    return url


def _lead(html: str) -> str:
    return html.split('<p class="lead">', 1)[1].split("</p>", 1)[0]


def test_a_refused_take_down_is_offered_again_and_retried_only_where_it_failed(
    client, world, deletes, django_capture_on_commit_callbacks
):
    w = world
    capture = django_capture_on_commit_callbacks
    post, library = _out_on_two(w, capture)
    page_id = (w.page.name, post.deliveries.get(channel=w.page).platform_id)
    library_id = (library.name, post.deliveries.get(channel=library).platform_id)
    client.force_login(w.editor)
    detail = reverse("publishing:detail", args=[w.municipality.slug, post.pk])
    url = _take_down_refused_on(client, w, post, library, capture)

    # Down on the main page; still out on the library's page, with the platform's answer.
    assert _live(w.page) == [] and _live(library) == [TEXT]
    row = post.deliveries.get(channel=library)
    assert row.status == DeliveryStatus.PUBLISHED and REFUSED in row.error
    assert deletes == Counter({page_id: 1, library_id: 1})

    # The post page offers to try again (before: no link at all, as it was taken down).
    page = client.get(detail).content.decode()
    assert "Prøv å ta ned igjen" in page and url in page

    # The confirmation names the library's page only, with why it failed.
    confirm = client.get(url).content.decode()
    lead = _lead(confirm)
    assert "Biblioteket" in lead and REFUSED in lead and w.page.name not in lead
    assert "Prøv å ta ned igjen" in confirm

    with capture(execute=True):
        response = client.post(url, {"reason": REASON, "confirm": "on"}, follow=True)
    assert "Innlegget tas ned fra plattformene." in response.content.decode()
    assert _live(library) == []
    row.refresh_from_db()
    assert row.status == DeliveryStatus.QUEUED and not row.platform_id
    assert deletes == Counter({page_id: 1, library_id: 2})  # the main page not called again
    retry = PostEvent.objects.filter(post=post, action="take_down").last()
    assert retry is not None and retry.data == {"retry": True, "channel_ids": [library.pk]}

    # Nothing left to try: no link, and the page says so.
    assert "Prøv å ta ned igjen" not in client.get(detail).content.decode()
    again = client.get(url, follow=True).content.decode()
    assert "Innlegget er allerede tatt ned, eller tas ned nå." in again


def test_a_second_click_calls_no_platform_again(
    client, world, deletes, django_capture_on_commit_callbacks
):
    """Double-clicked while the retry is under way, and again once it is done: one call."""
    w = world
    capture = django_capture_on_commit_callbacks
    post, library = _out_on_two(w, capture)
    library_id = (library.name, post.deliveries.get(channel=library).platform_id)
    client.force_login(w.editor)
    url = _take_down_refused_on(client, w, post, library, capture)
    assert deletes[library_id] == 1

    with capture(execute=False) as queued:  # the first click's task not run yet
        client.post(url, {"reason": REASON, "confirm": "on"})
    with capture(execute=False) as second:
        response = client.post(url, {"reason": REASON, "confirm": "on"}, follow=True)
    assert len(queued) == 1 and len(second) == 0
    assert "Innlegget er allerede tatt ned, eller tas ned nå." in response.content.decode()
    assert "Prøv å ta ned igjen" not in response.content.decode()
    for callback in queued:
        callback()
    assert _live(library) == [] and deletes[library_id] == 2

    with capture(execute=True):
        client.post(url, {"reason": REASON, "confirm": "on"})
    assert deletes[library_id] == 2


def test_someone_of_another_municipality_finds_nothing_to_retry(
    client, world, django_capture_on_commit_callbacks
):
    w = world
    post, library = _out_on_two(w, django_capture_on_commit_callbacks)
    client.force_login(w.editor)
    url = _take_down_refused_on(client, w, post, library, django_capture_on_commit_callbacks)
    client.force_login(w.p.outsider)
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": REASON, "confirm": "on"}).status_code == 404
    assert _live(library) == [TEXT]


# --------------------------------------------------------------------------- the author told


def _on_its_way(w, capture):
    """Out on the main page, the library's delivery waiting to retry: `publishing`."""
    library = make_channel(w.p, name="Biblioteket", editor=w.editor)
    with channel_connector(library, now=timezone.now()) as connector:
        connector.fail_next("publish", code=ErrorCode.TRANSIENT, permanent=False)
    post = post_create(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[w.page.pk, library.pk],
        text=TEXT,
    )
    with capture(execute=True):
        post_publish(actor=w.editor, post_id=post.pk)
    post.refresh_from_db()
    assert post.status == PostStatus.PUBLISHING
    return post


def test_a_post_on_its_way_taken_down_by_someone_else_tells_its_author(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    """Communications takes down the editor's post while it is still on its way: it is a
    draft again, and its author is told why, as a consent pull-back tells them."""
    w = world
    post = _on_its_way(w, django_capture_on_commit_callbacks)
    told = len(mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        post_take_down(actor=w.p.communications, post_id=post.pk, reason="Feil dato i teksten.")
    post.refresh_from_db()
    assert post.status == PostStatus.DRAFT
    mails = [m for m in mailoutbox[told:] if w.editor.email in m.to]
    assert len(mails) == 1
    assert mails[0].subject == "Innlegget ditt ble tatt ned"
    assert "Feil dato i teksten." in mails[0].body and "utkast igjen" in mails[0].body
    assert f"/{w.municipality.slug}/" in mails[0].body and str(post.pk) in mails[0].body


def test_the_author_taking_down_their_own_post_gets_no_mail(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    w = world
    post = _on_its_way(w, django_capture_on_commit_callbacks)
    told = len(mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        post_take_down(actor=w.editor, post_id=post.pk, reason="Feil dato i teksten.")
    assert Post.objects.get(pk=post.pk).status == PostStatus.DRAFT
    assert mailoutbox[told:] == []
