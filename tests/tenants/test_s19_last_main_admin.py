"""Session 19: taking a person's last role in the municipality, or deactivating them, left
the channels they were the last active main administrator of with none, without a word
(CH-3: every channel has an active main administrator; `channel_role_remove` refused it,
these paths did not check).

Now revoking the last role is refused, naming the channels, unless forced (`--force` on
the command line); deactivating is never refused (a person who has left must be locked
out) but says which channels are left, audits them, and e-mails their administrators and
communications."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from ordstyrer.channels import services as channels
from ordstyrer.channels.models import ChannelRole
from ordstyrer.channels.roles import channel_role_set
from ordstyrer.channels.selectors import active_main_admin_count
from ordstyrer.core.errors import ServiceError
from ordstyrer.core.models import AuditEntry
from ordstyrer.tenants.models import Role, RoleAssignment
from ordstyrer.tenants.services import role_assign, role_revoke, user_deactivate
from tests.channels.conftest import active_channel
from tests.factories import person_with_roles

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def school(personas):
    """«Skolen», a Facebook page: p.employee its one main administrator (holding only the
    employee role), Anne an administrator, Erik an editor."""
    p = personas
    channel = active_channel(p)
    p.admin = person_with_roles(p.municipality, username="anne", first_name="Anne")
    p.editor = person_with_roles(p.municipality, username="erik", first_name="Erik")
    channel_role_set(actor=p.employee, channel=channel, user=p.admin, role=ChannelRole.ADMIN)
    channel_role_set(actor=p.employee, channel=channel, user=p.editor, role=ChannelRole.EDITOR)
    p.employee.first_name, p.employee.last_name = "Per", "Hansen"
    p.employee.save(update_fields=["first_name", "last_name"])
    return channel


def _revoke(p, **kw):
    return role_revoke(
        actor=None, municipality=p.municipality, user=p.employee, role=Role.EMPLOYEE, **kw
    )


def _gone_entries():
    return list(AuditEntry.objects.filter(action="channel_main_admin_gone"))


def _assert_told(p, channel, mailoutbox, *, cause):
    """The channel is audited once, and its administrator and communications (not the
    person gone, not the editor) got one message each naming the channel and the
    person, with a link to the channel."""
    [entry] = _gone_entries()
    assert (entry.municipality, entry.object_type, entry.object_id) == (
        p.municipality,
        "Channel",
        str(channel.pk),
    )
    assert entry.data == {"user_id": p.employee.pk, "cause": cause, "rule": "CH-3"}
    assert sorted(m.to[0] for m in mailoutbox) == sorted([p.admin.email, p.communications.email])
    for message in mailoutbox:
        assert "«Skolen»" in message.subject
        assert "Per Hansen" in message.body and "CH-3" in message.body
        assert f"/m/{p.municipality.slug}/kanaler/{channel.pk}/" in message.body
        assert p.employee.email not in message.body and p.admin.email not in message.body


def test_revoking_the_last_role_of_the_last_main_admin_is_refused_naming_the_channel(
    personas, school
):
    """CH-3: without the role the channel would have no active main administrator."""
    p = personas
    with pytest.raises(ServiceError) as refused:
        _revoke(p)
    assert (refused.value.code, refused.value.rule) == ("last_main_admin", "CH-3")
    message = str(refused.value.message)
    assert "«Skolen» (Facebook-side)" in message and "Testby kommune" in message
    assert RoleAssignment.objects.filter(user=p.employee, municipality=p.municipality).exists()
    assert active_main_admin_count(channel=school) == 1
    assert not AuditEntry.objects.filter(action="role_revoke").exists()


@pytest.mark.parametrize("keeps", ["another_role", "another_main_admin", "retired"])
def test_a_revocation_that_leaves_the_channel_run_goes_through(personas, school, keeps):
    """CH-3: another role keeps them a member; another active main administrator runs
    the channel; a retired channel needs none."""
    p = personas
    if keeps == "another_role":
        role_assign(actor=None, municipality=p.municipality, user=p.employee, role=Role.ARCHIVIST)
    elif keeps == "another_main_admin":
        channel_role_set(
            actor=p.employee, channel=school, user=p.admin, role=ChannelRole.MAIN_ADMIN
        )
    else:
        channels.channel_retire(actor=p.employee, channel=school, reason="Skolen er lagt ned.")
    outcome = _revoke(p)
    assert outcome and outcome.channels_left == ()
    assert not _gone_entries()


def test_a_forced_revocation_goes_through_names_audits_and_mails(
    personas, school, mailoutbox, django_capture_on_commit_callbacks
):
    """CH-3: the person has left; the channel is named, audited and its people told."""
    p = personas
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        outcome = _revoke(p, force=True)
    assert outcome.done
    assert [(c.pk, str(c)) for c in outcome.channels_left] == [
        (school.pk, "«Skolen» (Facebook-side)")
    ]
    assert not RoleAssignment.objects.filter(user=p.employee, municipality=p.municipality).exists()
    assert active_main_admin_count(channel=school) == 0
    _assert_told(p, school, mailoutbox, cause="role_revoke")


def test_deactivating_the_last_main_admin_goes_ahead_and_says_which_channels(
    personas, school, mailoutbox, django_capture_on_commit_callbacks
):
    """CH-3, security first: a leaver is always locked out; the channel is named,
    audited and its people told."""
    p = personas
    other = active_channel(p, name="Biblioteket")
    channel_role_set(actor=p.employee, channel=other, user=p.admin, role=ChannelRole.MAIN_ADMIN)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        outcome = user_deactivate(actor=None, user=p.employee)
    assert outcome.done and not p.employee.is_active
    assert [c.pk for c in outcome.channels_left] == [school.pk]  # Anne runs the library
    assert (active_main_admin_count(channel=school), active_main_admin_count(channel=other)) == (
        0,
        1,
    )
    _assert_told(p, school, mailoutbox, cause="user_deactivate")
    again = user_deactivate(actor=None, user=p.employee)
    assert not again and again.channels_left == ()


# --- the command line --------------------------------------------------------------------


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


REVOKE = ("role", "revoke", "--municipality", "testby", "--user", "testby-ansatt")


def test_the_command_refuses_naming_the_channels_and_force_takes_the_role(
    personas, school, mailoutbox, django_capture_on_commit_callbacks
):
    """CH-3: `ordstyrer role revoke` says which channels and how to go on; `--force`
    takes the role and lists them."""
    p = personas
    with pytest.raises(CommandError) as refused:
        _run(*REVOKE, "--role", "employee")
    assert refused.value.returncode == 2
    message = str(refused.value)
    assert "«Skolen» (Facebook-side)" in message and "--force" in message
    assert "Ingenting er endret." in message and "\n" not in message
    assert RoleAssignment.objects.filter(user=p.employee, municipality=p.municipality).exists()

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        out = _run(*REVOKE, "--role", "employee", "--force")
    assert "testby-ansatt har ikke lenger rollen employee i Testby kommune." in out
    assert "ingen aktiv hovedadministrator" in out and "«Skolen» (Facebook-side)" in out
    _assert_told(p, school, mailoutbox, cause="role_revoke")


def test_the_deactivate_command_names_the_channels_left(
    personas, school, mailoutbox, django_capture_on_commit_callbacks
):
    """CH-3: `ordstyrer user deactivate` is never refused, and names the channels."""
    p = personas
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        out = _run("user", "deactivate", "--username", "testby-ansatt")
    assert "testby-ansatt er deaktivert" in out
    assert (
        "Merk: kanalen «Skolen» (Facebook-side) i Testby kommune har ingen aktiv "
        "hovedadministrator nå" in out
    )
    _assert_told(p, school, mailoutbox, cause="user_deactivate")
