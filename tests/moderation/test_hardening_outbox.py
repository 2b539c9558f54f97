"""Issue #18: poison isolation in the moderation outbox (MO-2). An op whose run kills
its worker every time used to be re-claimed after every lease for ever (nothing capped
the claims of a `running` op), and one op that raised stopped the rest of the sweep.
Now MAX_ATTEMPTS is enforced on claim, the op is failed for a human with its reason
(the action fails, as for any permanent error), and the other ops run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ordstyrer.moderation import outbox
from ordstyrer.moderation.models import ActionStatus, ModerationAction, OpKind, OpStatus, PlatformOp
from ordstyrer.moderation.services import comment_delete
from tests.moderation.conftest import citizen_comment, on_platform

pytestmark = pytest.mark.django_db

SPAM = "Tjen 5000 kr i uka hjemmefra!!! Klikk her: bit.ly/rask-gevinst"
OTHER = "Kjøp billige klokker her: bit.ly/klokker-billig"
WHY = "Reklame, lagt inn på flere innlegg."


def test_an_op_that_kills_its_worker_every_time_is_given_up_and_the_others_run(
    world, clock, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    bad = citizen_comment(world.channel, SPAM)
    good = citizen_comment(world.channel, OTHER, author=("sim-user-902", "Kari Nordmann"))
    real = outbox.perform

    def perform(op, connector, **kwargs):
        if op.action.item_id == bad.pk:
            raise RecursionError("maximum recursion depth exceeded")  # every time
        return real(op, connector, **kwargs)

    monkeypatch.setattr(outbox, "perform", perform)
    for item in (bad, good):
        try:
            with django_capture_on_commit_callbacks(execute=True):
                comment_delete(actor=world.admin, item=item, ground="spam", justification=WHY)
        except RecursionError:
            pass  # the task's worker "died"; the lease is left to run out

    for _ in range(outbox.MAX_ATTEMPTS + 2):
        clock.shift(outbox.LEASE + timedelta(seconds=1))
        with django_capture_on_commit_callbacks(execute=True):
            outbox.outbox_sweep(now=timezone.now())

    capture = PlatformOp.objects.get(action__item=bad, kind=OpKind.CAPTURE)
    assert capture.status == OpStatus.FAILED
    assert capture.attempts == outbox.MAX_ATTEMPTS  # never claimed past the limit
    assert "Gitt opp etter" in capture.last_error
    assert ModerationAction.objects.get(item=bad).status == ActionStatus.FAILED
    assert on_platform(world.channel, bad.platform_id)["removed"] is False
    # The other deletion went through beside it.
    assert ModerationAction.objects.get(item=good).status == ActionStatus.DONE
    assert on_platform(world.channel, good.platform_id)["removed"] is True
    assert not PlatformOp.objects.filter(status=OpStatus.RUNNING).exists()


def test_one_op_that_raises_does_not_stop_the_sweep(
    world, clock, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    bad = citizen_comment(world.channel, SPAM)
    good = citizen_comment(world.channel, OTHER, author=("sim-user-903", "Per Hansen"))
    monkeypatch.setattr(outbox, "FIRST_ATTEMPT_GRACE", timedelta(0))
    for item in (bad, good):  # queued, their tasks lost
        comment_delete(actor=world.admin, item=item, ground="spam", justification=WHY)
    real = outbox.run_claimed

    def run_claimed(*, op_id, **kwargs):
        if PlatformOp.objects.get(pk=op_id).action.item_id == bad.pk:
            raise MemoryError
        return real(op_id=op_id, **kwargs)

    monkeypatch.setattr(outbox, "run_claimed", run_claimed)
    clock.shift(timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        outbox.outbox_sweep(now=timezone.now())
    good_capture = PlatformOp.objects.get(action__item=good, kind=OpKind.CAPTURE)
    assert good_capture.status == OpStatus.DONE
