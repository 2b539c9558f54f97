"""Graph API answers read through typed models at the connector edge (spec §1, §4).

Untrusted JSON is never read with `body.get(...)` and `str(...)`: an id that is missing,
null or empty would become the text "None" and travel on as an object id. Each answer
the connectors use has a model here; one that does not fit is a `ConnectorError` with
code `bad_answer` (`malformed`), which says what was expected.

A malformed answer to a read is transient (the next poll reads it again); to a write it
is permanent, because the write may have happened: retrying could post twice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    RootModel,
    SecretStr,
    StringConstraints,
    ValidationError,
    model_validator,
)

from ordstyrer.connectors.base import ConnectorError, ErrorCode
from ordstyrer.connectors.secrets import SecretToken

M = TypeVar("M", bound=BaseModel)


def _id_text(value: Any) -> Any:
    # Graph ids are strings; a bare number is accepted as its digits, anything else
    # (null, a boolean, an object) fails validation.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


GraphId = Annotated[
    str,
    BeforeValidator(_id_text),
    StringConstraints(strict=True, strip_whitespace=True, min_length=1, max_length=255),
]


def graph_time(value: str | None) -> datetime | None:
    """Graph's `2026-05-04T08:00:00+0000` as an aware datetime (None: absent or unreadable)."""
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return None


def malformed(what: str, *, platform: str = "plattformen", write: bool = False) -> ConnectorError:
    """The error for an answer that is not what the API documents."""
    return ConnectorError(
        f"Uventet svar fra {platform} ({what}).", permanent=write, code=ErrorCode.BAD_ANSWER
    )


def parse(
    model: type[M], body: Any, what: str, *, platform: str = "plattformen", write: bool = False
) -> M:
    """`body` as `model`, or `malformed(what)`."""
    try:
        return model.model_validate(body)
    except ValidationError:
        raise malformed(what, platform=platform, write=write) from None


class Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, frozen=True)


class ListPage(Answer):
    """One page of a list edge: `data` (objects, each read by its own model) and `paging`."""

    data: list[dict[str, Any]]


class Ref(Answer):
    """An object by its id: what a create call answers (`{"id": …}`)."""

    id: GraphId


class Success(Answer):
    """`{"success": true}`: what updates, deletes and edge writes answer."""

    success: bool

    @property
    def ok(self) -> bool:
        return self.success


class MessageSent(Answer):
    """A private reply: `{"recipient_id": …, "message_id": …}` (older versions: `id`)."""

    message_id: GraphId | None = None
    id: GraphId | None = None

    @model_validator(mode="after")
    def _has_id(self) -> MessageSent:
        if self.message_id is None and self.id is None:
            raise ValueError("no message id")
        return self

    @property
    def value(self) -> str:
        return self.message_id or self.id or ""


class PhotoUploaded(Answer):
    """`POST /{page}/photos`: the photo, and the post when it was published with it."""

    id: GraphId
    post_id: GraphId | None = None


class VideoInfo(Answer):
    """A video read back after upload; `post_id` once Facebook has made its post."""

    id: GraphId
    post_id: GraphId | None = None
    created_time: str | None = None


class PageInfo(Answer):
    """`GET /{page}?fields=id,name`: the cheap call that proves a token works."""

    id: GraphId
    name: str = ""


class InstagramAccount(Answer):
    id: GraphId
    username: str = ""


class InstagramLink(Answer):
    """`GET /{page}?fields=instagram_business_account{…}`: the linked account, if any."""

    instagram_business_account: InstagramAccount | None = None


class PageAccount(Answer):
    """One item of `GET /me/accounts`: a Page the person can act for, with its token."""

    id: GraphId
    name: str = ""
    tasks: list[str] = Field(default_factory=list)
    access_token: SecretStr | None = None


class AccessToken(Answer):
    """`GET /oauth/access_token` (a login code or a token exchanged): the new token."""

    access_token: Annotated[str, StringConstraints(strict=True, min_length=1)]


def access_token(body: Any, refused: str) -> SecretToken:
    """The token in an `oauth/access_token` answer; none there means the person must log
    in again (`refused`, said to them), never a malformed-answer retry."""
    try:
        return SecretToken(AccessToken.model_validate(body).access_token)
    except ValidationError:
        raise ConnectorError(refused, permanent=True, code=ErrorCode.NEEDS_REAUTH) from None


class TokenFacts(Answer):
    is_valid: bool = False
    scopes: list[str] = Field(default_factory=list)
    type: str = ""
    expires_at: int | None = None  # Unix seconds; 0 = does not expire


class TokenDebug(Answer):
    """`GET /debug_token?input_token=…`: what Meta knows of a token (shape [U], §1.1)."""

    data: TokenFacts


class BlockResult(RootModel[dict[str, bool | str | None]]):
    """`POST /{page}/blocked`: `{"<person id>": true}` (older versions: `{"success": true}`)."""


class BlockedList(Answer):
    """`GET /{page}/blocked?user=…`: the blocked people asked about."""

    data: list[Ref] = Field(default_factory=list)


class ContainerStatus(Answer):
    """An Instagram media container's processing state (spec §4.5)."""

    status_code: str | None = None
    status: str = ""


class QuotaConfig(Answer):
    quota_total: int | None = None
    quota_duration: int | None = None


class QuotaUsage(Answer):
    quota_usage: int | None = None
    config: QuotaConfig | None = None


class PublishingLimit(Answer):
    """`GET /{ig-user}/content_publishing_limit` (spec §4.5)."""

    data: list[QuotaUsage] = Field(default_factory=list)


class InsightPoint(Answer):
    end_time: str | None = None
    value: float | dict[str, Any] | None = None


class InsightSeriesAnswer(Answer):
    name: str
    period: str
    title: str | None = None
    values: list[InsightPoint] = Field(default_factory=list)


class InsightsAnswer(Answer):
    """`GET /{object}/insights` (spec §1.9, §4.6)."""

    data: list[InsightSeriesAnswer] = Field(default_factory=list)
