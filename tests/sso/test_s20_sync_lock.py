"""Session 20: a login through the identity provider that takes a person's last role in
the municipality (`sso_login` → `_sync_roles`), or a removed group mapping
(`group_unmap`), counted the channels left without an active main administrator without
locking them. A main administrator taken off the channel at the same instant
(`channel_role_remove`) was counted as still there, and the other way round: both went
through, the channel was left with none, and nothing said so (CH-3, CH-5).

Now both lock the municipality's channel rows (`tenants.services.channels_lock`, the
order `role_revoke` takes) before they count: the one that comes second waits for the
first to commit, then counts again: the removal is refused, or the login and the
removed mapping name the channel.

Runs against PostgreSQL (CI's second pass); SQLite's in-memory test database cannot be
written from two threads at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from unittest import mock

import pytest
from django.db import connection, connections

from ordstyrer.channels import roles as channel_roles
from ordstyrer.channels.models import ChannelRole
from ordstyrer.channels.roles import channel_role_remove, channel_role_set
from ordstyrer.channels.selectors import active_main_admin_count
from ordstyrer.core.errors import ServiceError
from ordstyrer.core.models import AuditEntry
from ordstyrer.sso import services as sso_services
from ordstyrer.sso.services import group_map, group_unmap, sso_login
from ordstyrer.tenants import services as tenant_services
from ordstyrer.tenants.models import Role, RoleAssignment
from tests.channels.conftest import active_channel
from tests.conftest import make_personas
from tests.factories import person_with_roles

pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
ISSUER = "https://login.example"


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs a database that several threads write at once (PostgreSQL)")


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _login(sub: str, *groups: str, **claims: str) -> Any:
    return sso_login(
        issuer=ISSUER,
        claims={"sub": sub, "groups": list(groups), **claims},
        groups_claim="groups",
        now=NOW,
    )


def _world(slug: str) -> Any:
    """«Skolen» run by two main administrators: Ola, an employee only by the group
    «sg-skole» (his one role in the municipality), and «Zebedeus», a local account."""
    p: Any = make_personas(slug, "indre-fosen")
    p.mapping = group_map(
        actor=None, municipality=p.municipality, group=f"sg-{slug}", role=Role.EMPLOYEE
    )
    p.sub = f"s-ola-{slug}"
    p.ola = _login(p.sub, f"sg-{slug}", given_name="Ola", family_name="Nordmann")
    p.channel = active_channel(p)  # p.employee its main administrator, for now
    for user in (p.ola, person_with_roles(p.municipality, username=f"{slug}-zeb")):
        channel_role_set(
            actor=p.communications, channel=p.channel, user=user, role=ChannelRole.MAIN_ADMIN
        )
    channel_role_remove(actor=p.communications, channel=p.channel, user=p.employee)
    p.zeb = p.channel.memberships.exclude(user=p.ola).get().user
    assert active_main_admin_count(channel=p.channel) == 2
    return p


def _first_then(first: Callable[[], Any], second: Callable[[], Any]) -> list[Any]:
    """Run `first` in a thread; once it has checked (at its first audit record, before it
    commits) it holds on until `second`, started then in another thread, is done or a
    second has passed. Without a lock `second` reads what `first` has not committed yet
    (the race, every time); with it `second` waits for `first` to commit. The outcomes
    (a result or the exception) in the calls' order."""
    checked = threading.Event()
    second_done = threading.Event()
    outcomes: list[Any] = [None, None]

    def held(record: Callable[..., Any]) -> Callable[..., Any]:
        def audit_record(*args: Any, **kwargs: Any) -> Any:
            result = record(*args, **kwargs)
            if threading.current_thread().name == "first" and not checked.is_set():
                checked.set()
                second_done.wait(timeout=1)
            return result

        return audit_record

    def worker(index: int, call: Callable[[], Any]) -> None:
        try:
            if index == 1:
                assert checked.wait(timeout=10), "the first call never reached its check"
            outcomes[index] = call()
        except BaseException as exc:  # noqa: BLE001 - read by the assertions
            outcomes[index] = exc
        finally:
            if index == 1:
                second_done.set()
            else:
                checked.set()  # a first call that failed before its check
            connections.close_all()

    with (
        mock.patch.object(sso_services, "audit_record", held(sso_services.audit_record)),
        mock.patch.object(tenant_services, "audit_record", held(tenant_services.audit_record)),
        mock.patch.object(channel_roles, "audit_record", held(channel_roles.audit_record)),
    ):
        threads = [
            threading.Thread(target=worker, args=(i, call), name=("first", "second")[i])
            for i, call in enumerate((first, second))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    return outcomes


def _gone_audited(p: Any) -> list[str]:
    """The channels audited as left without an active main administrator by Ola's going."""
    return [
        e.object_id
        for e in AuditEntry.objects.filter(
            action="channel_main_admin_gone", municipality=p.municipality
        ).order_by("pk")
        if e.data.get("user_id") == p.ola.pk
    ]


def test_ch3_a_removal_while_a_login_takes_the_last_role_is_refused():
    """CH-3: Ola's login without «sg-skole» takes his one role (he is no longer an
    active main administrator); Zebedeus's removal at that instant waits for it, counts
    again and is refused: the channel keeps Zebedeus."""
    p = _world("ssolås-a")
    logged_in, removed = _first_then(
        lambda: _login(p.sub),
        lambda: channel_role_remove(actor=p.communications, channel=p.channel, user=p.zeb),
    )
    assert not isinstance(logged_in, BaseException), logged_in
    assert isinstance(removed, ServiceError), removed
    assert (removed.code, removed.rule) == ("last_main_admin", "CH-3")
    assert not RoleAssignment.objects.filter(user=p.ola, municipality=p.municipality).exists()
    assert p.channel.memberships.filter(user=p.zeb).exists()
    assert active_main_admin_count(channel=p.channel) == 1
    assert _gone_audited(p) == []


def test_ch3_a_login_after_a_removal_at_the_same_instant_names_the_channel():
    """CH-3: Zebedeus is taken off the channel; Ola's login at that instant (never
    refused: the identity provider's groups decide) waits, counts again, and audits the
    channel it leaves without an active main administrator, instead of counting
    Zebedeus as still there and saying nothing."""
    p = _world("ssolås-b")
    removed, logged_in = _first_then(
        lambda: channel_role_remove(actor=p.communications, channel=p.channel, user=p.zeb),
        lambda: _login(p.sub),
    )
    assert not isinstance(removed, BaseException), removed
    assert not isinstance(logged_in, BaseException), logged_in
    assert active_main_admin_count(channel=p.channel) == 0
    assert _gone_audited(p) == [str(p.channel.pk)]


def test_ch3_an_unmap_after_a_removal_at_the_same_instant_names_the_channel():
    """CH-3: Zebedeus is taken off the channel; removing the mapping of «sg-skole» at
    that instant waits, counts again, and records that Ola's next login leaves the
    channel without an active main administrator, as its confirmation page would."""
    p = _world("ssolås-c")
    removed, unmapped = _first_then(
        lambda: channel_role_remove(actor=p.communications, channel=p.channel, user=p.zeb),
        lambda: group_unmap(
            actor=p.communications, municipality=p.municipality, mapping_id=p.mapping.pk
        ),
    )
    assert not isinstance(removed, BaseException), removed
    assert unmapped is True, unmapped
    entry = AuditEntry.objects.get(action="sso_group_unmap", municipality=p.municipality)
    assert entry.data["losing_user_ids"] == [p.ola.pk]
    assert entry.data["channels_left_ids"] == [p.channel.pk]
