"""Issue #18: poison isolation in the task worker. A task that raises — RecursionError
and MemoryError included — is marked failed alone, and the worker goes on with the next
one. A guard, not a regression: django-tasks-db already does this. It never retries a
task, so there is no attempt count to cap; a task whose worker dies stays `running` and
is not taken again."""

from __future__ import annotations

import pytest
from django_tasks import task
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

DONE: list[str] = []


@task()
def poisoned(*, kind: str) -> None:
    raise {"recursion": RecursionError, "memory": MemoryError, "key": KeyError}[kind]("boom")


@task()
def ordinary(*, name: str) -> str:
    DONE.append(name)
    return name


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["recursion", "memory", "key"])
def test_a_task_that_raises_fails_alone_and_the_next_one_runs(settings, kind: str) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    DONE.clear()
    bad = poisoned.enqueue(kind=kind)
    good = ordinary.enqueue(name=f"etter-{kind}")
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
    assert DBTaskResult.objects.get(id=bad.id).status == "FAILED"
    assert DBTaskResult.objects.get(id=good.id).status == "SUCCESSFUL"
    assert DONE == [f"etter-{kind}"]
