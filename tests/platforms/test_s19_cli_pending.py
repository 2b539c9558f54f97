"""`ordstyrer platform-connect` says so when Meta could not confirm the token just now
(CH-3): the connection waits for its proof, so the operator is not told it is connected
while no comment can reach the inbox."""

from __future__ import annotations

import io

from django.core.management import call_command

from ordstyrer.platforms.models import ConnectionStatus, PlatformConnection
from tests.platforms.conftest import make_channel


def test_the_command_says_the_token_waits_when_meta_is_busy(
    personas, graph, fb_page, monkeypatch, capsys
) -> None:
    channel = make_channel(personas)
    graph.store.add_user_token("EAAsystemcli", {fb_page.id}, tasks={"MANAGE"})
    graph.inject(4, path="/me", times=1)  # a throttle: Meta cannot answer just now
    monkeypatch.setattr("sys.stdin", io.StringIO("EAAsystemcli\n"))
    # The proof task queued on commit is not run here: what the command says is at stake.
    call_command("platform_connect", "--channel", str(channel.pk), "--account-id", fb_page.id)
    said = capsys.readouterr().out
    connection = PlatformConnection.objects.get(channel=channel)
    assert connection.status == ConnectionStatus.PENDING
    assert "er koblet til" not in said
    assert "prøver igjen innen en time" in said
