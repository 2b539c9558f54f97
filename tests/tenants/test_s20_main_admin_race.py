"""Session 20: the last two main administrators of a channel, taken away at the same
instant by two people — one revokes the first one's last role in the municipality
(`role_revoke`), the other takes the second one off the channel (`channel_role_remove`) —
each saw the other as still active, both went through, and the channel was left without
an active main administrator (CH-3, CH-5).

Now both lock the channel's row before they count its main administrators: the second
waits for the first to commit, then counts again, and is refused (CH-3). A deactivation
at the same instant (never refused) names the channel it leaves without one, or the
removal is refused.

Runs against PostgreSQL (CI's second pass); SQLite's in-memory test database cannot be
written from two threads at once (and SQLite writes one transaction at a time anyway).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from django.db import connection, connections

from ordstyrer.channels import roles as channel_roles
from ordstyrer.channels.models import ChannelRole
from ordstyrer.channels.roles import channel_role_remove, channel_role_set
from ordstyrer.channels.selectors import active_main_admin_count
from ordstyrer.core.errors import ServiceError
from ordstyrer.tenants import services as tenant_services
from ordstyrer.tenants.models import Role, RoleAssignment
from tests.channels.conftest import active_channel
from tests.conftest import Personas, make_personas
from tests.factories import person_with_roles

pytestmark = pytest.mark.django_db(transaction=True)


def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs a database that several threads write at once (PostgreSQL)")


def _two_main_admins(slug: str) -> tuple[Personas, Any, Any]:
    """«Skolen» run by two main administrators: p.employee (holding only the employee
    role) and «Zebedeus»."""
    p = make_personas(slug, "indre-fosen")
    channel = active_channel(p)  # p.employee is its main administrator
    second = person_with_roles(p.municipality, username=f"{slug}-zeb", first_name="Zebedeus")
    channel_role_set(
        actor=p.communications, channel=channel, user=second, role=ChannelRole.MAIN_ADMIN
    )
    return p, channel, second


def _at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in two threads at the same instant; each holds on after its check
    (at its audit record, before it commits) until the other has checked too or a second
    has passed: without a lock both check before either commits (the race, every time);
    with the lock the second waits for the first to commit. The outcomes (a result or
    the exception) in the calls' order."""
    start = threading.Barrier(len(calls))
    checked = threading.Barrier(len(calls), timeout=1)
    outcomes: list[Any] = [None] * len(calls)

    def held(record: Callable[..., Any]) -> Callable[..., Any]:
        def audit_record(*args: Any, **kwargs: Any) -> Any:
            result = record(*args, **kwargs)
            try:
                checked.wait()
            except threading.BrokenBarrierError:
                pass
            return result

        return audit_record

    def worker(index: int, call: Callable[[], Any]) -> None:
        try:
            start.wait()
            outcomes[index] = call()
        except BaseException as exc:  # noqa: BLE001 - read by the assertions
            outcomes[index] = exc
        finally:
            connections.close_all()

    with (
        mock.patch.object(tenant_services, "audit_record", held(tenant_services.audit_record)),
        mock.patch.object(channel_roles, "audit_record", held(channel_roles.audit_record)),
    ):
        threads = [threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    return outcomes


def test_ch3_revoking_and_removing_the_last_two_main_admins_at_once_keeps_one():
    """CH-3: one of the two goes through, the other is refused as the last main
    administrator's removal; the channel keeps an active main administrator."""
    _postgresql_only()
    p, channel, second = _two_main_admins("kappløp")
    revoked, removed = _at_once(
        lambda: tenant_services.role_revoke(
            actor=p.communications,
            municipality=p.municipality,
            user=p.employee,
            role=Role.EMPLOYEE,
        ),
        lambda: channel_role_remove(actor=p.communications, channel=channel, user=second),
    )
    failed = [o for o in (revoked, removed) if isinstance(o, BaseException)]
    assert len(failed) == 1 and isinstance(failed[0], ServiceError), (revoked, removed)
    assert (failed[0].code, failed[0].rule) == ("last_main_admin", "CH-3")
    assert active_main_admin_count(channel=channel) == 1
    # Whichever went through, the other main administrator is still there and active.
    still_employee = RoleAssignment.objects.filter(
        user=p.employee, municipality=p.municipality
    ).exists()
    still_on_channel = channel.memberships.filter(user=second).exists()
    assert still_employee != still_on_channel


def test_ch3_a_deactivation_at_the_same_instant_names_the_channel_it_leaves():
    """CH-3: a deactivation is never refused; either the removal at the same instant is
    refused, or the deactivation names the channel it leaves without an active main
    administrator — never both through and the channel left unsaid."""
    _postgresql_only()
    p, channel, second = _two_main_admins("samtidig")
    deactivated, removed = _at_once(
        lambda: tenant_services.user_deactivate(actor=None, user=p.employee),
        lambda: channel_role_remove(actor=p.communications, channel=channel, user=second),
    )
    assert not isinstance(deactivated, BaseException), deactivated
    assert deactivated.done
    if isinstance(removed, ServiceError):
        assert removed.code == "last_main_admin"
        assert deactivated.channels_left == ()
        assert channel.memberships.filter(user=second).exists()
    else:
        assert not isinstance(removed, BaseException), removed
        assert [c.pk for c in deactivated.channels_left] == [channel.pk]
    assert active_main_admin_count(channel=channel) == (
        1 if isinstance(removed, ServiceError) else 0
    )
