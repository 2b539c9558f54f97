"""The crisis leader's "waiting for you" e-mail (PU-12) is queued as
`ordstyrer.crisis.tasks.crisis_waiting_notify`, beside the app's other tasks, and a task
queued under its old path (`ordstyrer.crisis.notifications.crisis_waiting_notify`)
before an upgrade still runs.

django-tasks stores each queued task's import path and the worker imports it back; a
path that no longer imports is marked failed (ImportError), so the e-mail would be lost.
Through the database backend and its worker, as `ordstyrer worker` runs them."""

from __future__ import annotations

import pytest
from django.core import mail
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from ordstyrer.crisis.services import crisis_declare
from ordstyrer.publishing.models import PostStatus
from ordstyrer.publishing.services import post_create, post_publish
from tests.publishing.conftest import make_world

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PATH = "ordstyrer.crisis.tasks.crisis_waiting_notify"
OLD_PATH = "ordstyrer.crisis.notifications.crisis_waiting_notify"
SUBJECT = "Et innlegg venter på godkjenning fra kriseleder"
TEXT = (
    "Kokevarselet gjelder fortsatt for Elvdalen. Kok vannet i ett minutt før du drikker det. "
    "Les mer på https://indrefosen.kommune.no/vann"
)


@pytest.fixture(autouse=True)
def _database_queue(settings):
    """Queued tasks wait in the database until a worker runs them; no platform."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.META_GRAPH_BASE_URL = "http://127.0.0.1:9"


def run_worker() -> None:
    Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    ).run()


def waiting_post_queued():
    """A post held by crisis mode: the notice to the crisis leader is queued, not sent."""
    world = make_world("krtask")
    crisis_declare(municipality=world.municipality, name="Flom", actor=world.p.crisis_leader)
    post = post_create(
        actor=world.editor,
        municipality=world.municipality,
        channel_ids=[world.page.pk],
        text=TEXT,
    )
    mail.outbox.clear()
    post = post_publish(actor=world.editor, post_id=post.pk)
    assert post.status == PostStatus.AWAITING_CRISIS_APPROVAL
    queued = DBTaskResult.objects.filter(task_path__endswith=".crisis_waiting_notify").get()
    assert queued.args_kwargs["kwargs"] == {"kind": "post", "object_id": post.pk}
    assert mail.outbox == []
    return world, queued


def sent_to(user) -> list[str]:
    return [m.subject for m in mail.outbox if m.to == [user.email]]


def test_the_notice_is_queued_under_the_crisis_apps_tasks_and_runs():
    world, queued = waiting_post_queued()
    assert queued.task_path == NEW_PATH
    run_worker()
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    assert sent_to(world.p.crisis_leader) == [SUBJECT]


def test_a_notice_queued_under_the_old_path_before_an_upgrade_still_runs():
    world, queued = waiting_post_queued()
    DBTaskResult.objects.filter(pk=queued.pk).update(task_path=OLD_PATH)
    run_worker()
    queued.refresh_from_db()
    assert queued.status == "SUCCESSFUL"
    assert sent_to(world.p.crisis_leader) == [SUBJECT]


def test_a_path_that_does_not_import_fails_visibly_and_is_kept():
    # Why the old name stays: the worker does not drop such a task, it marks it failed —
    # and the e-mail is never sent.
    world, queued = waiting_post_queued()
    DBTaskResult.objects.filter(pk=queued.pk).update(
        task_path="ordstyrer.crisis.notifications.no_such_task"
    )
    run_worker()
    queued.refresh_from_db()
    assert queued.status == "FAILED"
    assert queued.exception_class_path.endswith("ImportError")
    assert sent_to(world.p.crisis_leader) == []
