"""The inbox pages: a constant number of queries, filters, bulk and row actions without
JavaScript, the keyboard documented, replies through the form, the item's whole thread."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ordstyrer.inbox.models import InboxItem, ItemStatus
from ordstyrer.inbox.services import item_assign, item_note
from tests.inbox.conftest import TUESDAY, comment, ingest

LATER = TUESDAY + timedelta(minutes=10)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def fill(world, n: int, start: int = 0) -> list[InboxItem]:
    items = []
    for i in range(start, start + n):
        channel = world.channel if i % 2 else world.other_channel
        items.append(ingest(channel, comment(f"c{i}", f"Spørsmål nummer {i}?", author=f"u{i}")))
    return items


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["communications", "editor"])
def test_list_runs_a_constant_number_of_queries(world, who, django_assert_num_queries):
    user = world.p.communications if who == "communications" else world.editor
    client = client_for(user)
    url = f"/m/{world.municipality.slug}/innboks/"
    fill(world, 3)
    few = count_queries(client, url)
    items = fill(world, 30, start=3)
    for item in [i for i in items if i.channel_id == world.channel.pk][:10]:
        item_assign(actor=world.p.communications, item=item, assignee=world.editor)
    assert count_queries(client, url) == few
    assert count_queries(client, f"{url}?vis=all&kategori=question&mine=1&frist=passert") == few
    # The editor's channels: one more, one for the publishing menu (communications may
    # publish by role) and one for the moderation menu (#15; communications reads every
    # log by role). Every console page: +1 the crisis banner (PU-12). The two counts
    # ("N waiting, M past the deadline") are one query (#14), and so are the municipality,
    # the person's roles there and whether they belong to another one (the switcher, #14).
    expected = 7 if who == "communications" else 10
    with django_assert_num_queries(expected):
        client.get(url)


def test_detail_runs_a_constant_number_of_queries(
    world, fake_platform, django_capture_on_commit_callbacks, django_assert_num_queries
):
    from ordstyrer.inbox.replies import reply_send

    editor = client_for(world.editor)
    communications = client_for(world.p.communications)  # also gets the moderation panel
    first = ingest(world.channel, comment("c1"))
    url = f"/m/{world.municipality.slug}/innboks/{first.pk}/"
    before = count_queries(editor, url), count_queries(communications, url)
    for n in range(2, 8):
        ingest(world.channel, comment(f"c{n}", "Samme her", author=f"u{n}", parent="c1"))
        item_note(actor=world.editor, item=first, text=f"Notat {n}")
    with time_machine.travel(LATER, tick=False), django_capture_on_commit_callbacks(execute=True):
        reply_send(actor=world.editor, item=first, text="Svømmehallen åpner mandag.")
    assert (count_queries(editor, url), count_queries(communications, url)) == before
    # The policy is read once for the reply form and the panel; an editor, who does not
    # moderate, costs the panel nothing.
    # (Every console page: +1 the crisis banner, PU-12; the editor: +1 the publishing menu,
    # +1 the moderation menu, #15; +1 who else is writing a reply here, #15.)
    with django_assert_num_queries(17):
        editor.get(url)
    with django_assert_num_queries(17):
        communications.get(url)


def test_list_shows_open_items_by_deadline_with_overdue_marked(world):
    items = fill(world, 4)
    client = client_for(world.p.communications)
    with time_machine.travel(TUESDAY + timedelta(days=3), tick=False):
        response = client.get(f"/m/{world.municipality.slug}/innboks/")
    page = response.context["page"]
    assert [i.pk for i in page.items] == sorted(i.pk for i in items)
    assert page.open_count == 4 and page.overdue_count == 4
    html = response.content.decode()
    assert "over fristen" in html and 'class="inbox-row is-overdue"' in html


def test_filters(world):
    items = fill(world, 6)
    item_assign(actor=world.editor, item=items[1], assignee=world.editor)
    client = client_for(world.p.communications)
    base = f"/m/{world.municipality.slug}/innboks/"

    def pks(query: str) -> set[int]:
        return {i.pk for i in client.get(base + query).context["page"].items}

    assert pks(f"?kanal={world.channel.pk}") == {i.pk for i in items if i.channel == world.channel}
    editor_client = client_for(world.editor)
    assert {i.pk for i in editor_client.get(base + "?mine=1").context["page"].items} == {
        items[1].pk
    }
    assert pks("?kategori=praise") == set()
    assert pks("?kategori=question") == {i.pk for i in items}
    with time_machine.travel(TUESDAY + timedelta(minutes=30), tick=False):
        assert pks("?frist=passert") == set()
    with time_machine.travel(TUESDAY + timedelta(days=2), tick=False):
        assert pks("?frist=passert") == {i.pk for i in items}


def test_keyset_paging(world, monkeypatch):
    from ordstyrer.inbox import selectors

    monkeypatch.setattr(selectors, "PAGE_SIZE", 4)
    items = fill(world, 9)
    client = client_for(world.p.communications)
    base = f"/m/{world.municipality.slug}/innboks/"
    seen: list[int] = []
    url = base
    pages = 0
    while url:
        pages += 1
        response = client.get(url)
        seen += [i.pk for i in response.context["page"].items]
        url = response.context["next_url"] and base + response.context["next_url"]
    assert seen == sorted(i.pk for i in items)
    assert pages >= 3  # 9 items, 4 a page: the links were followed


def test_bulk_and_row_actions_without_javascript(world):
    items = fill(world, 4)
    client = client_for(world.p.communications)
    base = f"/m/{world.municipality.slug}/innboks/"
    response = client.post(
        f"{base}handling/",
        {"action": "assign_me", "item": [items[0].pk, items[1].pk], "next": base},
    )
    assert response.status_code == 302 and response["Location"] == base
    assert set(
        InboxItem.objects.filter(assignee=world.p.communications).values_list("pk", flat=True)
    ) == {
        items[0].pk,
        items[1].pk,
    }
    # One row's own button acts on that row only, whatever is checked.
    client.post(
        f"{base}handling/",
        {
            "action": "assign_me",
            "item": [items[2].pk],
            "row": f"close:{items[3].pk}",
            "close_reason": "no_reply_needed",
        },
    )
    items[2].refresh_from_db()
    items[3].refresh_from_db()
    assert items[3].status == ItemStatus.CLOSED and items[3].close_reason == "no_reply_needed"
    assert items[2].assignee is None
    # An off-site "next" is ignored.
    response = client.post(
        f"{base}handling/", {"row": f"assign_me:{items[2].pk}", "next": "https://evil.example/"}
    )
    assert response["Location"] == base


def test_keyboard_is_documented_and_rows_carry_the_keys(world):
    fill(world, 2)
    html = client_for(world.editor).get(f"/m/{world.municipality.slug}/innboks/").content.decode()
    for key in ("<kbd>j</kbd>", "<kbd>k</kbd>", "<kbd>a</kbd>", "<kbd>r</kbd>", "<kbd>c</kbd>"):
        assert key in html
    assert 'data-key="r"' in html and 'data-key="a"' in html and 'data-key="c"' in html
    assert "inbox/inbox.js" in html


def test_reply_through_the_form(world, fake_platform, django_capture_on_commit_callbacks):
    item = ingest(world.channel, comment("c1"))
    client = client_for(world.editor)
    url = f"/m/{world.municipality.slug}/innboks/{item.pk}/"
    page = client.get(url).content.decode()
    assert "Takk for at du tar kontakt" in page  # the triage's suggested template (DI-2)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{url}svar/", {"text": "Svømmehallen åpner mandag."})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ItemStatus.ANSWERED
    assert fake_platform.sent == [("c1", "Svømmehallen åpner mandag.")]
    thread = client.get(url).content.decode()
    assert "Svømmehallen åpner mandag." in thread


def test_blocked_reply_shows_the_findings(world, fake_platform):
    item = ingest(world.channel, comment("c1"))
    client = client_for(world.editor)
    response = client.post(
        f"/m/{world.municipality.slug}/innboks/{item.pk}/svar/",
        {"text": "Fødselsnummeret ditt er 15058310058."},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "PU-1" in html and "Stopper" in html
    assert fake_platform.sent == []


def test_warned_reply_asks_for_a_reason_then_goes(
    world, fake_platform, django_capture_on_commit_callbacks
):
    item = ingest(world.channel, comment("c1"))
    client = client_for(world.editor)
    url = f"/m/{world.municipality.slug}/innboks/{item.pk}/svar/"
    text = "Ring servicetorget på 412 34 567."
    response = client.post(url, {"text": text})
    assert response.status_code == 400 and "override_reason" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"text": text, "override_reason": "Kommunens nummer."})
    assert response.status_code == 302
    assert fake_platform.sent == [("c1", text)]


def test_status_assign_note_refer_escalate_forms(world, django_capture_on_commit_callbacks):
    item = ingest(world.channel, comment("c1"))
    client = client_for(world.editor)
    base = f"/m/{world.municipality.slug}/innboks/{item.pk}/"
    client.post(f"{base}status/", {"action": "acknowledge"})
    client.post(f"{base}tildel/", {"assignee": str(world.editor.pk)})
    client.post(f"{base}notat/", {"text": "Sjekker med svømmehallen."})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{base}eskaler/", {"note": "Kan bli en mediesak."})
    client.post(f"{base}henvis/", {"kind": "political", "target": "kommunestyret"})
    item.refresh_from_db()
    assert item.status == ItemStatus.REFERRED and item.assignee == world.editor
    assert item.escalated_at is not None
    actions = list(item.events.values_list("action", flat=True))
    for action in ("acknowledge", "assign", "note", "escalate", "refer", "refer_political"):
        assert action in actions
    page = client.get(base).content.decode()
    assert "Sjekker med svømmehallen." in page and "kommunestyret" in page
    client.post(f"{base}status/", {"action": "close", "close_reason": "duplicate"})
    item.refresh_from_db()
    assert item.status == ItemStatus.CLOSED and item.close_reason == "duplicate"
    client.post(f"{base}status/", {"action": "reopen"})
    item.refresh_from_db()
    assert item.status == ItemStatus.REOPENED and item.open


def test_whole_thread_on_the_item_page(world):
    root = ingest(world.channel, comment("c1", "Når åpner svømmehallen?"))
    ingest(
        world.channel,
        comment("c2", "Lurer på det samme", author="u2", name="Per Hansen", parent="c1"),
    )
    ingest(world.channel, comment("p1", "Mandag!", parent="c1", page=True))
    html = (
        client_for(world.editor)
        .get(f"/m/{world.municipality.slug}/innboks/{root.pk}/")
        .content.decode()
    )
    assert (
        html.index("Når åpner svømmehallen?")
        < html.index("Lurer på det samme")
        < html.index("Mandag!")
    )
