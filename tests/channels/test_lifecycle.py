"""The channel life cycle through the services, for every preset (CH-1, CH-2, CH-3)."""

from __future__ import annotations

import pytest
from django.core import mail

from ordstyrer.channels import services
from ordstyrer.channels.models import ChannelEvent, ChannelStatus
from ordstyrer.core.errors import NotFound, NotPermitted, ServiceError
from ordstyrer.core.models import AuditEntry
from ordstyrer.tenants.models import Role
from ordstyrer.tenants.services import policy_update
from tests.channels.conftest import FULL_PLAN, active_channel, approve_all, approver, propose
from tests.conftest import make_personas
from tests.factories import UnitFactory, person_with_roles

pytestmark = pytest.mark.django_db

CHAIN = {
    "indre-fosen": ["unit_leader", "communications"],
    "birkenes": ["unit_leader", "chief_administrator"],
    "gausdal": ["chief_administrator"],
    "midt-telemark": ["service_office"],
    "rennebu": ["chief_administrator"],
}


def status(channel) -> str:
    channel.refresh_from_db()
    return channel.status


def test_whole_life_cycle_for_every_preset(preset_personas, django_capture_on_commit_callbacks):
    p = preset_personas
    chain = CHAIN[p.municipality.preset]
    # A unit's channel: for one without a unit communications stands in for the unit
    # leader too (`test_no_unit_approvers.py`), and would be e-mailed as well.
    channel = propose(p, unit=UnitFactory(municipality=p.municipality, name="Skolen"))
    assert status(channel) == ChannelStatus.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        services.channel_submit(actor=p.employee, channel=channel)
    assert status(channel) == ChannelStatus.SUBMITTED
    assert channel.approval_chain == chain
    first = approver(p, chain[0])
    assert [m.to for m in mail.outbox] == [[first.email]]
    for index, role in enumerate(chain):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.channel_approve(actor=approver(p, role), channel=channel)
        last = index == len(chain) - 1
        assert status(channel) == (ChannelStatus.APPROVED if last else ChannelStatus.IN_REVIEW)
        if not last:
            assert [m.to for m in mail.outbox] == [[approver(p, chain[index + 1]).email]]
        else:
            assert "godkjent" in mail.outbox[0].subject
    services.channel_activate(actor=p.employee, channel=channel)
    assert status(channel) == ChannelStatus.ACTIVE
    services.channel_pause(actor=p.employee, channel=channel, reason="Permisjon")
    assert status(channel) == ChannelStatus.PAUSED
    services.channel_resume(actor=p.employee, channel=channel)
    assert status(channel) == ChannelStatus.ACTIVE
    services.channel_retire(actor=p.employee, channel=channel, reason="Ikke i bruk")
    assert status(channel) == ChannelStatus.RETIRED
    actions = list(ChannelEvent.objects.filter(channel=channel).values_list("action", flat=True))
    assert actions == [
        "propose",
        "submit",
        *["approve"] * len(chain),
        "activate",
        "pause",
        "resume",
        "retire",
    ]
    # Every step is stamped with who and when, and audited.
    assert all(e.at and e.actor for e in ChannelEvent.objects.filter(channel=channel))
    assert AuditEntry.objects.filter(
        action="channel_approve", object_id=str(channel.pk)
    ).count() == len(chain)


# (state reached, action that must be refused there)
REFUSED = [
    ("draft", "approve"),
    ("draft", "activate"),
    ("draft", "pause"),
    ("draft", "retire"),
    ("submitted", "submit"),
    ("submitted", "activate"),
    ("approved", "approve"),
    ("approved", "submit"),
    ("approved", "resume"),
    ("active", "activate"),
    ("active", "submit"),
    ("active", "resume"),
    ("paused", "pause"),
    ("retired", "activate"),
    ("retired", "resume"),
    ("retired", "retire"),
]


def _reach(p, target):
    channel = propose(p)
    if target == "draft":
        return channel
    services.channel_submit(actor=p.employee, channel=channel)
    if target == "submitted":
        return channel
    approve_all(p, channel)
    if target == "approved":
        return channel
    services.channel_activate(actor=p.employee, channel=channel)
    if target == "paused":
        services.channel_pause(actor=p.employee, channel=channel)
    if target == "retired":
        services.channel_retire(actor=p.employee, channel=channel, reason="Ferdig")
    return channel


def _do(p, channel, action):
    chief = p.communications
    calls = {
        "submit": lambda: services.channel_submit(actor=p.employee, channel=channel),
        "approve": lambda: services.channel_approve(actor=chief, channel=channel),
        "activate": lambda: services.channel_activate(actor=chief, channel=channel),
        "pause": lambda: services.channel_pause(actor=chief, channel=channel),
        "resume": lambda: services.channel_resume(actor=chief, channel=channel),
        "retire": lambda: services.channel_retire(actor=chief, channel=channel, reason="x"),
    }
    calls[action]()


@pytest.mark.parametrize(("target", "action"), REFUSED)
def test_refused_transitions(preset_personas, target, action):
    p = preset_personas
    channel = _reach(p, target)
    before = status(channel)
    with pytest.raises(ServiceError):
        _do(p, channel, action)
    assert status(channel) == before


def test_rejection_needs_a_reason_and_resubmission_starts_a_new_round(
    personas, django_capture_on_commit_callbacks
):
    p = personas  # indre-fosen: unit leader, then communications
    channel = propose(p)
    services.channel_submit(actor=p.employee, channel=channel)
    with pytest.raises(ServiceError):
        services.channel_reject(actor=p.unit_leader, channel=channel, reason="  ")
    services.channel_approve(actor=p.unit_leader, channel=channel)
    with django_capture_on_commit_callbacks(execute=True):
        services.channel_reject(
            actor=p.communications, channel=channel, reason="Mangler plan for oppfølging"
        )
    assert status(channel) == ChannelStatus.REJECTED
    assert channel.rejection_reason == "Mangler plan for oppfølging"
    assert mail.outbox[-1].to == [p.employee.email]
    assert "Mangler plan for oppfølging" in mail.outbox[-1].body
    services.channel_update(actor=p.employee, channel=channel, plan={"follow_up": "Daglig."})
    services.channel_submit(actor=p.employee, channel=channel)
    channel.refresh_from_db()
    assert (channel.status, channel.approval_round, channel.approval_step) == ("submitted", 2, 0)
    assert channel.rejection_reason == ""
    approve_all(p, channel)
    assert status(channel) == ChannelStatus.APPROVED


def test_withdraw_back_to_draft_and_edit(personas):
    p = personas
    channel = propose(p)
    services.channel_submit(actor=p.employee, channel=channel)
    with pytest.raises(ServiceError):
        services.channel_update(actor=p.employee, channel=channel, name="Nytt navn")
    services.channel_withdraw(actor=p.employee, channel=channel)
    services.channel_update(actor=p.employee, channel=channel, name="Nytt navn")
    channel.refresh_from_db()
    assert (channel.status, channel.name) == ("draft", "Nytt navn")


@pytest.mark.parametrize(
    ("preset", "missing_field", "label"),
    [
        ("indre-fosen", "why", "hvorfor kanalen trengs"),
        ("birkenes", "publishing_plan", "plan for aktivitet"),
        ("midt-telemark", "audience", "målgruppe"),
        ("gausdal", "marketing", "markedsføring"),
    ],
)
def test_submission_needs_the_plan_fields_the_preset_requires(preset, missing_field, label):
    p = make_personas(f"plan-{preset}", preset)
    plan = {k: v for k, v in FULL_PLAN.items() if k != missing_field}
    audience = "" if missing_field == "audience" else "Foreldre"
    channel = propose(p, plan=plan, audience=audience)
    with pytest.raises(ServiceError) as refused:
        services.channel_submit(actor=p.employee, channel=channel)
    assert refused.value.rule == "CH-2"
    assert label in str(refused.value.message)
    assert status(channel) == ChannelStatus.DRAFT


def test_rennebu_requires_no_plan_fields_but_still_approval():
    p = make_personas("plan-rennebu", "rennebu")
    channel = propose(p, plan={}, purpose="", audience="", main_admin=None)
    services.channel_submit(actor=p.employee, channel=channel)
    assert status(channel) == ChannelStatus.SUBMITTED


def test_main_admin_is_a_plan_field_where_required():
    p = make_personas("plan-main", "indre-fosen")
    channel = propose(p, main_admin=None)
    with pytest.raises(ServiceError, match="hovedadministrator"):
        services.channel_submit(actor=p.employee, channel=channel)


def test_only_the_current_steps_approver_decides(personas):
    p = personas
    channel = propose(p, unit=UnitFactory(municipality=p.municipality, name="Skolen"))
    services.channel_submit(actor=p.employee, channel=channel)
    # Communications is the second step: not yet.
    with pytest.raises(NotPermitted):
        services.channel_approve(actor=p.communications, channel=channel)
    with pytest.raises(NotPermitted):
        services.channel_approve(actor=p.archivist, channel=channel)
    with pytest.raises(NotFound):
        services.channel_approve(actor=p.outsider, channel=channel)
    assert status(channel) == ChannelStatus.SUBMITTED


def test_unit_leader_step_is_for_the_leader_of_the_channels_unit(personas):
    p = personas
    school = UnitFactory(municipality=p.municipality, name="Skolen")
    other = UnitFactory(municipality=p.municipality, name="Barnehagen")
    kindergarten_leader = person_with_roles(p.municipality, username="bhg-leder")
    kindergarten_leader.role_assignments.create(
        municipality=p.municipality, role=Role.UNIT_LEADER, unit=other
    )
    channel = propose(p, unit=school)
    services.channel_submit(actor=p.employee, channel=channel)
    with pytest.raises(NotPermitted):
        services.channel_approve(actor=kindergarten_leader, channel=channel)
    # p.unit_leader leads without a unit (across units): eligible.
    services.channel_approve(actor=p.unit_leader, channel=channel)
    assert status(channel) == ChannelStatus.IN_REVIEW


def test_four_eyes_no_self_approval_and_one_step_per_person(personas):
    p = personas
    both = person_with_roles(
        p.municipality, Role.UNIT_LEADER, Role.COMMUNICATIONS, username="begge"
    )
    channel = propose(p)
    services.channel_submit(actor=p.employee, channel=channel)
    services.channel_approve(actor=both, channel=channel)
    with pytest.raises(ServiceError, match="annen"):
        services.channel_approve(actor=both, channel=channel)
    # The proposal of a communications advisor is decided by someone else.
    mine = propose(p, name="Kommunens side", actor=p.communications)
    services.channel_submit(actor=p.communications, channel=mine)
    services.channel_approve(actor=p.unit_leader, channel=mine)
    with pytest.raises(ServiceError, match="eget forslag"):
        services.channel_approve(actor=p.communications, channel=mine)


def test_unit_leader_submitting_for_own_unit_is_the_leaders_assessment(personas):
    p = personas  # indre-fosen: [unit_leader, communications]
    channel = propose(p, actor=p.unit_leader)
    services.channel_submit(actor=p.unit_leader, channel=channel)
    channel.refresh_from_db()
    assert (channel.status, channel.current_approver_role) == ("in_review", "communications")
    services.channel_approve(actor=p.communications, channel=channel)
    assert status(channel) == ChannelStatus.APPROVED


def test_municipality_changes_its_chain_within_its_policy():
    p = make_personas("kjede", "gausdal")
    policy_update(
        actor=p.communications,
        municipality=p.municipality,
        overrides={"CH-1": {"approval_chain": ["unit_leader", "chief_administrator"]}},
        reason="Enhetsleder vurderer først",
    )
    channel = propose(p)
    services.channel_submit(actor=p.employee, channel=channel)
    channel.refresh_from_db()
    assert channel.approval_chain == ["unit_leader", "chief_administrator"]
    with pytest.raises(NotPermitted):
        services.channel_approve(actor=p.chief_administrator, channel=channel)
    approve_all(p, channel)
    assert status(channel) == ChannelStatus.APPROVED
    # An unknown role is not within the policy.
    with pytest.raises(ServiceError):
        policy_update(
            actor=p.communications,
            municipality=p.municipality,
            overrides={"CH-1": {"approval_chain": ["mayor"]}},
            reason="x",
        )


def test_activation_needs_an_active_main_admin(personas):
    p = personas
    channel = propose(p)
    services.channel_submit(actor=p.employee, channel=channel)
    approve_all(p, channel)
    p.employee.is_active = False
    p.employee.save()
    with pytest.raises(ServiceError) as refused:
        services.channel_activate(actor=p.communications, channel=channel)
    assert refused.value.rule == "CH-3"


def test_only_managers_activate_pause_and_retire(personas):
    p = personas
    channel = active_channel(p)
    for who in (p.unit_leader, p.archivist, p.crisis_leader):
        with pytest.raises(NotPermitted):
            services.channel_pause(actor=who, channel=channel)
    with pytest.raises(NotFound):
        services.channel_retire(actor=p.outsider, channel=channel, reason="x")
    services.channel_retire(actor=p.chief_administrator, channel=channel, reason="Ikke i bruk")
    assert status(channel) == ChannelStatus.RETIRED


def test_outsider_cannot_propose_or_edit(personas):
    p = personas
    with pytest.raises(NotFound):
        propose(p, actor=p.outsider)
    channel = propose(p)
    with pytest.raises(NotFound):
        services.channel_update(actor=p.outsider, channel=channel, name="x")
    with pytest.raises(NotPermitted):
        services.channel_update(actor=p.archivist, channel=channel, name="x")


def test_same_name_on_same_platform_is_refused(personas):
    propose(personas, name="Skolen")
    with pytest.raises(ServiceError):
        propose(personas, name="Skolen")
    propose(personas, name="Skolen", kind="instagram")


def test_record_activity_only_moves_forward(personas):
    from datetime import timedelta

    channel = active_channel(personas)
    later = channel.last_activity_at + timedelta(hours=1)
    assert services.channel_record_activity(channel_id=channel.pk, at=later)
    assert not services.channel_record_activity(channel_id=channel.pk, at=later - timedelta(days=1))
    channel.refresh_from_db()
    assert channel.last_activity_at == later
