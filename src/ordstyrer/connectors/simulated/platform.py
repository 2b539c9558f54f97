"""The simulated page: a plain, JSON-serialisable store and a deterministic comment stream.

Time moves in 10-minute slots. Each slot is generated from its own random stream,
`Random(f"{seed}:{slot}")`, so the world depends only on the seed, the clock and the
actions taken through the connector — advancing one day in one call or in 144 calls
gives the same result. Activity follows Norwegian daily rhythms (quiet at night,
busiest in the evening), new posts appear on working days, and comments arrive on
recent posts in every category of the corpus, with replies, edits and removals by
their authors.
"""

from __future__ import annotations

import copy
import math
import random
from datetime import UTC, datetime
from typing import Any, overload
from zoneinfo import ZoneInfo

from ordstyrer.connectors.simulated.corpus import CorpusComment, load_corpus

SLOT_SECONDS = 600
SLOTS_PER_DAY = 144
OSLO = ZoneInfo("Europe/Oslo")
STATE_VERSION = 1
MAX_EVENTS = 10_000

# Relative frequency of each category among top-level comments.
CATEGORY_WEIGHTS = {
    "question": 22,
    "praise": 14,
    "neutral": 12,
    "complaint": 15,
    "factual_error": 5,
    "case_processing": 7,
    "political": 6,
    "spam": 4,
    "hate_speech": 3,
    "harassment": 3,
    "third_party": 4,
    "sensitive": 3,
    "rumour": 5,
}
# Share of the day's comments per hour (Oslo time): night is quiet, evenings busy.
HOUR_FACTOR = (
    0.15,
    0.08,
    0.05,
    0.05,
    0.05,
    0.1,
    0.4,
    0.9,
    1.1,
    1.1,
    1.0,
    1.0,
    1.1,
    1.0,
    1.0,
    1.1,
    1.3,
    1.5,
    1.5,
    1.6,
    1.7,
    1.5,
    1.0,
    0.5,
)
HOUR_MEAN = sum(HOUR_FACTOR) / 24
REPLY_SHARE = 0.3
# Which kinds of reply make sense under a comment of a given category.
GENERIC_REPLIES = frozenset({"neutral", "praise", "question", "complaint", "political"})
REPLY_CATEGORIES = {
    "question": frozenset({"neutral", "question"}),
    "praise": frozenset({"praise", "neutral"}),
    "complaint": frozenset({"complaint", "neutral", "political", "factual_error"}),
    "factual_error": frozenset({"factual_error", "neutral"}),
    "political": frozenset({"political", "complaint", "harassment"}),
    "rumour": frozenset({"rumour", "factual_error", "question"}),
    "third_party": frozenset({"third_party", "rumour"}),
    "hate_speech": frozenset({"hate_speech", "harassment", "factual_error"}),
    "harassment": frozenset({"harassment", "neutral"}),
    "sensitive": frozenset({"sensitive", "neutral"}),
    "spam": frozenset({"spam", "harassment"}),
    "case_processing": frozenset({"question", "complaint", "neutral"}),
    "neutral": frozenset({"neutral", "praise"}),
}
PEOPLE = 240


def _poisson(rng: random.Random, lam: float) -> int:
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def slot_floor(ts: int) -> int:
    return ts - ts % SLOT_SECONDS


class SimulatedPlatform:
    """The page's world. All state lives in `self.state` (JSON types only)."""

    def __init__(self, state: dict[str, Any]) -> None:
        if state.get("version") != STATE_VERSION:
            raise ValueError("unknown simulated-platform state version")
        self.state = state
        self.corpus = load_corpus()
        self._people = self._make_people()

    # -- creation and persistence --------------------------------------------------------

    @classmethod
    def create(
        cls,
        *,
        seed: int,
        now: datetime,
        page_name: str = "Eksempel kommune",
        page_id: str = "sim-page",
        history_days: int = 14,
        comments_per_day: float = 40.0,
        posts_per_workday: float = 1.2,
    ) -> SimulatedPlatform:
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        start = slot_floor(int(now.timestamp()) - history_days * 86400)
        platform = cls(
            {
                "version": STATE_VERSION,
                "seed": seed,
                "page": {"id": page_id, "name": page_name},
                "config": {
                    "comments_per_day": comments_per_day,
                    "posts_per_workday": posts_per_workday,
                },
                "clock": start,
                "next_id": 1,
                "corpus_cursor": seed % len(load_corpus().posts),
                "posts": {},
                "comments": {},
                "pending": [],
                "blocked": [],
                "events": [],
                "event_seq": 0,
                "failures": [],
            }
        )
        for offset in (0, 3600):  # two posts at the start so comments begin at once
            platform._publish_corpus_post(start + offset)
        platform.advance(now)
        return platform

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> SimulatedPlatform:
        return cls(copy.deepcopy(state))

    def to_state(self) -> dict[str, Any]:
        return copy.deepcopy(self.state)

    @property
    def page_id(self) -> str:
        return str(self.state["page"]["id"])

    @property
    def page_name(self) -> str:
        return str(self.state["page"]["name"])

    def now_ts(self) -> int:
        return int(self.state["clock"])

    # -- ids, people, events ---------------------------------------------------------------

    def new_id(self, prefix: str) -> str:
        n = self.state["next_id"]
        self.state["next_id"] = n + 1
        return f"sim-{prefix}-{n}"

    def _make_people(self) -> list[tuple[str, str]]:
        rng = random.Random(f"{self.state['seed']}:people")  # noqa: S311 — simulation
        combos = [f"{f} {last}" for f in self.corpus.first_names for last in self.corpus.last_names]
        rng.shuffle(combos)
        return [(f"sim-user-{k + 1}", combos[k]) for k in range(PEOPLE)]

    def person(self, author_id: str) -> str | None:
        for pid, name in self._people:
            if pid == author_id:
                return name
        return None

    def _event(self, item: str, verb: str, at: int, **fields: Any) -> None:
        self.state["event_seq"] += 1
        self.state["events"].append(
            {"seq": self.state["event_seq"], "item": item, "verb": verb, "at": at, **fields}
        )
        if len(self.state["events"]) > MAX_EVENTS:
            del self.state["events"][: len(self.state["events"]) - MAX_EVENTS]

    def _comment_event(self, verb: str, c: dict[str, Any], at: int) -> None:
        self._event(
            "comment",
            verb,
            at,
            post_id=c["post_id"],
            comment_id=c["id"],
            parent_id=c["parent_id"],
            author_id=c["author_id"],
            author_name=c["author_name"],
            text=None if verb == "remove" else c["text"],
            page_author=c["page_author"],
        )

    # -- the clock ----------------------------------------------------------------------------

    def advance(self, now: datetime) -> None:
        """Generate every complete 10-minute slot up to `now` (never goes back)."""
        target = slot_floor(int(now.timestamp()))
        while self.state["clock"] < target:
            self._slot(self.state["clock"])
            self.state["clock"] += SLOT_SECONDS

    def _slot(self, t0: int) -> None:
        t1 = t0 + SLOT_SECONDS
        rng = random.Random(f"{self.state['seed']}:{t0 // SLOT_SECONDS}")  # noqa: S311 — simulation
        actions: list[tuple[int, int, str, Any]] = []
        for post in self.state["posts"].values():
            sched = post.get("scheduled")
            if (
                sched is not None
                and not post["published"]
                and not post["deleted"]
                and t0 <= sched < t1
            ):
                actions.append((sched, 0, "publish", post["id"]))
        for cid in self.state["pending"]:
            c = self.state["comments"][cid]
            if c.get("edit_at") is not None and t0 <= c["edit_at"] < t1:
                actions.append((c["edit_at"], 1, "edit", cid))
            if c.get("remove_at") is not None and t0 <= c["remove_at"] < t1:
                actions.append((c["remove_at"], 2, "remove", cid))
        local = datetime.fromtimestamp(t0, tz=OSLO)
        config = self.state["config"]
        if local.weekday() < 5 and 8 <= local.hour < 15:
            if rng.random() < config["posts_per_workday"] / 42:
                actions.append((t0 + rng.randrange(SLOT_SECONDS), 3, "corpus_post", None))
        lam = config["comments_per_day"] / SLOTS_PER_DAY * HOUR_FACTOR[local.hour] / HOUR_MEAN
        arrivals = _poisson(rng, lam)
        actions.extend(
            (t0 + rng.randrange(SLOT_SECONDS), 4, "comment", None) for _ in range(arrivals)
        )
        for at, _, kind, arg in sorted(actions, key=lambda a: (a[0], a[1])):
            if kind == "publish":
                self._publish_scheduled(arg, at)
            elif kind == "edit":
                self._author_edit(arg, at)
            elif kind == "remove":
                self._author_remove(arg, at)
            elif kind == "corpus_post":
                self._publish_corpus_post(at)
            else:
                self._new_comment(rng, at)
        self.state["pending"] = [
            cid
            for cid in self.state["pending"]
            if (self.state["comments"][cid].get("edit_at") or 0) >= t1
            or (self.state["comments"][cid].get("remove_at") or 0) >= t1
        ]

    # -- what happens in a slot -------------------------------------------------------------

    def _publish_corpus_post(self, at: int) -> None:
        posts = self.corpus.posts
        cp = posts[self.state["corpus_cursor"] % len(posts)]
        self.state["corpus_cursor"] += 1
        media = (
            [
                {
                    "kind": "image",
                    "url": f"https://kommune.example/bilder/{cp.topic}-{cp.key}.jpg",
                    "alt_text": cp.image_alt,
                }
            ]
            if cp.image_alt
            else []
        )
        self.add_post(
            text=cp.text,
            at=at,
            link=cp.link,
            media=media,
            topic=cp.topic,
            lang=cp.lang,
            corpus_key=cp.key,
        )

    def add_post(
        self,
        *,
        text: str,
        at: int,
        link: str | None = None,
        media: list[dict[str, Any]] | None = None,
        topic: str = "*",
        lang: str | None = None,
        corpus_key: int | None = None,
        scheduled: int | None = None,
    ) -> dict[str, Any]:
        post = {
            "id": self.new_id("post"),
            "text": text,
            "created": at if scheduled is None else scheduled,
            "topic": topic,
            "lang": lang,
            "corpus_key": corpus_key,
            "link": link,
            "media": media or [],
            "published": scheduled is None,
            "scheduled": scheduled,
            "comments_enabled": True,
            "deleted": False,
        }
        self.state["posts"][post["id"]] = post
        if post["published"]:
            self._event("post", "add", at, post_id=post["id"], text=text, page_author=True)
        return post

    def _publish_scheduled(self, post_id: str, at: int) -> None:
        post = self.state["posts"][post_id]
        post["published"], post["created"], post["scheduled"] = True, at, None
        self._event("post", "add", at, post_id=post_id, text=post["text"], page_author=True)

    def _author_edit(self, cid: str, at: int) -> None:
        c = self.state["comments"][cid]
        if c["removed"] or not c.get("edit_text"):
            return
        c["original"], c["text"], c["edited"] = c["text"], c["edit_text"], True
        c["edit_at"] = None
        self._comment_event("edited", c, at)

    def _author_remove(self, cid: str, at: int) -> None:
        c = self.state["comments"][cid]
        c["remove_at"] = None
        if not c["removed"]:
            self.remove_comment(c, at)

    def remove_comment(self, c: dict[str, Any], at: int) -> None:
        c["removed"] = True
        self._comment_event("remove", c, at)
        for reply in self.state["comments"].values():
            if reply["parent_id"] == c["id"] and not reply["removed"]:
                reply["removed"] = True

    def _open_posts(self, at: int) -> list[tuple[dict[str, Any], float]]:
        out = []
        for post in self.state["posts"].values():
            if (
                post["published"]
                and not post["deleted"]
                and post["comments_enabled"]
                and post["created"] <= at
            ):
                age_h = (at - post["created"]) / 3600
                weight = math.exp(-age_h / 30)
                if weight > 0.02:
                    out.append((post, weight))
        return out

    def _new_comment(self, rng: random.Random, at: int) -> None:
        posts = self._open_posts(at)
        if not posts:
            return
        post = rng.choices([p for p, _ in posts], weights=[w for _, w in posts])[0]
        existing = [
            c
            for c in self.state["comments"].values()
            if c["post_id"] == post["id"] and not c["removed"] and c["created"] <= at
        ]
        parent = None
        if existing and rng.random() < REPLY_SHARE:
            top_level = [c for c in existing if c["parent_id"] is None]
            if top_level:
                parent = rng.choice(top_level[-8:])
        author = self._pick_author(rng, avoid=parent["author_id"] if parent else None)
        if author is None:
            return
        entry: CorpusComment | None
        if parent is not None:
            entry = self._pick_reply(rng, parent)
        else:
            used = {c["text"] for c in existing}
            entry = self._pick_comment(rng, post["topic"], used)
        if entry is None:
            return
        c = self._store_comment(
            post["id"],
            parent["id"] if parent else None,
            author,
            entry.text,
            at,
            category=entry.category,
            lang=entry.lang,
        )
        if entry.edited and rng.random() < 0.5:
            c["edit_at"], c["edit_text"] = at + rng.randrange(120, 1800), entry.edited
        hostile = entry.category in {"hate_speech", "harassment", "spam"}
        if rng.random() < (0.12 if hostile else 0.02):
            c["remove_at"] = at + rng.randrange(300, 7200)
        if c.get("edit_at") or c.get("remove_at"):
            self.state["pending"].append(c["id"])

    def _pick_author(self, rng: random.Random, avoid: str | None) -> tuple[str, str] | None:
        blocked = set(self.state["blocked"])
        for _ in range(6):
            index = min(int(rng.expovariate(1 / 45)), PEOPLE - 1)  # a few regulars, a long tail
            pid, name = self._people[index]
            if pid not in blocked and pid != avoid:
                return pid, name
        return None

    def _pick_comment(self, rng: random.Random, topic: str, used: set[str]) -> CorpusComment | None:
        cats = list(CATEGORY_WEIGHTS)
        category = rng.choices(cats, weights=[CATEGORY_WEIGHTS[c] for c in cats])[0]
        pool = [e for e in self.corpus.comments if e.category == category and e.text not in used]
        specific = [e for e in pool if topic in e.topics]
        general = [e for e in pool if "*" in e.topics]
        if specific and (not general or rng.random() < 0.7):
            return rng.choice(specific)
        return rng.choice(general) if general else None

    def _pick_reply(self, rng: random.Random, parent: dict[str, Any]) -> CorpusComment:
        if parent["page_author"]:  # answers to the municipality's own replies
            allowed: set[str] | frozenset[str] = {"neutral", "praise", "question", "complaint"}
        else:
            allowed = REPLY_CATEGORIES.get(parent["category"], GENERIC_REPLIES)
        return rng.choice([r for r in self.corpus.replies if r.category in allowed])

    def _store_comment(
        self,
        post_id: str,
        parent_id: str | None,
        author: tuple[str, str],
        text: str,
        at: int,
        *,
        category: str | None = None,
        lang: str | None = None,
        page_author: bool = False,
    ) -> dict[str, Any]:
        c = {
            "id": self.new_id("comment"),
            "post_id": post_id,
            "parent_id": parent_id,
            "author_id": author[0],
            "author_name": author[1],
            "text": text,
            "created": at,
            "edited": False,
            "original": None,
            "hidden": False,
            "removed": False,
            "page_author": page_author,
            "category": category,
            "lang": lang,
            "edit_at": None,
            "edit_text": None,
            "remove_at": None,
        }
        self.state["comments"][c["id"]] = c
        self._comment_event("add", c, at)
        return c

    # -- actions taken through the connector ----------------------------------------------------

    def page_comment(self, target_id: str, text: str, at: int) -> dict[str, Any]:
        if target_id in self.state["posts"]:
            post_id, parent_id = target_id, None
        else:
            parent = self.state["comments"][target_id]
            post_id, parent_id = parent["post_id"], parent["id"]
        return self._store_comment(
            post_id, parent_id, (self.page_id, self.page_name), text, at, page_author=True
        )

    def set_hidden(self, c: dict[str, Any], hidden: bool, at: int) -> bool:
        if c["hidden"] == hidden:
            return False
        c["hidden"] = hidden
        self._comment_event("hide" if hidden else "unhide", c, at)
        return True


@overload
def epoch(ts: int) -> datetime: ...
@overload
def epoch(ts: None) -> None: ...
@overload
def epoch(ts: int | None) -> datetime | None: ...
def epoch(ts: int | None) -> datetime | None:
    return datetime.fromtimestamp(ts, tz=UTC) if ts is not None else None
