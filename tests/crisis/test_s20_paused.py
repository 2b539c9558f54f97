"""PU-12, CH-4: the confirmation of a paused post's resumption says what will really
happen to it. Since a post resumed at another time than the one its approver approved
goes back to that approver (`publishing.services.post_resume`), «Innlegget publiseres
<tid>» is said only where it is published then: each case below is confirmed, and the
post then is where the confirmation said."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from ordstyrer.crisis.services import crisis_declare, crisis_end
from ordstyrer.publishing.models import ChannelPublishing, Post, PostStatus
from ordstyrer.publishing.services import post_approve, post_create, post_publish
from tests.crisis.test_posts import client_for

pytestmark = pytest.mark.django_db

TEXT = "Skolen har åpen dag torsdag klokka seks. Se https://indrefosen.kommune.no/skole"
WHO = "enhetsleder eller kommunikasjon"


@pytest.fixture(autouse=True)
def _publishing_settings(settings):
    settings.META_GRAPH_BASE_URL = "http://127.0.0.1:9"  # no network: nothing there
    settings.ORDSTYRER_PUBLIC_URL = "https://ordstyrer.example.no"


@pytest.fixture
def world(db):
    from tests.publishing.conftest import make_world

    return make_world("krs20")


def _local(at: datetime) -> str:
    with translation.override("nb"):
        return date_format(timezone.localtime(at), "SHORT_DATETIME_FORMAT")


def _typed(at: datetime) -> str:
    return timezone.localtime(at).strftime("%d.%m.%Y %H:%M")


def _on_the_hour(days: int) -> datetime:
    return (timezone.localtime() + timedelta(days=days)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )


def _paused(w, *, at: datetime | None, approved: bool) -> Post:
    """The editor's post on the school page (the unit leader or communications
    approves), approved for `at` (or left waiting), paused by a crisis ended since."""
    post = post_create(
        actor=w.editor,
        municipality=w.municipality,
        channel_ids=[w.school.pk],
        text=TEXT,
        publish_at=at,
    )
    post = post_publish(actor=w.editor, post_id=post.pk)
    assert post.status == PostStatus.AWAITING_APPROVAL
    if approved:
        post = post_approve(actor=w.p.unit_leader, post_id=post.pk)
        assert post.status == PostStatus.SCHEDULED
    crisis_declare(municipality=w.municipality, name="Flom", actor=w.p.crisis_leader)
    crisis_end(municipality=w.municipality, actor=w.p.crisis_leader)
    post.refresh_from_db()
    assert post.status == PostStatus.PAUSED
    return post


@dataclass(frozen=True)
class Case:
    name: str
    approved: bool  # approved for AT before the crisis (else still waiting)
    four_eyes: bool  # on the school page
    by: str  # who resumes it: "editor" (the author) or "communications" (an approver)
    when: str  # "now", "own" (AT, the time approved), "other" (OTHER)
    said: tuple[str, ...]  # on the confirmation ({at}, {other}: the times as shown)
    not_said: tuple[str, ...]
    status: PostStatus  # where the post is once confirmed


ASKED_AGAIN_AT = (
    "Innlegget publiseres ikke uten ny godkjenning: tidspunktet er et annet enn det som "
    f"ble godkjent, så det går tilbake til godkjenning hos {WHO}. Det publiseres {{other}} "
    "hvis det er godkjent innen da, ellers straks det blir godkjent."
)
ASKED_AGAIN_NOW = (
    "Innlegget publiseres ikke nå: det ble godkjent for {at}, så det går tilbake til "
    f"godkjenning hos {WHO}, og publiseres straks det blir godkjent."
)
SELF = "Du godkjenner innlegget selv når du bekrefter."

CASES = [
    # The defect: an approved post resumed at a new time was said to be published then.
    Case(
        "approved, another time: its approver is asked again",
        approved=True,
        four_eyes=True,
        by="editor",
        when="other",
        said=(ASKED_AGAIN_AT,),
        not_said=("Innlegget publiseres {other}.", SELF),
        status=PostStatus.AWAITING_APPROVAL,
    ),
    Case(
        "approved for later, now: its approver is asked again",
        approved=True,
        four_eyes=True,
        by="editor",
        when="now",
        said=(ASKED_AGAIN_NOW,),
        not_said=("Innlegget publiseres nå.", SELF),
        status=PostStatus.AWAITING_APPROVAL,
    ),
    Case(
        "approved, four eyes, communications at another time: asked again",
        approved=True,
        four_eyes=True,
        by="communications",
        when="other",
        said=(ASKED_AGAIN_AT,),
        not_said=("Innlegget publiseres {other}.", SELF),
        status=PostStatus.AWAITING_APPROVAL,
    ),
    Case(
        "approved, its own time: published then on the approval it had",
        approved=True,
        four_eyes=True,
        by="editor",
        when="own",
        said=("Innlegget publiseres {at}.",),
        not_said=("godkjenning", SELF),
        status=PostStatus.SCHEDULED,
    ),
    Case(
        "approved, no four eyes, an approver at another time: approved by resuming",
        approved=True,
        four_eyes=False,
        by="communications",
        when="other",
        said=("Innlegget publiseres {other}.", SELF),
        not_said=("godkjenning hos",),
        status=PostStatus.SCHEDULED,
    ),
    Case(
        "waiting, no four eyes, an approver at another time: approved by resuming",
        approved=False,
        four_eyes=False,
        by="communications",
        when="other",
        said=("Innlegget publiseres {other}.", SELF),
        not_said=("godkjenning hos",),
        status=PostStatus.SCHEDULED,
    ),
    Case(
        "waiting, the author at another time: back to approval",
        approved=False,
        four_eyes=True,
        by="editor",
        when="other",
        said=(
            f"Innlegget publiseres ikke nå: det går tilbake til godkjenning hos {WHO}. "
            "Det publiseres {other} hvis det er godkjent innen da",
        ),
        not_said=("Innlegget publiseres {other}.", "ble godkjent", SELF),
        status=PostStatus.AWAITING_APPROVAL,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_pu12_ch4_the_resume_confirmation_says_what_happens(
    world, django_capture_on_commit_callbacks, case
):
    w = world
    at, other = _on_the_hour(2), _on_the_hour(3)
    if not case.four_eyes:
        ChannelPublishing.objects.filter(channel=w.school).update(four_eyes=False)
    post = _paused(w, at=at, approved=case.approved)
    actor = w.editor if case.by == "editor" else w.p.communications
    client = client_for(actor)
    url = f"/m/{w.municipality.slug}/krise/pause/{post.pk}/"
    prefix = f"p{post.pk}"
    choice = {f"{prefix}-decision": "resume_now"}
    if case.when != "now":
        choice = {
            f"{prefix}-decision": "resume_at",
            f"{prefix}-publish_at": _typed(at if case.when == "own" else other),
        }
    if case.by == "editor":
        choice["from"] = "post"  # the author decides from the post's page

    page = client.post(url, choice)
    assert page.status_code == 200
    body = " ".join(page.content.decode().split())
    times = {"at": _local(at), "other": _local(other)}
    for sentence in case.said:
        assert sentence.format(**times) in body
    for sentence in case.not_said:
        assert sentence.format(**times) not in body
    assert Post.objects.get(pk=post.pk).status == PostStatus.PAUSED  # nothing done yet

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(url, {**choice, "confirm": "yes"})
    assert done.status_code == 302
    post.refresh_from_db()
    assert post.status == case.status  # what the confirmation said
    if case.status == PostStatus.SCHEDULED:
        assert post.publish_at == (other if case.when == "other" else at)
    if SELF in case.said:
        assert post.approved_by_id == actor.pk
