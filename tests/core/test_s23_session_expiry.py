"""Expired login sessions were never deleted (PU-1; GDPR art. 5(1)(e)).

docs/privacy.md promises that `django_session` keeps the single sign-on ID token (the
person's name, e-mail and groups) "until the session ends (an SSO session: 10 hours)".
Sessions live in the database, and nothing ran Django's `clearsessions`: a session that
ended because its expiry passed stayed in the table, token and all, for ever. Each worker
now deletes expired sessions in a sweep (hourly); a session still valid is kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from ordstyrer.core.worker import SweepRunner, registered_sweeps

pytestmark = pytest.mark.django_db

TOKEN = "eyJ.kari-nordmann.kari@testby.kommune.no"


def sso_session(*, expires_in: timedelta) -> str:
    store = SessionStore()
    store["oidc_id_token"] = TOKEN
    store.set_expiry(timezone.now() + timedelta(hours=10))
    store.save()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() + expires_in
    )
    return str(store.session_key)


# The worker's own round (`run_due` closes stale connections between sweeps, which ends a
# test's transaction on PostgreSQL): a test that commits.
@pytest.mark.django_db(transaction=True)
def test_the_worker_deletes_an_expired_sso_session_and_keeps_a_live_one():
    ended = sso_session(expires_in=-timedelta(minutes=1))
    live = sso_session(expires_in=timedelta(hours=9))

    SweepRunner().run_due()

    assert not Session.objects.filter(session_key=ended).exists()
    assert TOKEN in Session.objects.get(session_key=live).get_decoded()["oidc_id_token"]


def test_the_session_sweep_runs_hourly_and_again_harmlessly():
    (sweep,) = [s for s in registered_sweeps() if "session" in s.name]
    assert sweep.every <= 3600 and not sweep.own_thread
    ended = sso_session(expires_in=-timedelta(seconds=1))
    sweep.func(now=timezone.now())
    sweep.func(now=timezone.now())  # idempotent: nothing left to delete
    assert not Session.objects.filter(session_key=ended).exists()
