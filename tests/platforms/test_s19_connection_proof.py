"""A pasted token must prove it manages the Page or Instagram account before the
connection holds the id or gets its webhooks (CH-1, CH-3, PU-1).

Any main administrator can type any public Page id into "Tilkobling → Systembruker".
Until `connection_verify` has seen the token manage that very account, the connection
is pending: it routes no webhooks, is not polled, and keeps no one else — the Page's
real owner in another municipality above all — from connecting it. A token that does
not manage it is refused: the connection is disconnected, its token forgotten, and the
reason shown on the connection page. A refusal never names another municipality's
channel. All against the Graph stand-in, through the services and the console.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ordstyrer.channels.models import Channel
from ordstyrer.connectors.secrets import SecretToken
from ordstyrer.core.errors import ServiceError
from ordstyrer.core.models import AuditEntry
from ordstyrer.inbox.models import InboxItem
from ordstyrer.inbox.polling import pollable
from ordstyrer.platforms import connections, health
from ordstyrer.platforms.models import ConnectionStatus, PlatformConnection, WebhookDelivery
from ordstyrer.platforms.webhooks import ChannelRouter
from tests.conftest import make_personas
from tests.factories import PASSWORD
from tests.platforms.conftest import comment_value, feed_body, make_channel, post_signed

pytestmark = pytest.mark.django_db

OURS = "Testby på Facebook"  # municipality A's channel
THEIRS = "Naboby på Facebook"  # municipality B's channel


def _url(channel, name: str = "") -> str:
    return f"/m/{channel.municipality.slug}/kanaler/{channel.pk}/tilkobling/{name}"


def _as(client, user) -> None:
    client.logout()
    assert client.login(username=user.username, password=PASSWORD)


def _paste(client, channel, account_id: str, token: str, capture, **extra: str):
    """ "Tilkobling → Systembruker" on the console, with the tasks queued on commit run."""
    with capture(execute=True):
        return client.post(
            _url(channel, "systembruker/"), {"account_id": account_id, "token": token, **extra}
        )


@pytest.fixture
def neighbours():
    return make_personas(slug="naboby")


@pytest.fixture
def page_b(graph):
    """Municipality B's public Facebook Page (with its Instagram account)."""
    return graph.add_page("Naboby kommune", ig_username="naboby")


def _routed(page_id: str, platform: str = "facebook") -> Channel | None:
    return ChannelRouter().channel(platform, page_id)


def test_a_neighbours_page_claimed_with_a_rejected_token_routes_nothing_and_its_owner_connects_it(
    client, personas, neighbours, graph, page_b, django_capture_on_commit_callbacks
) -> None:
    """CH-3, PU-1: A types B's Page id with a token Meta rejects (190). A's connection is
    disconnected with the reason on its page, routes nothing, and B connects its Page."""
    ours = make_channel(personas, name=OURS)
    theirs = make_channel(neighbours, name=THEIRS)
    _as(client, personas.communications)
    response = _paste(client, ours, page_b.id, "EAAfeil", django_capture_on_commit_callbacks)
    assert response.status_code == 302

    claimed = PlatformConnection.objects.get(channel=ours)
    assert claimed.status == ConnectionStatus.DISCONNECTED
    assert claimed.token_encrypted == "" and not claimed.webhooks_subscribed
    assert "Meta godtok ikke tokenet" in claimed.check_error
    assert "EAAfeil" not in claimed.check_error
    assert _routed(page_b.id) is None
    page = client.get(_url(ours)).content.decode()
    assert "Kanalen er ikke koblet til." in page and "Meta godtok ikke tokenet" in page
    assert AuditEntry.objects.filter(action="platform_connect_refused").exists()

    _as(client, neighbours.communications)
    answer = _paste(client, theirs, page_b.id, page_b.token, django_capture_on_commit_callbacks)
    assert answer.status_code == 302
    owner = PlatformConnection.objects.get(channel=theirs)
    assert owner.status == ConnectionStatus.CONNECTED and owner.webhooks_subscribed
    assert _routed(page_b.id) == theirs


def test_until_it_is_proven_a_pasted_token_routes_nothing_and_keeps_no_one_out(
    client, personas, neighbours, graph, page_b, django_capture_on_commit_callbacks
) -> None:
    """CH-3, PU-1: before its task has run, A's claim on B's Page is pending: no webhook
    is routed to A, A's channel is not polled, and B connects its own Page without a
    refusal that names A's channel."""
    ours = make_channel(personas, name=OURS)
    theirs = make_channel(neighbours, name=THEIRS)
    claimed = connections.connection_connect(
        actor=personas.communications,
        channel=ours,
        account_id=page_b.id,
        token=SecretToken("EAAhvasomhelst"),
        method="system_user",
    )  # its verification task is queued on commit, which this test never reaches
    assert _routed(page_b.id) is None
    assert claimed.status == ConnectionStatus.PENDING
    assert not pollable(Channel.objects.filter(pk=ours.pk)).exists()
    _as(client, personas.communications)
    assert "Venter på kontroll" in client.get(_url(ours)).content.decode()

    _as(client, neighbours.communications)
    answer = _paste(client, theirs, page_b.id, page_b.token, django_capture_on_commit_callbacks)
    assert answer.status_code == 302, answer.content.decode()
    assert OURS not in client.get(_url(theirs)).content.decode()
    assert PlatformConnection.objects.get(channel=theirs).status == ConnectionStatus.CONNECTED
    assert _routed(page_b.id) == theirs

    # A's task runs at last: the rejected token is refused; B keeps its Page.
    assert health.connection_verify(connection_id=claimed.pk) == "refused"
    assert PlatformConnection.objects.get(pk=claimed.pk).status == ConnectionStatus.DISCONNECTED
    assert _routed(page_b.id) == theirs


@pytest.mark.parametrize("kind", ["page", "system_user"])
def test_a_valid_token_for_another_page_is_disconnected_with_the_reason_shown(
    client, personas, neighbours, graph, page_b, django_capture_on_commit_callbacks, kind
) -> None:
    """CH-3, PU-1: a token that works, but for A's own Page (a Page token, or a
    system-user token listing only A's Page), does not make B's Page A's."""
    page_a = graph.add_page("Testby kommune")
    token = page_a.token
    if kind == "system_user":
        token = "EAAsystemtestby"
        graph.store.add_user_token(token, {page_a.id}, tasks={"MANAGE"})
    ours = make_channel(personas, name=OURS)
    _as(client, personas.communications)
    _paste(client, ours, page_b.id, token, django_capture_on_commit_callbacks)

    claimed = PlatformConnection.objects.get(channel=ours)
    assert claimed.status == ConnectionStatus.DISCONNECTED
    assert claimed.token_encrypted == ""
    assert f"Tokenet gjelder ikke siden eller kontoen {page_b.id}" in claimed.check_error
    assert page_b.subscribed_fields == []  # the app was never put on B's Page
    assert _routed(page_b.id) is None
    page = client.get(_url(ours)).content.decode()
    assert "Tokenet gjelder ikke siden eller kontoen" in page
    assert token not in page


def test_a_refusal_never_names_another_municipalitys_channel(
    client, personas, neighbours, graph, page_b, django_capture_on_commit_callbacks
) -> None:
    """PU-1: B holds its Page. A's attempt is refused as taken "in another
    municipality", without B's channel name; within one municipality the channel that
    holds it is still named, so people there know where to look."""
    ours = make_channel(personas, name=OURS)
    theirs = make_channel(neighbours, name=THEIRS)
    with django_capture_on_commit_callbacks(execute=True):
        connections.connection_connect(
            actor=neighbours.communications,
            channel=theirs,
            account_id=page_b.id,
            token=SecretToken(page_b.token),
            method="login",
            tasks=["MANAGE"],
            scopes=[],
        )
    _as(client, personas.communications)
    response = _paste(client, ours, page_b.id, page_b.token, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    text = response.content.decode()
    assert "allerede koblet til en kanal i en annen kommune" in text
    assert THEIRS not in text
    assert not PlatformConnection.objects.filter(channel=ours).exists()

    _as(client, neighbours.communications)
    second = make_channel(neighbours, name="Naboby kopi")
    again = _paste(client, second, page_b.id, page_b.token, django_capture_on_commit_callbacks)
    assert again.status_code == 400 and f"kanalen «{THEIRS}»" in again.content.decode()


def test_a_proven_token_for_a_page_another_municipality_got_first_is_refused_unnamed(
    personas, neighbours, graph, page_b, django_capture_on_commit_callbacks
) -> None:
    """CH-3, PU-1: two pending claims on one Page: the first proven holds it; the other
    is disconnected, its reason naming no channel of the other municipality."""
    ours = make_channel(personas, name=OURS)
    theirs = make_channel(neighbours, name=THEIRS)
    claimed = connections.connection_connect(
        actor=personas.communications,
        channel=ours,
        account_id=page_b.id,
        token=SecretToken(page_b.token),
        method="system_user",
    )
    with django_capture_on_commit_callbacks(execute=True):
        connections.connection_connect(
            actor=neighbours.communications,
            channel=theirs,
            account_id=page_b.id,
            token=SecretToken(page_b.token),
            method="system_user",
        )
    assert PlatformConnection.objects.get(channel=theirs).status == ConnectionStatus.CONNECTED
    assert health.connection_verify(connection_id=claimed.pk) == "refused"
    claimed.refresh_from_db()
    assert claimed.status == ConnectionStatus.DISCONNECTED
    assert "en kanal i en annen kommune" in claimed.check_error
    assert THEIRS not in claimed.check_error
    assert _routed(page_b.id) == theirs


def test_a_neighbours_instagram_brings_its_page_comments_to_no_channel_that_claimed_the_page(
    client, personas, neighbours, graph, page_b, django_capture_on_commit_callbacks
) -> None:
    """PU-1, DI-1: the reviewer's scenario. A claims B's Page; B connects its Instagram
    account, whose verification subscribes B's Page to `feed`; Meta's feed webhook for
    B's Page must not put B's citizens' comments in A's inbox."""
    ours = make_channel(personas, name=OURS)
    theirs_ig = make_channel(neighbours, kind="instagram", name="Naboby på Instagram")
    connections.connection_connect(
        actor=personas.communications,
        channel=ours,
        account_id=page_b.id,
        token=SecretToken("EAAhvasomhelst"),
        method="system_user",
    )
    with django_capture_on_commit_callbacks(execute=True):
        connections.connection_connect(
            actor=neighbours.communications,
            channel=theirs_ig,
            account_id=page_b.ig_user_id,
            page_id=page_b.id,
            token=SecretToken(page_b.token),
            method="login",
            tasks=["MANAGE"],
            scopes=[],
        )
    assert page_b.subscribed_fields == ["feed"]
    with django_capture_on_commit_callbacks(execute=True):
        post_signed(client, feed_body([comment_value(page_b.id, "222_9101")], page_b.id))
    assert not InboxItem.objects.filter(channel=ours).exists()
    assert WebhookDelivery.objects.get().unmatched == 1


def test_an_instagram_account_is_proven_through_its_linked_page(
    client, personas, graph, page_b, django_capture_on_commit_callbacks
) -> None:
    """CH-3: a system-user token proves an Instagram account through the Page it is
    linked to (found by the account when no Page id is given); another Page's account
    is refused."""
    own = graph.add_page("Testby kommune", ig_username="testby")
    graph.store.add_user_token("EAAsystemig", {own.id}, tasks={"MANAGE"})
    channel = make_channel(personas, kind="instagram", name="Testby på Instagram")
    _as(client, personas.communications)
    _paste(client, channel, own.ig_user_id, "EAAsystemig", django_capture_on_commit_callbacks)
    connection = PlatformConnection.objects.get(channel=channel)
    assert connection.status == ConnectionStatus.CONNECTED
    assert connection.page_id == own.id and connection.account_name == "testby"
    assert connection.webhooks_subscribed and own.subscribed_fields == ["feed"]
    assert _routed(own.ig_user_id, "instagram") == channel

    other = make_channel(personas, kind="instagram", name="Testby kopi")
    _paste(
        client,
        other,
        page_b.ig_user_id,
        "EAAsystemig",
        django_capture_on_commit_callbacks,
        page_id=own.id,
    )
    refused = PlatformConnection.objects.get(channel=other)
    assert refused.status == ConnectionStatus.DISCONNECTED
    assert "Tokenet gjelder ikke" in refused.check_error
    assert _routed(page_b.ig_user_id, "instagram") is None


def test_a_proof_meta_could_not_give_just_now_is_tried_again_by_the_sweep(
    client, personas, graph, page_b, django_capture_on_commit_callbacks
) -> None:
    """CH-3: Meta busy (a throttle, code 4) leaves the connection pending, with a note on
    its page; the hourly token sweep proves it later."""
    channel = make_channel(personas, name=THEIRS)
    graph.inject(4, path="/me", times=1)
    _as(client, personas.communications)
    _paste(client, channel, page_b.id, page_b.token, django_capture_on_commit_callbacks)
    connection = PlatformConnection.objects.get(channel=channel)
    assert connection.status == ConnectionStatus.PENDING
    assert "prøver igjen" in connection.check_error
    assert _routed(page_b.id) is None
    assert "prøver igjen" in client.get(_url(channel)).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        assert health.checks_sweep(now=timezone.now() + timedelta(hours=2)) == 1
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.CONNECTED and connection.check_error == ""
    assert _routed(page_b.id) == channel


def test_the_command_line_proves_the_token_at_once(
    personas, graph, page_b, django_capture_on_commit_callbacks
) -> None:
    """CH-3: `ordstyrer platform-connect` refuses a token that is not the Page's, and a
    right one holds the Page at once."""
    channel = make_channel(personas, name=OURS)
    own = graph.add_page("Testby kommune")
    with pytest.raises(ServiceError) as info:
        connections.connection_connect_system(
            channel=channel, account_id=page_b.id, token=SecretToken(own.token)
        )
    assert "Tokenet gjelder ikke" in info.value.message
    assert not PlatformConnection.objects.filter(channel=channel).exists()

    connection = connections.connection_connect_system(
        channel=channel, account_id=own.id, token=SecretToken(own.token)
    )
    assert connection.status == ConnectionStatus.CONNECTED
    assert _routed(own.id) == channel
