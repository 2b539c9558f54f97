"""What the Facebook Page and Instagram account connectors share (spec §1, §4).

Both are one account on the Graph API behind one `GraphClient`: built the same way
from a channel's settings, paging the same way (`paging.next`, `iterate_pages`), reading
every answer through a typed model (`graph.answers`), and treating "the object is gone"
(Graph 100/33 → `not_found`) on a delete as done. A subclass names its account key, its
platform's name for messages, and what differs (`hide_field`, the insights window).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, ClassVar, Self, TypeVar

from pydantic import BaseModel

from ordstyrer.connectors.base import (
    CallRecorder,
    Capability,
    Comment,
    ConnectorError,
    ErrorCode,
    InsightSeries,
    InsightValue,
    Listing,
    Post,
    bad_request,
    iterate_pages,
    recorded,
)
from ordstyrer.connectors.graph.answers import (
    InsightsAnswer,
    MessageSent,
    Success,
    graph_time,
    parse,
)
from ordstyrer.connectors.graph.client import GraphClient, time_params
from ordstyrer.connectors.graph.config import client_from_config, require

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

# Graph pages at most 100 items at a time (spec §1.10).
PAGE_MAX = 100


class GraphConnector:
    platform_name: ClassVar[str]  # in messages: "Facebook", "Instagram"
    account_key: ClassVar[str]  # the `from_config` key of the account id
    name_key: ClassVar[str]  # the `from_config` key of the account's display name
    hide_field: ClassVar[str]  # the comment field that hides it: `is_hidden`, `hide`
    insights_window: ClassVar[timedelta | None] = None  # the longest since…until, if any
    period_on_objects: ClassVar[bool] = True  # send `period` for a post's insights too
    posts_edge: ClassVar[str]  # the account's own posts: `published_posts`, `media`
    post_fields: ClassVar[str]  # the `fields` of a post read

    def __init__(
        self,
        account_id: str,
        client: GraphClient,
        *,
        name: str | None = None,
        recorder: CallRecorder | None = None,
    ) -> None:
        self.account_id = account_id
        self.client = client
        self.account_name = name
        self.recorder = recorder

    @classmethod
    def from_config(
        cls, config: Mapping[str, Any], *, recorder: CallRecorder | None = None
    ) -> Self:
        account_id = require(config, cls.account_key)
        return cls(
            account_id,
            client_from_config(config, throttle_key=account_id),
            name=config.get(cls.name_key),
            recorder=recorder,
            **cls.options(config),
        )

    @classmethod
    def options(cls, config: Mapping[str, Any]) -> dict[str, Any]:
        """The subclass's own settings from `config`, as keyword arguments."""
        return {}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.account_key}={self.account_id!r})"

    # -- CommentSource ---------------------------------------------------------------------

    def _to_post(self, data: dict[str, Any]) -> Post:
        raise NotImplementedError

    def _comments(
        self, post_id: str, since: datetime | None, cursor: str | None, limit: int
    ) -> Listing[Comment]:
        raise NotImplementedError

    def _replies(
        self, comment_id: str, since: datetime | None, cursor: str | None, limit: int
    ) -> Listing[Comment]:
        raise NotImplementedError

    @recorded(Capability.COMMENT_SOURCE)
    def list_posts(
        self, *, since: datetime | None = None, cursor: str | None = None, limit: int = 25
    ) -> Listing[Post]:
        """The account's own published posts, newest first."""
        path = f"{self.account_id}/{self.posts_edge}"
        params = {"fields": self.post_fields}
        return self._page(path, params, self._to_post, cursor=cursor, since=since, limit=limit)

    @recorded(Capability.COMMENT_SOURCE)
    def get_post(self, post_id: str) -> Post:
        return self._read_post(post_id)

    def _read_post(self, post_id: str) -> Post:
        return self._to_post(self.client.get(post_id, {"fields": self.post_fields}))

    @recorded(Capability.COMMENT_SOURCE)
    def list_comments(
        self,
        post_id: str,
        *,
        since: datetime | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> Listing[Comment]:
        """Every comment and reply on a post (all levels, oldest first)."""
        return self._comments(post_id, since, cursor, limit)

    @recorded(Capability.THREAD_SOURCE)
    def list_replies(
        self,
        comment_id: str,
        *,
        since: datetime | None = None,
        cursor: str | None = None,
        limit: int = 50,
    ) -> Listing[Comment]:
        """The thread under one comment: every reply below it, oldest first."""
        return self._replies(comment_id, since, cursor, limit)

    # -- reading --------------------------------------------------------------------------

    def _answer(self, model: type[M], body: Any, what: str, *, write: bool = False) -> M:
        return parse(model, body, what, platform=self.platform_name, write=write)

    def _page(
        self,
        path: str,
        params: Mapping[str, Any],
        convert: Callable[[dict[str, Any]], T],
        *,
        cursor: str | None = None,
        since: datetime | None = None,
        limit: int = 25,
    ) -> Listing[T]:
        """One page of a list edge (`cursor` from the page before, or the first)."""
        body = self.client.get_list(
            path, {**params, "limit": min(limit, PAGE_MAX)}, cursor=cursor, since=since
        )
        return self.client.listing(body, convert)

    def _all(
        self, path: str, params: Mapping[str, Any], convert: Callable[[dict[str, Any]], T]
    ) -> list[T]:
        """Every item of a list edge, page after page."""
        return list(
            iterate_pages(
                lambda cursor: self._page(path, params, convert, cursor=cursor, limit=PAGE_MAX)
            )
        )

    # -- writing --------------------------------------------------------------------------

    def _delete(
        self, path: str, params: Mapping[str, Any] | None = None, *, what: str = "slettingen"
    ) -> bool:
        """`DELETE`; False when the object was already gone (100/33 = done, spec §3.2).
        An answer of `{"success": false}` is not a deletion: `not_done`."""
        try:
            body = self.client.delete(path, params)
        except ConnectorError as exc:
            if exc.code == ErrorCode.NOT_FOUND:
                return False
            raise
        self._refuse_false(body, what)
        return True

    def _refuse_false(self, body: Any, what: str) -> None:
        """Raise `not_done` when Graph answered a write `{"success": false}` (spec §1.6:
        writes answer `{"success": bool}`): the platform did not do it, and recording it
        as done would hide a comment in our records only, or mark a deletion archived
        and done while the comment stays up (MO-2, MO-6). Any other shape counts as done,
        as before: a missing key is no refusal."""
        if isinstance(body, Mapping) and said_false(body.get("success")):
            raise not_done(what, platform=self.platform_name)

    def _succeeded(self, body: Any, what: str) -> bool:
        return self._answer(Success, body, what, write=True).ok

    # -- shared capabilities ------------------------------------------------------------

    @recorded(Capability.PRIVATE_REPLIER)
    def private_reply(self, comment_id: str, text: str) -> str:
        """A private reply to the commenter (MO-4 notices): `POST /{account}/messages`
        with `recipient={"comment_id": …}` (meta-graph-api §2; one per comment, within
        the platform's window). Returns the message id."""
        if not text.strip():
            raise bad_request("Meldingen er tom.")
        body = self.client.post(
            f"{self.account_id}/messages",
            {"recipient": {"comment_id": comment_id}, "message": {"text": text}},
        )
        return self._answer(MessageSent, body, "privat svar", write=True).value

    @recorded(Capability.MODERATOR)
    def hide_comment(self, comment_id: str) -> bool:
        body = self.client.post(comment_id, {self.hide_field: True}, idempotent=True)
        self._refuse_false(body, "skjulingen")
        return True

    @recorded(Capability.MODERATOR)
    def unhide_comment(self, comment_id: str) -> bool:
        body = self.client.post(comment_id, {self.hide_field: False}, idempotent=True)
        self._refuse_false(body, "opphevingen av skjulingen")
        return True

    @recorded(Capability.MODERATOR)
    def delete_comment(self, comment_id: str) -> bool:
        """False if it was already gone."""
        return self._delete(comment_id)

    @recorded(Capability.INSIGHTS)
    def insights(
        self,
        metrics: Sequence[str],
        *,
        period: str = "day",
        since: datetime | None = None,
        until: datetime | None = None,
        object_id: str | None = None,
    ) -> list[InsightSeries]:
        """The account's (or a post's, with `object_id`) insights (spec §1.9, §4.6).
        Metric names are the platform's; retired ones answer "invalid metric"
        (`ConnectorError(code="bad_request")`)."""
        if not metrics:
            raise bad_request("Velg minst én måling.")
        window = self.insights_window
        if window is not None and since and until and until - since > window:
            raise bad_request(
                f"{self.platform_name} gir innsikt for høyst {window.days} dager om gangen."
            )
        params: dict[str, Any] = {"metric": ",".join(metrics)}
        if object_id is None or self.period_on_objects:
            params["period"] = period
        params.update(time_params(since=since, until=until))
        body = self.client.get(f"{object_id or self.account_id}/insights", params)
        return insight_series(self._answer(InsightsAnswer, body, "innsikt"))


def said_false(value: Any) -> bool:
    """An explicit "no" in a write's answer: `false`, or the string Meta's docs show for
    booleans at times (`"false"`, spec §2.1)."""
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def not_done(what: str, *, platform: str) -> ConnectorError:
    """The error for a write the platform answered "not done" (`{"success": false}`,
    `{"<id>": false}`): permanent, since the same call gets the same answer; a person
    looks at it and tries again or does it on the platform."""
    return ConnectorError(
        f"{platform} svarte at {what} ikke ble utført. Prøv igjen, eller gjør det på {platform}.",
        permanent=True,
        code=ErrorCode.BAD_ANSWER,
    )


def insight_series(answer: InsightsAnswer) -> list[InsightSeries]:
    """Graph's insight series as records; a point without a number is left out."""
    out: list[InsightSeries] = []
    for series in answer.data:
        values = []
        for point in series.values:
            value: float | dict[str, float]
            if isinstance(point.value, dict):
                value = {
                    str(k): float(x)
                    for k, x in point.value.items()
                    if isinstance(x, int | float) and not isinstance(x, bool)
                }
            elif isinstance(point.value, int | float):
                value = float(point.value)
            else:
                continue
            values.append(InsightValue(end_time=graph_time(point.end_time), value=value))
        out.append(
            InsightSeries(
                metric=series.name, period=series.period, values=tuple(values), title=series.title
            )
        )
    return out
