"""Connecting a channel to its Page against the Graph stand-in: Facebook Login for
Business, a pasted system-user token, token health and re-authorisation, the call log,
and access (spec §1.1; CH-1, CH-3)."""

from __future__ import annotations

import json
import logging
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.core import mail
from django.utils import timezone

from ordstyrer.channels.models import ChannelMembership, ChannelRole
from ordstyrer.channels.platform import connector_for
from ordstyrer.connectors.secrets import TokenCipher
from ordstyrer.core.models import AuditEntry
from ordstyrer.platforms import connections, health
from ordstyrer.platforms.models import (
    ConnectionStatus,
    ConnectorCall,
    PlatformConnection,
)
from ordstyrer.platforms.sweeps import sweep_tokens
from tests.factories import PASSWORD
from tests.platforms.conftest import make_channel

pytestmark = pytest.mark.django_db


def _url(channel, name: str = "") -> str:
    base = f"/m/{channel.municipality.slug}/kanaler/{channel.pk}/tilkobling/"
    return base + name


def _login(client, user) -> None:
    assert client.login(username=user.username, password=PASSWORD)


def _decrypt(connection: PlatformConnection) -> str:
    return TokenCipher.from_env().decrypt(connection.token_encrypted).reveal()


# --- a system-user token pasted by IT -------------------------------------------------------


def test_system_user_token_is_resolved_to_the_page_token_and_checked(
    client, personas, graph, fb_page, django_capture_on_commit_callbacks, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    channel = make_channel(personas)
    graph.store.add_user_token(
        "EAAsystemuser123", {fb_page.id}, tasks={"MODERATE", "CREATE_CONTENT"}
    )
    _login(client, personas.communications)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url(channel, "systembruker/"),
            {"account_id": fb_page.id, "token": "EAAsystemuser123"},
        )
    assert response.status_code == 302
    connection = PlatformConnection.objects.get(channel=channel)
    assert connection.status == ConnectionStatus.CONNECTED
    assert connection.method == "system_user"
    assert _decrypt(connection) == fb_page.token  # the Page's own token, resolved via /me/accounts
    assert connection.account_name == "Eksempel kommune"
    assert connection.tasks == ["CREATE_CONTENT", "MODERATE"]
    assert connection.missing_tasks == ["ANALYZE", "MESSAGING"]  # named, not silently ignored
    assert connection.scopes_known and connection.missing_scopes == []
    assert connection.check_ok is True and connection.webhooks_subscribed
    assert ("POST", f"/{fb_page.id}/subscribed_apps") in graph.store.requests
    check = ConnectorCall.objects.get(channel=channel, operation="check_access")
    assert check.outcome == "ok" and check.error_message == ""

    # The token is nowhere but encrypted: not in the row's repr, audit, page or logs.
    page_html = client.get(_url(channel)).content.decode()
    audit = json.dumps(list(AuditEntry.objects.values("action", "data")))
    for secret in ("EAAsystemuser123", fb_page.token):
        assert secret not in repr(connection) and secret not in str(connection)
        assert secret not in connection.token_encrypted
        assert secret not in audit and secret not in page_html
        assert secret not in caplog.text
    assert "ANALYZE" in page_html  # the missing task is shown


def test_a_pasted_page_token_is_kept_with_tasks_unknown(
    client, personas, graph, fb_page, django_capture_on_commit_callbacks
) -> None:
    channel = make_channel(personas)
    _login(client, personas.employee)  # the channel's main administrator
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            _url(channel, "systembruker/"), {"account_id": fb_page.id, "token": fb_page.token}
        )
    connection = PlatformConnection.objects.get(channel=channel)
    assert _decrypt(connection) == fb_page.token
    assert not connection.tasks_known and connection.missing_tasks == []
    assert connection.check_ok is True


def test_a_wrong_token_is_refused_and_disconnected(
    client, personas, graph, fb_page, django_capture_on_commit_callbacks
) -> None:
    """A pasted token Meta rejects never holds the Page (CH-3): disconnected, not
    «needs re-authorisation», which would keep the Page and route its webhooks."""
    channel = make_channel(personas)
    _login(client, personas.communications)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(channel, "systembruker/"), {"account_id": fb_page.id, "token": "EAAfeil"})
    connection = PlatformConnection.objects.get(channel=channel)
    assert connection.status == ConnectionStatus.DISCONNECTED
    assert connection.check_ok is False and connection.check_error
    assert "EAAfeil" not in connection.check_error


# --- Facebook Login for Business -------------------------------------------------------------


def _start_login(client, channel, graph) -> str:
    """Press "Logg inn hos Meta": the URL of Meta's dialog (the stand-in's here)."""
    response = client.post(_url(channel, "facebook/"))
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert f"{target.scheme}://{target.netloc}" == graph.base_url
    assert target.path == "/v25.0/dialog/oauth"
    return response["Location"]


def _meta_dialog(url: str) -> dict[str, str]:
    """The person logs in at Meta's dialog, which sends them back: the callback's query."""
    answer = httpx.get(url, follow_redirects=False, timeout=10)
    assert answer.status_code == 302
    target = urlsplit(answer.headers["Location"])
    assert target.path == "/tilkobling/meta/tilbake/"
    return {key: values[0] for key, values in parse_qs(target.query).items()}


def test_login_flow_connects_the_chosen_page(
    client, personas, graph, fb_page, django_capture_on_commit_callbacks
) -> None:
    other = graph.add_page("Eksempel kulturskole")
    channel = make_channel(personas)
    _login(client, personas.communications)
    dialog = _start_login(client, channel, graph)
    query = parse_qs(urlsplit(dialog).query)
    assert query["client_id"] == [graph.store.settings.app_id]
    assert query["response_type"] == ["code"] and "scope" in query
    assert query["redirect_uri"][0].endswith("/tilkobling/meta/tilbake/")

    # Meta's dialog: the person logs in and Meta sends them back with a code.
    graph.store.add_user_token("EAAshortlogin", {fb_page.id, other.id})
    graph.store.settings.login_user_token = "EAAshortlogin"
    back = client.get("/tilkobling/meta/tilbake/", _meta_dialog(dialog))
    assert back.status_code == 302 and back["Location"].endswith("/tilkobling/velg/")
    choose = client.get(back["Location"])
    assert choose.status_code == 200
    assert "Eksempel kulturskole" in choose.content.decode()
    assert "EAAfakePage" not in choose.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(back["Location"], {"page": fb_page.id})
    assert done.status_code == 302
    connection = PlatformConnection.objects.get(channel=channel)
    assert connection.method == "login" and connection.account_id == fb_page.id
    assert _decrypt(connection) == fb_page.token
    assert connection.tasks_known and connection.missing_tasks == []
    assert connection.scopes_known and connection.check_ok is True
    # Only the Page token is kept; the session no longer holds the choices.
    assert "platforms_pages" not in client.session


def test_login_for_an_instagram_channel_offers_the_instagram_account(
    client, personas, graph, fb_page, django_capture_on_commit_callbacks
) -> None:
    channel = make_channel(personas, kind="instagram", name="Eksempel på Instagram")
    _login(client, personas.communications)
    dialog = _start_login(client, channel, graph)
    graph.store.add_user_token("EAAshortig", {fb_page.id})
    graph.store.settings.login_user_token = "EAAshortig"
    back = client.get("/tilkobling/meta/tilbake/", _meta_dialog(dialog))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(back["Location"], {"page": fb_page.ig_user_id})
    connection = PlatformConnection.objects.get(channel=channel)
    assert connection.account_id == fb_page.ig_user_id and connection.page_id == fb_page.id
    assert connection.account_name == "eksempelkommune"
    assert connection.check_ok is True  # the Instagram connector could read with it
    assert ConnectorCall.objects.filter(channel=channel, operation="list_posts").exists()


def test_an_instagram_account_and_its_page_share_the_pages_webhook_installation(
    personas, graph, fb_page, django_capture_on_commit_callbacks
) -> None:
    from ordstyrer.connectors.secrets import SecretToken

    page_channel = make_channel(personas)
    ig_channel = make_channel(personas, kind="instagram", name="Eksempel på Instagram")
    with django_capture_on_commit_callbacks(execute=True):
        ig = connections.connection_connect(
            actor=personas.communications,
            channel=ig_channel,
            account_id=fb_page.ig_user_id,
            page_id=fb_page.id,
            token=SecretToken(fb_page.token),
            method="login",
            tasks=["MANAGE"],
            scopes=[],
        )
    # Meta sends Instagram comments only while the linked Page has the app installed.
    assert PlatformConnection.objects.get(pk=ig.pk).webhooks_subscribed
    assert fb_page.subscribed_fields == ["feed"]
    with django_capture_on_commit_callbacks(execute=True):
        _connect(page_channel, fb_page, personas.communications)

    with django_capture_on_commit_callbacks(execute=True):
        connections.connection_disconnect(actor=personas.communications, channel=ig_channel)
    assert fb_page.subscribed_fields == ["feed"]  # the Page's own channel still needs it
    assert PlatformConnection.objects.get(pk=ig.pk).token_encrypted == ""
    with django_capture_on_commit_callbacks(execute=True):
        connections.connection_disconnect(actor=personas.communications, channel=page_channel)
    assert fb_page.subscribed_fields == []


def test_login_callback_with_a_wrong_state_stores_nothing(client, personas, graph, fb_page) -> None:
    channel = make_channel(personas)
    _login(client, personas.communications)
    answer = _meta_dialog(_start_login(client, channel, graph))
    response = client.get("/tilkobling/meta/tilbake/", {**answer, "state": "forfalsket"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert not PlatformConnection.objects.exists()
    # The state was used up: replaying the right one now fails too.
    again = client.get("/tilkobling/meta/tilbake/", answer)
    assert again["Location"] == "/"


def test_login_cancelled_at_meta_is_reported(client, personas, graph, fb_page) -> None:
    channel = make_channel(personas)
    _login(client, personas.communications)
    graph.store.settings.login_outcome = "denied"
    answer = _meta_dialog(_start_login(client, channel, graph))
    assert answer["error"] == "access_denied"
    response = client.get("/tilkobling/meta/tilbake/", answer, follow=True)
    assert "Innloggingen hos Meta ble avbrutt." in response.content.decode()
    assert not PlatformConnection.objects.exists()


def test_login_code_used_twice_is_refused_by_meta(client, personas, graph, fb_page) -> None:
    channel = make_channel(personas)
    _login(client, personas.communications)
    answer = _meta_dialog(_start_login(client, channel, graph))
    assert client.get("/tilkobling/meta/tilbake/", answer).status_code == 302
    # A second login whose callback carries the first, spent code.
    fresh = _meta_dialog(_start_login(client, channel, graph))
    replay = client.get("/tilkobling/meta/tilbake/", {**fresh, "code": answer["code"]}, follow=True)
    assert "Meta svarte med en feil" in replay.content.decode()
    assert not PlatformConnection.objects.exists()


def test_login_refused_by_meta_is_reported(client, personas, graph, fb_page) -> None:
    channel = make_channel(personas)
    _login(client, personas.communications)
    answer = _meta_dialog(_start_login(client, channel, graph))
    response = client.get(
        "/tilkobling/meta/tilbake/",
        {"code": "ukjent-kode", "state": answer["state"]},
        follow=True,
    )
    assert "Meta svarte med en feil" in response.content.decode()
    assert not PlatformConnection.objects.exists()


def test_login_needs_a_configured_app(client, personas, settings) -> None:
    settings.META_APP_ID = ""
    channel = make_channel(personas)
    _login(client, personas.communications)
    response = client.post(_url(channel, "facebook/"), follow=True)
    assert "META_APP_ID" in response.content.decode()


# --- refusals ----------------------------------------------------------------------------


def _connect(channel, fb_page, actor) -> PlatformConnection:
    from ordstyrer.connectors.secrets import SecretToken

    return connections.connection_connect(
        actor=actor,
        channel=channel,
        account_id=fb_page.id,
        token=SecretToken(fb_page.token),
        method="login",
        tasks=["MANAGE"],
        scopes=[],
    )


def test_connecting_needs_an_approved_channel(personas, fb_page) -> None:
    from ordstyrer.core.errors import ServiceError

    channel = make_channel(personas, status="draft")
    with pytest.raises(ServiceError) as info:
        _connect(channel, fb_page, personas.communications)
    assert info.value.rule == "CH-1"


def test_connecting_another_page_than_registered_is_refused(personas, fb_page) -> None:
    from ordstyrer.core.errors import ServiceError

    channel = make_channel(personas, platform_id="424242")
    with pytest.raises(ServiceError) as info:
        _connect(channel, fb_page, personas.communications)
    assert info.value.rule == "CH-8"


def test_a_page_feeds_one_channel_only(personas, fb_page) -> None:
    from ordstyrer.core.errors import ServiceError

    first = make_channel(personas)
    second = make_channel(personas, name="Kopi")
    _connect(first, fb_page, personas.communications)
    with pytest.raises(ServiceError):
        _connect(second, fb_page, personas.communications)


def test_only_managers_connect(personas, fb_page) -> None:
    from ordstyrer.core.errors import NotFound, NotPermitted
    from ordstyrer.core.permissions import actor_in

    channel = make_channel(personas)
    with pytest.raises(NotPermitted):
        _connect(channel, fb_page, personas.archivist)
    # CH-3 as the console asks it, with the request's Actor; an outsider learns nothing.
    archivist = actor_in(user=personas.archivist, slug=personas.municipality.slug)
    with pytest.raises(NotPermitted):
        _connect(channel, fb_page, archivist)
    with pytest.raises(NotFound):
        _connect(channel, fb_page, personas.outsider)
    assert not PlatformConnection.objects.filter(channel=channel).exists()
    communications = actor_in(user=personas.communications, slug=personas.municipality.slug)
    assert _connect(channel, fb_page, communications).connected_by == personas.communications


def test_disconnect_forgets_the_token(client, personas, fb_page) -> None:
    channel = make_channel(personas)
    _connect(channel, fb_page, personas.communications)
    _login(client, personas.communications)
    response = client.post(_url(channel, "koble-fra/"), {"confirmed": "1"}, follow=True)
    assert "Kanalen er koblet fra, og tokenet er slettet." in response.content.decode()
    connection = PlatformConnection.objects.get(channel=channel)
    assert connection.status == ConnectionStatus.DISCONNECTED
    assert connection.token_encrypted == ""
    assert AuditEntry.objects.filter(action="platform_disconnect").exists()


def _connected_and_subscribed(personas, fb_page, capture) -> PlatformConnection:
    channel = make_channel(personas)
    with capture(execute=True):
        _connect(channel, fb_page, personas.communications)
    connection = PlatformConnection.objects.get(channel=channel)
    assert connection.webhooks_subscribed and fb_page.subscribed_fields == ["feed"]
    return connection


def test_disconnect_takes_the_app_off_the_page_then_forgets_the_token(
    client, personas, graph, fb_page, django_capture_on_commit_callbacks
) -> None:
    connection = _connected_and_subscribed(personas, fb_page, django_capture_on_commit_callbacks)
    _login(client, personas.communications)
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            client.post(_url(connection.channel, "koble-fra/"), {"confirmed": "1"}).status_code
            == 302
        )
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.DISCONNECTED
    assert connection.token_encrypted == "" and not connection.webhooks_subscribed
    assert fb_page.subscribed_fields == []  # Meta sends the Page's changes no more
    call = ConnectorCall.objects.filter(channel=connection.channel).latest("at")
    assert (call.operation, call.outcome) == ("unsubscribe_webhooks", "ok")
    page = client.get(_url(connection.channel)).content.decode()
    assert "Kanalen er ikke koblet til." in page and "fjerner appen" not in page


def test_a_page_that_refuses_the_removal_still_loses_the_token_and_the_page_says_what_to_do(
    client, personas, graph, fb_page, django_capture_on_commit_callbacks
) -> None:
    connection = _connected_and_subscribed(personas, fb_page, django_capture_on_commit_callbacks)
    graph.inject(200, path="subscribed_apps", method="DELETE", times=-1)
    _login(client, personas.communications)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(connection.channel, "koble-fra/"), {"confirmed": "1"})
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.DISCONNECTED
    assert connection.token_encrypted == ""
    assert connection.webhooks_subscribed and fb_page.subscribed_fields == ["feed"]
    assert "Forretningsintegrasjoner" in connection.check_error
    assert "Forretningsintegrasjoner" in client.get(_url(connection.channel)).content.decode()


def test_a_removal_that_never_ran_gives_up_the_token_within_the_grace(
    client, personas, graph, fb_page, django_capture_on_commit_callbacks
) -> None:
    connection = _connected_and_subscribed(personas, fb_page, django_capture_on_commit_callbacks)
    _login(client, personas.communications)
    response = client.post(
        _url(connection.channel, "koble-fra/"), {"confirmed": "1"}, follow=True
    )  # no task run
    connection.refresh_from_db()
    assert connection.unsubscribe_pending and connection.token_encrypted
    page = response.content.decode()
    assert "Tokenet slettes når appen er fjernet fra siden hos Meta." in page
    assert "fjerner appen" in page and "tokenet er slettet" not in page
    # Webhooks for the Page are no longer routed to the channel meanwhile.
    assert connection.status == ConnectionStatus.DISCONNECTED
    sweep_tokens(now=timezone.now() + connections.UNSUBSCRIBE_GRACE / 2)
    assert PlatformConnection.objects.get(pk=connection.pk).token_encrypted
    later = timezone.now() + connections.UNSUBSCRIBE_GRACE + timedelta(minutes=1)
    sweep_tokens(now=later)
    assert PlatformConnection.objects.get(pk=connection.pk).token_encrypted == ""
    assert connections.connection_unsubscribe(connection_id=connection.pk) == "nothing"


# --- token health --------------------------------------------------------------------------


def test_daily_check_flags_an_expired_token(
    personas, graph, fb_page, django_capture_on_commit_callbacks
) -> None:
    personas.employee.email = "hovedadmin@example.invalid"
    personas.employee.save()
    channel = make_channel(personas)
    with django_capture_on_commit_callbacks(execute=True):
        connection = _connect(channel, fb_page, personas.communications)
    assert PlatformConnection.objects.get(pk=connection.pk).check_ok is True

    graph.store.expire_page_token(fb_page.id, 463)  # "Session has expired" (spec §3.2)
    now = timezone.now() + timedelta(days=1, minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        claimed = health.checks_sweep(now=now)
    assert claimed == 1
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.NEEDS_REAUTH
    assert connection.reauth_since is not None and connection.check_ok is False
    failed = ConnectorCall.objects.filter(channel=channel, outcome="error").latest("at")
    assert failed.error_code == "needs_reauth" and failed.permanent is True
    assert AuditEntry.objects.filter(action="platform_needs_reauth").count() == 1
    assert [m.to for m in mail.outbox] == [["hovedadmin@example.invalid"]]
    assert "kobles til på nytt" in mail.outbox[0].subject
    assert re.search(r"https?://[^/\s]+/m/", mail.outbox[0].body)  # absolute link (#15)
    # A flagged connection is not checked again by the sweep, and not flagged twice.
    assert health.checks_sweep(now=now + timedelta(days=2)) == 0


def test_any_call_with_a_dead_token_flags_the_channel_at_once(personas, graph, fb_page) -> None:
    from ordstyrer.connectors.base import ConnectorError

    channel = make_channel(personas)
    _connect(channel, fb_page, personas.communications)
    graph.store.expire_page_token(fb_page.id, 460)  # password changed
    with pytest.raises(ConnectorError):
        connector_for(channel).list_posts()
    assert PlatformConnection.objects.get(channel=channel).status == ConnectionStatus.NEEDS_REAUTH


def test_a_permission_error_is_shown_but_does_not_flag(personas, graph, fb_page) -> None:
    channel = make_channel(personas)
    connection = _connect(channel, fb_page, personas.communications)
    graph.inject(200, path=f"/{fb_page.id}", times=1)
    assert health.connection_check(connection_id=connection.pk) == "error"
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.CONNECTED and connection.check_ok is False
    assert connection.next_check_at > timezone.now() + timedelta(hours=20)


def test_every_connector_call_is_recorded_on_the_channel(personas, graph, fb_page) -> None:
    channel = make_channel(personas)
    _connect(channel, fb_page, personas.communications)
    connector = connector_for(channel)
    connector.list_posts(limit=5)
    with pytest.raises(Exception):  # noqa: B017,PT011 — any ConnectorError: the comment is unknown
        connector.get_comment("123_456")
    calls = list(ConnectorCall.objects.filter(channel=channel).order_by("at", "id"))
    assert [(c.operation, c.outcome) for c in calls] == [
        ("list_posts", "ok"),
        ("get_comment", "error"),
    ]
    assert calls[1].error_code == "not_found" and calls[1].error_message
    assert all(c.duration_ms >= 0 for c in calls)


def test_the_call_log_only_records_the_recorder_decides(personas, graph, fb_page, settings):
    """`recording.record_call` returns the stored call; flagging a dead token is the
    recorder's decision (`health.recorder_for`, named in ORDSTYRER_CONNECTORS)."""
    from ordstyrer.channels.platform import connector_hooks
    from ordstyrer.connectors.base import ConnectorError, ErrorCode
    from ordstyrer.platforms.recording import record_call

    assert connector_hooks().recorder is health.recorder_for
    channel = make_channel(personas)
    _connect(channel, fb_page, personas.communications)
    dead = ConnectorError("Tokenet er utløpt.", permanent=True, code=ErrorCode.NEEDS_REAUTH)
    call = record_call(
        channel_id=channel.pk,
        outcome="error",
        capability="comment_source",
        operation="list_posts",
        duration=0.01,
        error=dead,
    )
    assert call.pk and call.error_code == "needs_reauth"
    assert PlatformConnection.objects.get(channel=channel).status == ConnectionStatus.CONNECTED

    # Without a recorder configured nothing is logged and nothing decided.
    settings.ORDSTYRER_CONNECTORS = {**settings.ORDSTYRER_CONNECTORS, "RECORDER": None}
    graph.store.expire_page_token(fb_page.id, 460)
    with pytest.raises(ConnectorError):
        connector_for(channel).list_posts()
    assert ConnectorCall.objects.filter(channel=channel).count() == 1
    assert PlatformConnection.objects.get(channel=channel).status == ConnectionStatus.CONNECTED


@pytest.mark.parametrize(
    "configured",
    [
        {"RECORDR": "ordstyrer.platforms.health.recorder_for"},  # a misspelt key
        {"RECORDER": "ordstyrer.platforms.health.no_such_recorder"},
        {"OPENER": 42},
    ],
)
def test_a_wrong_connector_setting_is_refused_by_name(settings, configured) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from ordstyrer.channels.platform import connector_hooks

    settings.ORDSTYRER_CONNECTORS = configured
    with pytest.raises(ImproperlyConfigured, match="ORDSTYRER_CONNECTORS"):
        connector_hooks()


# --- access ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "method", "path", "status"),
    [
        ("outsider", "get", "", 404),
        ("outsider", "post", "systembruker/", 404),
        ("outsider", "post", "koble-fra/", 404),
        ("outsider", "post", "historikk/", 404),
        ("outsider", "post", "import/", 404),
        ("outsider", "get", "velg/", 404),
        ("archivist", "get", "", 403),
        ("archivist", "post", "koble-fra/", 403),
        ("chief_administrator", "get", "", 200),
        ("communications", "get", "", 200),
        ("employee", "get", "", 200),
    ],
)
def test_access(client, personas, who, method, path, status) -> None:
    channel = make_channel(personas)
    _login(client, getattr(personas, who))
    response = getattr(client, method)(_url(channel, path))
    assert response.status_code == status


def test_an_editor_sees_but_may_not_change(client, personas) -> None:
    from ordstyrer.channels.models import ChannelMembership

    channel = make_channel(personas)
    ChannelMembership.objects.create(
        channel=channel, user=personas.unit_leader, role="admin", granted_at=timezone.now()
    )
    _login(client, personas.unit_leader)
    response = client.get(_url(channel))
    assert response.status_code == 200 and "Lagre token" not in response.content.decode()
    assert client.post(_url(channel, "koble-fra/")).status_code == 403


def test_it_connects_from_the_command_line_with_the_token_on_stdin(
    personas, graph, fb_page, monkeypatch, capsys, django_capture_on_commit_callbacks
) -> None:
    import io

    from django.core.management import CommandError, call_command

    channel = make_channel(personas)
    graph.store.add_user_token("EAAsystemcli", {fb_page.id}, tasks={"MANAGE"})
    monkeypatch.setattr("sys.stdin", io.StringIO("EAAsystemcli\n"))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("platform_connect", "--channel", str(channel.pk), "--account-id", fb_page.id)
    assert "koblet til" in capsys.readouterr().out
    connection = PlatformConnection.objects.get(channel=channel)
    assert connection.connected_by is None and _decrypt(connection) == fb_page.token
    assert connection.check_ok is True and connection.tasks == ["MANAGE"]
    entry = AuditEntry.objects.get(action="platform_connect")
    assert entry.actor is None and "EAAsystemcli" not in json.dumps(entry.data)

    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(CommandError):
        call_command("platform_connect", "--channel", str(channel.pk), "--account-id", fb_page.id)


# --- the link from the channel page ---------------------------------------------------------


def _has_connection_link(client, user, channel) -> bool:
    _login(client, user)
    page = client.get(f"/m/{channel.municipality.slug}/kanaler/{channel.pk}/")
    assert page.status_code == 200
    return f'href="{_url(channel)}"' in page.content.decode()


@pytest.mark.parametrize("status", ["active", "approved", "closed"])
def test_the_channel_page_links_to_the_connection_for_those_who_may_connect(
    client, personas, status
) -> None:
    channel = make_channel(personas, status=status)
    for user in (personas.employee, personas.communications, personas.chief_administrator):
        assert _has_connection_link(client, user, channel), user.username
    # The channel's own administrator (not the main one) moderates but may not connect.
    ChannelMembership.objects.create(
        channel=channel,
        user=personas.unit_leader,
        role=ChannelRole.ADMIN,
        granted_at=timezone.now(),
    )
    for user in (personas.unit_leader, personas.archivist, personas.crisis_leader):
        assert not _has_connection_link(client, user, channel), user.username


@pytest.mark.parametrize(
    ("kind", "status"),
    [("facebook", "draft"), ("facebook", "retired"), ("simulated", "active")],
)
def test_no_connection_link_where_nothing_can_be_connected(client, personas, kind, status) -> None:
    channel = make_channel(personas, kind=kind, status=status)
    assert not _has_connection_link(client, personas.communications, channel)
