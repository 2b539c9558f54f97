"""One archive record that could never be rendered stopped every later rendering (AR-1;
"one poisoned message fails alone").

The worker's `archive_render` sweep renders the records without a PDF/A document in id
order, a batch at a time. Any error but `RenderError` (WeasyPrint missing on the
machine) ended the run: the next run began with the same record, failed the same way,
and no record archived after it was ever rendered by the sweep — and the worker's log
held the exception's message, which may quote the record. Now a record that fails is
logged with its id and the error's type only, set aside, and tried again a bounded
number of times, an hour apart; the records after it are rendered."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from ordstyrer.archive import pdf
from ordstyrer.archive.models import ArchiveRendering
from ordstyrer.archive.services import archive_append
from ordstyrer.core.worker import registered_sweeps
from tests.archive.conftest import deleted_comment

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 5, 16, 12, 0, tzinfo=UTC)
SECRET = "Kari Nordmann 15038545660"


def sweep(now: datetime) -> int:
    return next(s for s in registered_sweeps() if s.name == "archive_render").func(now=now)


@pytest.fixture
def poisoned(personas, monkeypatch):
    """Three records; the renderer always fails on the first one, with an error whose
    message quotes the record. Returns the records and the failed attempts."""
    records = [
        archive_append(actor=None, entry=deleted_comment(personas, text=text, media=()))
        for text in ("Første", "Andre", "Tredje")
    ]
    attempts: list[int] = []
    render = pdf.render_record_pdf

    def fails_on_the_first(record):
        if record.pk == records[0].pk:
            attempts.append(record.pk)
            raise ValueError(f"cannot lay out {SECRET}")
        return render(record)

    monkeypatch.setattr(pdf, "render_record_pdf", fails_on_the_first)
    return records, attempts


def rendered() -> set[int]:
    return set(ArchiveRendering.objects.values_list("record_id", flat=True))


def test_a_record_that_fails_fails_alone_and_the_later_ones_are_rendered(poisoned, caplog):
    records, attempts = poisoned
    with caplog.at_level(logging.INFO, logger="ordstyrer"):
        assert sweep(NOW) == 2

    assert rendered() == {records[1].pk, records[2].pk}
    assert attempts == [records[0].pk]
    failed = [r for r in caplog.records if getattr(r, "record_id", None) == records[0].pk]
    assert failed and failed[0].levelno >= logging.WARNING
    assert failed[0].error_type == "ValueError"
    for line in caplog.records:  # the message may quote the record: never logged
        assert "Nordmann" not in line.getMessage() and not line.exc_info
        assert "Nordmann" not in str(vars(line))


def test_a_failing_record_is_tried_again_a_bounded_number_of_times(poisoned, caplog):
    records, attempts = poisoned
    sweep(NOW)
    assert sweep(NOW) == 0  # not at once again: the worker runs this every 30 seconds
    assert len(attempts) == 1

    later = NOW
    for _ in range(10):
        later += pdf.RENDER_RETRY_AFTER
        with caplog.at_level(logging.WARNING, logger="ordstyrer"):
            assert sweep(later) == 0
    assert len(attempts) == pdf.RENDER_ATTEMPTS
    given_up = [r for r in caplog.records if getattr(r, "record_id", None) == records[0].pk]
    assert given_up[-1].levelno == logging.ERROR  # the operators see the last one

    # Not rendered by the sweep any more; a download or an export still tries it.
    assert records[0].pk not in rendered()
    with pytest.raises(ValueError):
        pdf.rendering_for(records[0])
