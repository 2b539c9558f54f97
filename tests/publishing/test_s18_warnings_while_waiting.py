"""A warning that arises while a post waits for its approver (the "warn" rule, PU-10):
the approver's confirmation shows the findings as the checks read them now, and the
approval's audit entry records the warnings let through, the new ones apart — before,
the page showed the submission's findings and the approval recorded none."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ordstyrer.core.models import AuditEntry
from ordstyrer.publishing import services
from ordstyrer.publishing.models import ChannelPublishing
from ordstyrer.publishing.services import post_create, post_publish
from ordstyrer.worktime.config import OSLO
from tests.publishing.conftest import make_world

pytestmark = pytest.mark.django_db

TEXT = "Kulturhuset har åpen scene torsdag kveld. Alle er velkomne!"


def _wednesday_next_week() -> datetime:
    day = timezone.localdate() + timedelta(days=7)
    day += timedelta(days=(2 - day.weekday()) % 7)
    return datetime.combine(day, time(10), tzinfo=OSLO)


def test_a_pu10_warning_that_arose_while_waiting_is_shown_and_recorded():
    w = make_world("s18varsel", preset="midt-telemark")  # PU-10: two a working day
    ChannelPublishing.objects.create(channel=w.page, is_main_page=True, approval="communications")
    kom = w.p.communications
    at = _wednesday_next_week()

    def sent(hour: int):
        post = post_create(
            actor=w.editor,
            municipality=w.municipality,
            channel_ids=[w.page.pk],
            text=TEXT,
            publish_at=at + timedelta(hours=hour),
        )
        return post_publish(actor=w.editor, post_id=post.pk, override_reason="Viktig.")

    waiting = sent(0)  # the first of the day when it was sent: no PU-10 warning
    assert not [f for f in waiting.findings if f["rule"] == "PU-10"]
    for hour in (1, 2):
        services.post_approve(actor=kom, post_id=sent(hour).pk)

    client = Client()
    client.force_login(kom)
    url = reverse("publishing:decide", kwargs={"slug": w.municipality.slug, "pk": waiting.pk})
    page = client.get(url, {"action": "approve"}).content.decode()
    assert "PU-10" in page and "nr. 3" in page

    services.post_approve(actor=kom, post_id=waiting.pk)
    entry = AuditEntry.objects.filter(action="post_approve", object_id=str(waiting.pk)).get()
    assert "PU-10" in entry.data["warnings"]
    assert entry.data["new_warnings"] == ["PU-10"]
