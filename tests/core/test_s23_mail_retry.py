"""A notice hit by a short mail-relay outage was lost for good (PU-12, CH-1, DI-10).

`core.mail.send` raised `MailNotSent` when the relay could not be reached; the task was
marked failed and nothing ever queued it again, so a crisis leader was never told that
a post waited for them. Now a task declared with `mail_task` tells a passing failure (no
connection, a dropped one, a 4xx answer) from a refusal for good (5xx) and is queued
again after 1, 5, 15, 30, 60 and 120 minutes, sending only to the recipients no earlier
attempt reached or had refused for good; the last failure fails the task, at ERROR."""

from __future__ import annotations

import json
import logging
import smtplib
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from ordstyrer.core.mail import RETRY_AFTER, MailNotSent, addresses, mail_task, send
from ordstyrer.core.worker import SweepRunner
from ordstyrer.publishing.models import Post, PostStatus
from tests.core.test_s21_mail_send import run_worker, waiting_post_with_a_deputy
from tests.factories import UserFactory

# address → the code the relay answers at RCPT (451: try again later; 550: never)
ANSWERS: dict[str, int] = {}


class AnsweringBackend(LocmemBackend):
    """The test outbox behind a relay that answers some addresses with a code in ANSWERS."""

    def send_messages(self, messages):
        count = 0
        for message in messages:
            code = ANSWERS.get(message.to[0])
            if code is not None:
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (code, b"refused")})
            count += super().send_messages([message])
        return count


@mail_task
def tell(user_ids: list[int]) -> int:
    """A mail task as the apps declare theirs: ids in, `send` inside."""
    from django.contrib.auth import get_user_model

    people = get_user_model().objects.filter(pk__in=user_ids).order_by("pk")
    return send(lambda: ("Emne", "Tekst"), addresses(people))


@pytest.fixture(autouse=True)
def _setup(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EMAIL_BACKEND = "tests.core.test_s23_mail_retry.AnsweringBackend"
    ANSWERS.clear()
    yield
    ANSWERS.clear()


def _queued() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(status="READY").order_by("run_after"))


def _mail_records(caplog, level: int) -> list[dict]:
    return [r.__dict__ for r in caplog.records if r.name == "ordstyrer.mail" and r.levelno == level]


def crisis_notices() -> list[str]:
    """Who got the crisis notice (other mail the sweeps send meanwhile — on PostgreSQL the
    world's other notices can fall in the outage too and arrive with their own retry — is
    not this test's business)."""
    return sorted(m.to[0] for m in mail.outbox if "venter på godkjenning" in m.subject)


@pytest.mark.django_db(transaction=True)
def test_the_crisis_notice_arrives_once_after_the_relay_comes_back(settings) -> None:
    world, deputy, queued = waiting_post_with_a_deputy(settings, "krretry")
    # The relay is being restarted: nothing listens, the connection is refused.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    run_worker()
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"  # not failed: tried again
    [again] = _queued()
    assert again.task_path == queued.task_path
    assert timedelta(seconds=50) < again.run_after - timezone.now() <= RETRY_AFTER[0]
    assert "@" not in json.dumps(again.args_kwargs)  # no address in the queue's record

    # The relay is back; the worker and its sweeps keep running.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox.clear()
    run_worker()
    assert mail.outbox == []  # not before its time
    with time_machine.travel(timezone.now() + timedelta(minutes=2), tick=True):
        SweepRunner().run_due()
        run_worker()
        told = crisis_notices()
        assert told == sorted([world.p.crisis_leader.email, deputy.email])
    with time_machine.travel(timezone.now() + timedelta(hours=5), tick=True):
        SweepRunner().run_due()
        run_worker()
    assert crisis_notices() == told  # once each
    assert _queued() == []
    assert Post.objects.filter(status=PostStatus.AWAITING_CRISIS_APPROVAL).exists()


@pytest.mark.django_db(transaction=True)
def test_only_those_not_reached_are_tried_again_and_a_refusal_for_good_never(caplog) -> None:
    caplog.set_level(logging.WARNING, logger="ordstyrer.mail")
    got, busy, gone = (UserFactory(email=f"{n}@kommune.no") for n in ("fikk", "full", "borte"))
    ANSWERS.update({busy.email: 451, gone.email: 550})
    tell.enqueue([got.pk, busy.pk, gone.pk])
    run_worker()
    assert [m.to[0] for m in mail.outbox] == [got.email]
    warned = {
        w["user_id"]: w["passing"] for w in _mail_records(caplog, logging.WARNING) if "user_id" in w
    }
    assert warned == {busy.pk: True, gone.pk: False}
    assert len(_queued()) == 1

    ANSWERS.pop(busy.email)  # the relay has room again; the removed mailbox stays removed
    with time_machine.travel(timezone.now() + timedelta(minutes=2), tick=True):
        run_worker()
    assert [m.to[0] for m in mail.outbox] == [got.email, busy.email]
    assert _queued() == []
    assert DBTaskResult.objects.filter(status="FAILED").count() == 0


@pytest.mark.django_db(transaction=True)
def test_after_the_last_attempt_the_task_fails_at_error(caplog) -> None:
    caplog.set_level(logging.WARNING, logger="ordstyrer.mail")
    got, busy = UserFactory(email="fikk@kommune.no"), UserFactory(email="full@kommune.no")
    ANSWERS[busy.email] = 421
    tell.enqueue([got.pk, busy.pk])
    at = timezone.now()
    run_worker()
    for pause in RETRY_AFTER:
        at += pause + timedelta(seconds=1)
        with time_machine.travel(at, tick=True):
            run_worker()
    assert _queued() == []
    results = list(DBTaskResult.objects.order_by("enqueued_at"))
    assert len(results) == len(RETRY_AFTER) + 1
    assert [r.status for r in results] == ["SUCCESSFUL"] * len(RETRY_AFTER) + ["FAILED"]
    assert results[-1].exception_class_path.endswith("MailNotSent")
    assert [m.to[0] for m in mail.outbox] == [got.email]  # once, in the first attempt
    [given_up] = _mail_records(caplog, logging.ERROR)
    assert given_up["attempt"] == len(RETRY_AFTER) + 1 and given_up["not_sent"] == 1


@pytest.mark.django_db
def test_a_backend_that_cannot_wait_fails_the_task_at_once(settings, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="ordstyrer.mail")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    busy = UserFactory(email="full@kommune.no")
    ANSWERS[busy.email] = 451
    result = tell.enqueue([busy.pk])
    assert result.status == "FAILED"
    assert result.errors[0].exception_class_path.endswith("MailNotSent")
    assert len(_mail_records(caplog, logging.ERROR)) == 1


def test_outside_a_mail_task_send_fails_as_before(settings) -> None:
    ANSWERS["full@kommune.no"] = 451
    with pytest.raises(MailNotSent):
        send(lambda: ("Emne", "Tekst"), ["full@kommune.no"])
