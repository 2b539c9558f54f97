"""The demo municipality shows a calendar with a week of posts, made through the services."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ordstyrer.demo import DEMO_SLUG, setup_demo
from ordstyrer.publishing.demo import setup_demo_publishing
from ordstyrer.publishing.models import Post, PostStatus
from ordstyrer.tenants.models import Municipality

pytestmark = pytest.mark.django_db


def test_demo_week_of_posts(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    setup_demo()
    demo = Municipality.objects.get(slug=DEMO_SLUG)
    statuses = sorted(Post.objects.filter(municipality=demo).values_list("status", flat=True))
    assert statuses.count(PostStatus.PUBLISHED) == 3
    assert statuses.count(PostStatus.SCHEDULED) == 2
    assert statuses.count(PostStatus.AWAITING_APPROVAL) == 1
    assert setup_demo_publishing(demo) == 0  # idempotent
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="redaktor"))
    page = client.get(reverse("publishing:calendar", args=[DEMO_SLUG])).content.decode()
    assert "Rissa skole" in page and "Planlagt" in page
    client.force_login(get_user_model().objects.get(username="enhetsleder"))
    queue = client.get(reverse("publishing:approvals", args=[DEMO_SLUG])).content.decode()
    assert "Skolefotografen" in queue
