"""Benchmark the inbox pages on a large inbox: p50/p95 and the query count per page.

Loads N items (default 1,000,000) across 50 channels of one municipality with the bulk
path (COPY on PostgreSQL, bulk_create on SQLite), then requests the work list (with
each filter, the next page, the urgency order and two searches) and item pages through Django's test client as the
communications advisor: three items spread over the table, and a thread of seven
comments with the page's answer, notes and an earlier version (added once, kept with the
data). Besides wall time it reports this process's CPU time per request, which a loaded
machine inflates less.

Then the daily digest's sweep on the same inbox (#15; it runs every 5 minutes from 07:00
to midnight): the run that claims the digests, one person's digest (communications,
main administrator of every channel), a run while someone could still get one, and a
run after everyone has today's; beside them the full listing (`digest_lines`) every run
read before, item by item. Wall and CPU time, queries and inbox items built; all in one
transaction rolled back, so no mark stays and nothing is mailed. `--digest-only` skips
the pages.

It runs in a scratch database of its own, made like the test database and migrated —
never the installation's (the one DATABASE_URL names, or the data directory's SQLite file
that `bin/dev start` serves): PostgreSQL `ordstyrer_bench_inbox` on the server DATABASE_URL
points at; without DATABASE_URL a SQLite file `ordstyrer-bench-inbox.sqlite3` in the
system's temporary directory (TMPDIR). The data is kept there between runs (same N:
reused; bench/web.py reads it too) unless --drop removes the database at the end.

Run:  DATABASE_URL=postgres://postgres@127.0.0.1:5432/test \
        .venv/bin/python bench/inbox.py [N] [--requests R] [--fresh] [--preset ID] [--drop]
        [--digest-only]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "src")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("ORDSTYRER_ACCESS_LOG_LEVEL", "WARNING")  # readable output

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models.signals import post_init  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_databases,
    teardown_databases,
)

from ordstyrer.channels.models import Channel, ChannelMembership  # noqa: E402
from ordstyrer.inbox import deadlines, digest, workflow  # noqa: E402
from ordstyrer.inbox.models import DigestMark, InboxItem, ItemEvent, Reply  # noqa: E402
from ordstyrer.inbox.selectors import NOT_WAITING  # noqa: E402
from ordstyrer.inbox.transitions import calendar_for  # noqa: E402
from ordstyrer.inbox.triage import CATEGORY_LABELS  # noqa: E402
from ordstyrer.tenants.models import Municipality, RoleAssignment  # noqa: E402

SLUG = "bench-inbox"
# The benchmark's own database (bench/web.py uses the same one): a name no installation
# and no test run uses (those are `test_<name>`).
SCRATCH = "ordstyrer_bench_inbox"
SQLITE_SCRATCH = "ordstyrer-bench-inbox.sqlite3"
JSON_COLUMNS = ("categories", "personal_data", "triage")
CHANNELS = 50


def _open_share(age_seconds: int) -> float:
    """How likely an item of this age still waits for an answer: most of the last two
    days, some of the last two weeks, a long tail of forgotten ones."""
    days = age_seconds / 86400
    return 0.6 if days < 2 else 0.05 if days < 14 else 0.002


CATEGORIES = list(CATEGORY_LABELS)
TEXTS = [
    "Når åpner svømmehallen igjen etter ferien?",
    "Tusen takk for god hjelp på servicetorget i dag!",
    "Kor tid kjem brøytebilen til Øvre Dal?",
    "Det stemmer ikke at skolen legges ned, det står i saksframlegget.",
    "Jeg har søkt om byggetillatelse og hører ingenting. Hva skjer?",
    "Hvorfor er det ikke strøing på fortauet ved skolen?",
]
COLUMNS = (
    "municipality_id",
    "channel_id",
    "kind",
    "platform_id",
    "post_id",
    "parent_platform_id",
    "listed",
    "from_page",
    "author_platform_id",
    "author_name",
    "author_url",
    "text",
    "permalink",
    "edited",
    "hidden",
    "text_seen_at",
    "platform_created_at",
    "received_at",
    "category",
    "categories",
    "personal_data",
    "written_standard",
    "action",
    "triage",
    "triaged_at",
    "status",
    "open",
    "status_changed_at",
    "close_reason",
    "assignee_id",
    "reported",
    "started_at",
    "resolution_started_at",
    "first_response_due",
    "resolution_due",
    "due_at",
    "warn_at",
    "deadline_policy_version",
    "first_responded_at",
    "resolved_at",
    "first_response_seconds",
    "resolution_seconds",
    "first_response_in_time",
    "resolution_in_time",
    "reopened_count",
)


@contextmanager
def scratch_database(*, drop: bool = False) -> Iterator[None]:
    """Point this process at the benchmark's scratch database (module docstring), made
    and migrated as a test database is; an existing one is reused with its data. The
    installation's database is never opened. `drop`: removed at the end."""
    if connection.vendor == "sqlite":
        name = str(Path(tempfile.gettempdir()) / SQLITE_SCRATCH)
    else:
        name = SCRATCH
    connection.settings_dict["TEST"]["NAME"] = name
    old = setup_databases(
        verbosity=0,
        interactive=False,
        keepdb=True,
        aliases={"default"},
        serialized_aliases=set(),  # never read a million rows into a string
    )
    try:
        yield
    finally:
        teardown_databases(old, verbosity=0, keepdb=not drop)


def _setup(n: int, fresh: bool) -> tuple[Municipality, object]:
    User = get_user_model()
    municipality = Municipality.objects.filter(slug=SLUG).first()
    if municipality is not None and not fresh:
        have = bulk_items(municipality).count()
        if have == n:
            print(f"reusing {have:,} items in «{SLUG}»")
            return municipality, User.objects.get(username=f"{SLUG}-kom")
    if municipality is not None:
        print("removing the previous bench municipality …")
        with connection.cursor() as cursor:
            for table in ("inbox_reply", "inbox_itemevent", "inbox_itemversion"):
                cursor.execute(
                    f"DELETE FROM {table} WHERE item_id IN "  # noqa: S608 - our own names
                    "(SELECT id FROM inbox_inboxitem WHERE municipality_id = %s)",
                    [municipality.pk],
                )
            cursor.execute(
                "DELETE FROM inbox_inboxitem WHERE municipality_id = %s", [municipality.pk]
            )
        municipality.delete()
    municipality = Municipality.objects.create(
        slug=SLUG, name="Benkemark kommune", preset="gausdal"
    )
    user = User.objects.filter(username=f"{SLUG}-kom").first() or User.objects.create_user(
        username=f"{SLUG}-kom",
        first_name="Kari",
        password="bench-only-password",  # noqa: S106
    )
    RoleAssignment.objects.get_or_create(
        user=user, municipality=municipality, role="communications"
    )
    RoleAssignment.objects.get_or_create(user=user, municipality=municipality, role="employee")
    now = datetime.now(UTC)
    # Bench set-up writes channel rows directly: the approval workflow is not measured here.
    Channel.objects.bulk_create(
        Channel(
            municipality=municipality,
            kind="simulated",
            name=f"Kanal {i:02d}",
            status="active",
            created_at=now,
        )
        for i in range(CHANNELS)
    )
    channels = list(Channel.objects.filter(municipality=municipality).order_by("pk"))
    ChannelMembership.objects.bulk_create(
        ChannelMembership(channel=c, user=user, role="main_admin", granted_at=now) for c in channels
    )
    _load(municipality, [c.pk for c in channels], user.pk, n, now)
    return municipality, user


def _rows(municipality_id: int, channel_ids: list[int], user_id: int, n: int, now: datetime):
    rng = random.Random(20260402)
    targets = deadlines.Targets(7.5, 7.5)
    span = 2 * 365 * 24 * 3600
    for i in range(n):
        age = rng.randrange(span)
        received = now - timedelta(seconds=age)
        channel = channel_ids[i % len(channel_ids)]
        is_open = rng.random() < _open_share(age)
        status = (
            workflow.NEW if is_open else rng.choice([workflow.ANSWERED] * 6 + [workflow.CLOSED])
        )
        clocks = deadlines.compute(status=status, started_at=received, targets=targets)
        answered = None if is_open else received + timedelta(hours=rng.uniform(0.2, 40))
        seconds = None if answered is None else int((answered - received).total_seconds() * 0.3)
        in_time = None if answered is None else answered <= clocks.resolution_due
        category = rng.choice(CATEGORIES)
        parent = f"b{i - 1}" if i % 7 == 3 else ""
        yield (
            municipality_id,
            channel,
            "reply" if parent else "comment",
            f"b{i}",
            f"post-{i // 40}",
            parent,
            True,
            False,
            f"user-{rng.randrange(5000)}",
            f"Innbygger {rng.randrange(5000)}",
            "",
            rng.choice(TEXTS),
            "",
            False,
            False,
            received,
            received,
            received,
            category,
            f'["{category}"]',
            "[]",
            rng.choice(["nb", "nb", "nb", "nn"]),
            "answer",
            "{}",
            received,
            status,
            is_open,
            answered or received,
            "" if is_open or status != "closed" else "no_reply_needed",
            user_id if rng.random() < 0.2 else None,
            False,
            received,
            received,
            clocks.first_response_due,
            clocks.resolution_due,
            clocks.due_at,
            clocks.warn_at,
            0,
            answered,
            answered,
            seconds,
            seconds,
            in_time,
            in_time,
            0,
        )


def _load(
    municipality: Municipality, channel_ids: list[int], user_id: int, n: int, now: datetime
) -> None:
    started = time.perf_counter()
    rows = _rows(municipality.pk, channel_ids, user_id, n, now)
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cursor:
            raw = cursor.cursor  # psycopg 3 cursor under Django's wrapper
            with raw.copy(f"COPY inbox_inboxitem ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for count, row in enumerate(rows, 1):
                    copy.write_row(row)
                    if count % 100_000 == 0:
                        print(f"  {count:,} rows …", flush=True)
        with connection.cursor() as cursor:  # what autovacuum does after a big load
            cursor.execute("VACUUM ANALYZE inbox_inboxitem")
    else:
        batch: list[InboxItem] = []
        for row in rows:
            values = dict(zip(COLUMNS, row, strict=True))
            for name in JSON_COLUMNS:
                values[name] = json.loads(values[name])
            batch.append(InboxItem(**values))
            if len(batch) == 5000:
                InboxItem.objects.bulk_create(batch)
                batch.clear()
        InboxItem.objects.bulk_create(batch)
    print(f"loaded {n:,} items in {time.perf_counter() - started:.1f} s ({connection.vendor})")
    # A few replies so item pages show threads with our answers.
    items = list(InboxItem.objects.filter(municipality=municipality, open=False)[:2000])
    Reply.objects.bulk_create(
        Reply(
            item=i,
            author_id=user_id,
            text="Takk for spørsmålet! Hilsen Kari",
            effect="answer",
            status="sent",
            created_at=i.resolved_at or now,
            sent_at=i.resolved_at,
        )
        for i in items
    )


THREAD_ID = "bench-thread"
THREAD_POST = "bench-thread-post"


def bulk_items(municipality: Municipality):
    """The N loaded items, without the thread `_thread` adds."""
    return InboxItem.objects.filter(municipality=municipality).exclude(post_id=THREAD_POST)


def _thread(municipality: Municipality, user_id: int, now: datetime) -> int:
    """A realistic item page: a question with six replies from other citizens under it,
    the page's answer, a note per reply and an edit; made once, kept with the data."""
    channel = Channel.objects.filter(municipality=municipality).order_by("pk").first()
    found = InboxItem.objects.filter(channel=channel, platform_id=THREAD_ID).first()
    if found is not None:
        return found.pk
    received = now - timedelta(hours=3)
    targets = deadlines.Targets(7.5, 7.5)
    clocks = deadlines.compute(status=workflow.NEW, started_at=received, targets=targets)

    def item(n: int, text: str, parent: str = "") -> InboxItem:
        at = received + timedelta(minutes=7 * n)
        return InboxItem(
            municipality=municipality,
            channel=channel,
            kind="reply" if parent else "comment",
            platform_id=f"{THREAD_ID}-{n}" if n else THREAD_ID,
            post_id=THREAD_POST,
            parent_platform_id=parent,
            listed=True,
            author_platform_id=f"user-t{n}",
            author_name=f"Innbygger T{n}",
            text=text,
            edited=n == 0,
            text_seen_at=at,
            platform_created_at=at,
            received_at=at,
            category="question",
            categories=["question"],
            written_standard="nb",
            action="answer",
            triage={"grounds": [], "action_text": "Svar på spørsmålet (DI-1)."},
            triaged_at=at,
            status=workflow.NEW,
            open=True,
            status_changed_at=at,
            started_at=at,
            resolution_started_at=at,
            first_response_due=clocks.first_response_due,
            resolution_due=clocks.resolution_due,
            due_at=clocks.due_at,
            warn_at=clocks.warn_at,
        )

    root = item(0, TEXTS[0])
    root.save()
    InboxItem.objects.bulk_create(item(n, TEXTS[n % len(TEXTS)], THREAD_ID) for n in range(1, 7))
    root.versions.create(text="Når åpner svømmehallen?", original=True, seen_at=received)
    root.versions.create(text=TEXTS[0], original=False, seen_at=received + timedelta(minutes=2))
    Reply.objects.create(
        item=root,
        author_id=user_id,
        text="Svømmehallen åpner mandag. Hilsen Kari",
        effect="answer",
        status="sent",
        platform_id=f"{THREAD_ID}-answer",
        created_at=received + timedelta(hours=1),
        sent_at=received + timedelta(hours=1),
    )
    root.events.bulk_create(
        ItemEvent(
            item=root,
            action="note",
            actor_id=user_id,
            text=f"Notat {n}",
            at=received + timedelta(minutes=10 * n),
        )
        for n in range(1, 7)
    )
    return root.pk


def _measure(client: Client, url: str, requests: int) -> tuple[float, float, float, float, int]:
    """(wall p50, wall p95, cpu p50, cpu p95, queries) in ms. CPU is this process's time
    per request: on a shared machine the wall time also counts waiting for a core."""
    client.get(url)  # warm
    walls, cpus = [], []
    queries = 0
    for _ in range(requests):
        with CaptureQueriesContext(connection) as captured:
            started, cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            walls.append((time.perf_counter() - started) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} → {response.status_code}")
        queries = len(captured)
    return (*_p50_p95(walls), *_p50_p95(cpus), queries)


def _p50_p95(values: list[float]) -> tuple[float, float]:
    values = sorted(values)
    return statistics.median(values), values[min(len(values) - 1, round(0.95 * len(values)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--fresh", action="store_true", help="reload the items")
    parser.add_argument(
        "--preset",
        default="gausdal",
        help="the municipality's preset (gausdal: no deletion grounds; indre-fosen: the "
        "moderation panel with its delete and ban forms)",
    )
    parser.add_argument(
        "--drop", action="store_true", help="remove the scratch database at the end"
    )
    parser.add_argument(
        "--digest-only", action="store_true", help="measure the digest sweep, not the pages"
    )
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    with scratch_database(drop=args.drop):
        run(args)


def run(args: argparse.Namespace) -> None:
    print(f"scratch database: {connection.settings_dict['NAME']} ({connection.vendor})")
    municipality, user = _setup(args.n, args.fresh)
    if municipality.preset != args.preset:  # only the pages read it; the data stays
        municipality.preset = args.preset
        municipality.save(update_fields=["preset"])
    if not args.digest_only:
        _pages(args, municipality, user)
    _digest(municipality, user)


def _pages(args: argparse.Namespace, municipality: Municipality, user) -> None:
    client = Client()
    client.force_login(user)
    base = f"/m/{municipality.slug}/innboks/"
    channel = Channel.objects.filter(municipality=municipality).order_by("pk").first()
    first_page = client.get(base)
    cursor = first_page.context["page"].next_cursor if first_page.context else None
    # Three items spread over the table (the ids of a bulk load are contiguous).
    ids = bulk_items(municipality).values_list("pk", flat=True)
    first, last = ids.order_by("pk")[0], ids.order_by("-pk")[0]
    items = [first + (last - first) * k // 4 for k in (1, 2, 3)]
    thread = _thread(municipality, user.pk, datetime.now(UTC))
    pages = [
        ("list: open, by deadline", base),
        ("list: one channel", f"{base}?kanal={channel.pk}"),
        ("list: one category", f"{base}?kategori=question"),
        ("list: overdue", f"{base}?frist=passert"),
        ("list: mine", f"{base}?mine=1"),
        ("list: all, newest first", f"{base}?vis=all"),
        ("list: next page (keyset)", f"{base}?etter={cursor}" if cursor else base),
        ("list: by urgency (hast)", f"{base}?sorter=hast"),
        ("list: search, a word", f"{base}?q=sv%C3%B8mmehallen"),
        ("list: search, all, no match", f"{base}?vis=all&q=finnesikke"),
        *[(f"item page #{pk}", f"{base}{pk}/") for pk in items[:3]],
        ("item page, thread of 7", f"{base}{thread}/"),
    ]
    total = bulk_items(municipality).count()
    print(
        f"\n{total:,} items, {CHANNELS} channels, {connection.vendor}; {args.requests} requests each"
    )
    print(f"{'page':<28} {'p50 ms':>8} {'p95 ms':>8} {'cpu p50':>8} {'cpu p95':>8} {'queries':>8}")
    worst = 0.0
    for label, url in pages:
        p50, p95, cpu50, cpu95, queries = _measure(client, url, args.requests)
        worst = max(worst, p95)
        print(f"{label:<28} {p50:8.1f} {p95:8.1f} {cpu50:8.1f} {cpu95:8.1f} {queries:8d}")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"\nworst p95: {worst:.1f} ms (goal < 100 ms); load average {load} on {os.cpu_count()} cores"
    )


OSLO = ZoneInfo("Europe/Oslo")
DIGEST_RUNS = 5


def _digest_time(municipality: Municipality) -> datetime:
    """Now, or 11:00 Oslo time on the next working day when today is not one (or it is
    before 07:00): a time the digest is sent."""
    now = datetime.now(OSLO)
    day = now.date()
    calendar = calendar_for(municipality)
    while not calendar.is_working_day(day):
        day += timedelta(days=1)
    if day == now.date() and now.time() >= digest.SEND_FROM:
        return now
    return datetime.combine(day, clock(11, 0), OSLO)


def _cost(work, runs: int = DIGEST_RUNS, before=None) -> tuple[float, float, int, int, object]:
    """(wall ms, CPU ms: medians of `runs`; queries, inbox items built, result) of
    `work()`; `before()` runs ahead of each, unmeasured."""
    built: list[int] = []

    def count(sender, instance, **kwargs) -> None:
        built.append(1)

    walls, cpus = [], []
    queries = items = 0
    result: object = None
    post_init.connect(count, sender=InboxItem, weak=False)
    try:
        for _ in range(runs):
            if before is not None:
                before()
            built.clear()
            with CaptureQueriesContext(connection) as captured:
                started, cpu = time.perf_counter(), time.process_time()
                result = work()
                walls.append((time.perf_counter() - started) * 1000)
                cpus.append((time.process_time() - cpu) * 1000)
            queries, items = len(captured), len(built)
    finally:
        post_init.disconnect(count, sender=InboxItem)
    return statistics.median(walls), statistics.median(cpus), queries, items, result


def _digest(municipality: Municipality, user) -> None:
    """The digest sweep on this inbox (module docstring), rolled back at the end."""
    at = _digest_time(municipality)
    day = at.date()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    overdue = (
        bulk_items(municipality)
        .filter(open=True, listed=True, due_at__lte=at)
        .exclude(NOT_WAITING)
        .count()
    )
    print(
        f"\ndigest sweep at {at:%Y-%m-%d %H:%M} Oslo: {overdue:,} open items past their "
        f"deadline (spam, hate and hidden ones not counted); medians of {DIGEST_RUNS} runs"
    )
    print(f"{'run':<44} {'ms':>8} {'cpu ms':>8} {'queries':>8} {'items':>8}")
    rows = []
    with transaction.atomic():
        # The morning's run, which claims today's digests (the marks removed before each).
        rows.append(
            (
                "07:00 run: claims the digests",
                _cost(
                    lambda: digest.digest_sweep(now=at),
                    before=lambda: DigestMark.objects.filter(day=day).delete(),
                ),
            )
        )
        rows.append(
            (
                "one digest (communications)",
                _cost(lambda: digest.send_digest(user_id=user.pk, at=at.isoformat())),
            )
        )
        rows.append(
            ("who gets one (someone still could)", _cost(lambda: digest.digest_recipients(now=at)))
        )
        rows.append(
            ("a later run: everyone has today's", _cost(lambda: digest.digest_sweep(now=at)))
        )
        rows.append(
            ("before: the full listing, every run", _cost(lambda: digest.digest_lines(now=at)))
        )
        transaction.set_rollback(True)
    for label, (wall, cpu, queries, items, _result) in rows:
        print(f"{label:<44} {wall:8.1f} {cpu:8.1f} {queries:8d} {items:8,d}")


if __name__ == "__main__":
    main()
