"""Request and response shapes of API v1; field names as api.md fixes them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict, ValidationInfo, model_validator

Url = str
# An object id as a client may send it: the databases' bigint range (a larger number is
# a 422, not a failed query).
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class InputSchema(Schema):
    """What a client sends (a body or a query): a field the API does not know is a 422
    naming it (`errors[].loc`, type `extra_forbidden`), never silently dropped — a
    misspelt `publishAt` made an embargoed post go out at once (api.md "Errors": "422 on
    invalid input"; `/check` refuses a file's unknown keys the same way)."""

    model_config = ConfigDict(extra="forbid")


class QueryInput(InputSchema):
    """A query string's parameters (a list's filters and cursor, the crisis to end): one
    the API does not know is a 422 naming it too — a misspelt `curser` would silently
    start at the first page (api.md "Lists"), `?ide=` end whatever crisis is active.
    Ninja reads only the schema's own parameters from the query string; the others are
    added here, for `extra="forbid"` to name (`errors[].loc` ["query", …, name])."""

    @model_validator(mode="before")
    @classmethod
    def _unknown_parameters(cls, data: Any, info: ValidationInfo) -> Any:
        request = (info.context or {}).get("request")
        if request is None or not isinstance(data, dict):
            return data
        unknown = {name: request.GET[name] for name in request.GET if name not in cls.model_fields}
        return {**unknown, **data}


class CitationOut(Schema):
    municipality: str
    section: str
    text: str


class FindingOut(Schema):
    rule: str
    severity: Literal["block", "warn", "info"]
    message_nb: str
    message_en: str
    # None for a platform's own limit (e.g. Instagram needs an image), which no
    # guideline section states.
    citation: CitationOut | None = None
    span: list[int] | None = None


class ProblemOut(Schema):
    """RFC 9457 problem details. `title`/`detail` English, `detail_nb` Norwegian Bokmål."""

    type: str
    title: str
    status: int
    detail: str
    detail_nb: str = Field(description="The same refusal in Norwegian Bokmål.")
    rule: str | None = Field(None, description="The guideline rule behind a refusal.")
    code: str | None = None
    findings: list[FindingOut] | None = Field(None, description="Where the policy blocks.")
    errors: list[dict[str, Any]] | None = Field(None, description="Field errors of a 422.")


class MembershipOut(Schema):
    slug: str
    name: str
    roles: list[str]


class TokenInfoOut(Schema):
    id: str
    scopes: list[str]
    expires_at: datetime


class MeOut(Schema):
    username: str
    name: str
    municipalities: list[MembershipOut]
    token: TokenInfoOut


class CheckIn(InputSchema):
    kind: Literal["post", "reply"] = "post"
    text: str = Field(..., max_length=20000)
    links: list[str] = Field(default_factory=list, max_length=50)
    media: list[dict[str, Any]] = Field(
        default_factory=list,
        max_length=20,
        description="Media as `ordstyrer check --input-format json` reads them: "
        "type, alt, captions, speech, people, children, consent, consent_form, "
        "photographer, photographer_consent, music_cleared, title, captions_text.",
    )


class FindingsOut(Schema):
    findings: list[FindingOut]


class TriageItemIn(InputSchema):
    id: str | int | None = None
    text: str = Field(..., max_length=20000)
    post_text: str | None = Field(None, max_length=20000)


class TriageIn(InputSchema):
    items: list[TriageItemIn] = Field(..., max_length=500)


class TriageOut(Schema):
    items: list[dict[str, Any]] = Field(
        description="One object per item, as one line of `ordstyrer triage`: id, "
        "category, categories, labels, language, pii, action, grounds, hate_ground, "
        "findings (or id and error)."
    )


class ChannelOut(Schema):
    id: int
    name: str
    platform: str
    status: Literal[
        "proposed", "awaiting_approval", "approved", "active", "closed", "rejected", "retired"
    ]
    url: str
    workflow_status: str = Field(
        description="Ordstyrer's own finer status (draft, submitted, in_review, paused, …)."
    )


class ChannelList(Schema):
    items: list[ChannelOut]
    next: Url | None


class InboxItemOut(Schema):
    id: int
    channel: int
    kind: str
    author_name: str
    text: str
    received_at: datetime
    category: str
    standard: str
    action: str
    status: str
    first_response_due: datetime | None
    answer_due: datetime | None
    assigned_to: str | None = Field(description="The assignee's username, or null.")


class InboxList(Schema):
    items: list[InboxItemOut]
    next: Url | None


class ThreadEntryOut(Schema):
    at: datetime
    author: str
    text: str
    from_page: bool
    item_id: int | None
    reply_id: int | None


class ReplyDetailOut(Schema):
    id: int
    status: str
    text: str
    author: str | None
    created_at: datetime
    sent_at: datetime | None
    findings: list[FindingOut]


class ModerationActionOut(Schema):
    id: int
    kind: str
    status: str
    ground: str
    justification: str
    requested_by: str | None
    requested_at: datetime
    finished_at: datetime | None


class EventOut(Schema):
    action: str
    at: datetime
    actor: str | None
    text: str


class InboxItemDetailOut(InboxItemOut):
    thread: list[ThreadEntryOut]
    replies: list[ReplyDetailOut]
    moderation: list[ModerationActionOut]
    events: list[EventOut]


class ReplyIn(InputSchema):
    text: str = Field(..., max_length=8000)
    override_reason: str | None = Field(
        None, max_length=2000, description="Why to send despite warn findings (audit log)."
    )


class ReplyOut(Schema):
    id: int
    status: Literal["queued", "sent", "failed", "awaiting_crisis_approval", "retrying", "rejected"]
    findings: list[FindingOut]


class CategoriesIn(InputSchema):
    labels: list[str] = Field(
        ...,
        min_length=1,
        max_length=13,
        description="What the comment is: one or more of question, praise, neutral, "
        "complaint, factual_error, case_processing, political, spam, hate_speech, "
        "harassment, third_party, sensitive, rumour.",
    )
    hate_ground: str = Field(
        "",
        max_length=30,
        description="Only with hate_speech: the Penal Code § 185 ground (ethnicity, "
        "religion, sexual_orientation, gender_identity, disability).",
    )


class CategoriesOut(Schema):
    id: int
    category: str
    categories: list[str]
    action: str


class ModerationIn(InputSchema):
    action: Literal["hide", "unhide", "delete"]
    ground: str = Field("", max_length=40)
    reason: str = Field("", max_length=2000)


class AcceptedOut(Schema):
    id: int
    status: str


class ArchiveRecordOut(Schema):
    id: int
    seq: int
    kind: str
    created_at: datetime
    title: str
    hash: str


class ArchiveRecordList(Schema):
    items: list[ArchiveRecordOut]
    next: Url | None


class VerifyOut(Schema):
    ok: bool
    records: int
    first_bad: int | None


class ExportIn(InputSchema):
    format: Literal["fiks-arkiv", "eformidling", "noark5-uttrekk"]
    since: date
    until: date | None = None


class ExportOut(Schema):
    id: int
    status: str
    download_url: Url | None = None


# The responses every municipal operation may give, and the writes' extra ones
# (documented once for the whole OpenAPI document).
ERRORS: dict[int, Any] = {401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 429: ProblemOut}
WRITE_ERRORS: dict[int, Any] = {409: ProblemOut, 422: ProblemOut, **ERRORS}
# The header of api.md's idempotency rule, on every POST that acts on a platform.
IDEMPOTENCY = {
    "parameters": [
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": False,
            "schema": {"type": "string", "maxLength": 255},
            "description": "The same key within 24 h returns the first response and does "
            "nothing again.",
        }
    ]
}
