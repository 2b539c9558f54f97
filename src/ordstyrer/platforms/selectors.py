"""Reads for the connection pages, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ordstyrer.channels.models import Channel
from ordstyrer.platforms.models import (
    CallOutcome,
    ConnectorCall,
    HistoryJob,
    PlatformConnection,
)

RECENT_CALLS = 20
RECENT_ERRORS = 10
RECENT_JOBS = 10


@dataclass(frozen=True)
class ConnectionOverview:
    connection: PlatformConnection | None
    calls: list[ConnectorCall]
    errors: list[ConnectorCall]
    jobs: list[HistoryJob]

    @property
    def connected(self) -> bool:
        return self.connection is not None and self.connection.status != "disconnected"


def connection_overview(*, channel: Channel) -> ConnectionOverview:
    """Status, permissions, token health, the last calls (errors apart) and jobs."""
    connection = (
        PlatformConnection.objects.filter(channel=channel).select_related("connected_by").first()
    )
    calls = list(
        ConnectorCall.objects.filter(channel=channel).order_by("-at", "-id")[:RECENT_CALLS]
    )
    errors = list(
        ConnectorCall.objects.filter(channel=channel, outcome=CallOutcome.ERROR).order_by(
            "-at", "-id"
        )[:RECENT_ERRORS]
    )
    jobs = list(
        HistoryJob.objects.filter(channel=channel)
        .defer("payload")
        .select_related("requested_by")
        .order_by("-requested_at", "-id")[:RECENT_JOBS]
    )
    return ConnectionOverview(connection=connection, calls=calls, errors=errors, jobs=jobs)


def connection_for_channel_ids(channel_ids: list[int]) -> dict[int, Any]:
    """Connection status per channel, for lists of channels."""
    return {
        c.channel_id: c
        for c in PlatformConnection.objects.filter(channel_id__in=channel_ids).only(
            "channel_id", "status", "account_id", "account_name", "check_ok"
        )
    }
