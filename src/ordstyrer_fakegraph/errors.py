"""Graph error bodies and the error-injection rules of the control endpoint (§3, §7.8)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

# Default messages, shaped like the captured ones in spec §3.
DEFAULT_MESSAGES: dict[tuple[int, int | None], str] = {
    (1, None): "An unknown error occurred",
    (1, 2853006): "(#1) The viewer does not have permission for this action",
    (2, None): "An unexpected error has occurred. Please retry your request later.",
    (3, None): "(#3) Application does not have the capability to make this API call.",
    (4, None): "(#4) Application request limit reached",
    (9, None): "(#9) Application request limit reached: the publishing limit was reached",
    (10, None): "(#10) Application does not have permission for this action",
    (17, None): "(#17) User request limit reached",
    (32, None): "(#32) Page request limit reached",
    (100, None): "(#100) Invalid parameter",
    (
        100,
        33,
    ): "(#100) Unsupported request - object does not exist, cannot be loaded due to missing permissions, or does not support this operation",
    (102, None): "API Session: the session is invalid",
    (190, None): "Invalid OAuth access token - Cannot parse access token",
    (190, 458): "Error validating access token: The user has not authorized application.",
    (
        190,
        459,
    ): "Error validating access token: You cannot access the app till you log in to www.facebook.com and follow the instructions given.",
    (
        190,
        460,
    ): "Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.",
    (
        190,
        463,
    ): "Error validating access token: Session has expired on Wednesday, 14-Feb-18 18:00:00 PST.",
    (
        190,
        464,
    ): "Error validating access token: Sessions for the user are not allowed because the user is not a confirmed user.",
    (
        190,
        467,
    ): "Error validating access token: The user is enrolled in a blocking, logged-in checkpoint",
    (190, 492): "Error validating access token: The session is invalid.",
    (200, None): "(#200) Permissions error",
    (341, None): "(#341) Application limit reached",
    (368, None): "(#368) The action attempted has been deemed abusive or is otherwise disallowed",
    (506, None): "(#506) Duplicate status message",
    (613, None): "(#613) Calls to this api have exceeded the rate limit.",
    (1705, None): "(#1705) There was an error during posting.",
    (
        80001,
        None,
    ): "(#80001) There have been too many calls to this Page account. Wait a bit and try again.",
    (
        80002,
        None,
    ): "(#80002) There have been too many calls to this Instagram account. Wait a bit and try again.",
    (1609005, None): "(#1609005) Error Posting Link",
    (2500, None): "(#2500) Error parsing graph query",
    (3001, 1504028): "(#3001) Invalid query: no metric was specified",
}
TRANSIENT = {1, 2, 4, 17, 32, 341, 613, 80001, 80002, 1705}


class GraphError(Exception):
    def __init__(
        self,
        code: int,
        subcode: int | None = None,
        message: str | None = None,
        *,
        http_status: int | None = None,
        is_transient: bool | None = None,
        headers: dict[str, str] | None = None,
        error_type: str = "OAuthException",
    ) -> None:
        self.code = code
        self.subcode = subcode
        self.message = message or DEFAULT_MESSAGES.get(
            (code, subcode), DEFAULT_MESSAGES.get((code, None), f"(#{code}) Error")
        )
        self.http_status = http_status or (500 if code in (1, 2) else 400)
        self.is_transient = is_transient if is_transient is not None else code in TRANSIENT
        self.headers = headers or {}
        self.error_type = error_type
        super().__init__(self.message)

    def body(self) -> dict[str, Any]:
        err: dict[str, Any] = {
            "message": self.message,
            "type": self.error_type,
            "code": self.code,
            "fbtrace_id": "A" + secrets.token_urlsafe(12),
        }
        if self.subcode is not None:
            err["error_subcode"] = self.subcode
        if self.is_transient:
            err["is_transient"] = True
        return {"error": err}


def expired_session(expired_at: datetime, now: datetime) -> GraphError:
    """190/463 with the real times, in Meta's wording and Pacific time (§3); never a
    fixed date, so a client that parses or logs it sees what Meta would send."""
    pacific = ZoneInfo("America/Los_Angeles")

    def when(moment: datetime) -> str:
        local = moment.astimezone(pacific)
        return local.strftime("%A, %d-%b-%y %H:%M:%S ") + (local.tzname() or "PST")

    return GraphError(
        190,
        463,
        "Error validating access token: Session has expired on "
        f"{when(expired_at)}. The current time is {when(now)}.",
    )


def not_found(object_id: str) -> GraphError:
    return GraphError(
        100,
        33,
        f"Unsupported get request. Object with ID '{object_id}' does not exist, cannot be "
        "loaded due to missing permissions, or does not support this operation.",
    )


def bad_param(text: str) -> GraphError:
    return GraphError(100, None, f"(#100) {text}")


@dataclass
class Injection:
    """One injected failure: matches method/path, fires `times` times (-1 = forever)."""

    code: int
    subcode: int | None = None
    message: str | None = None
    http_status: int | None = None
    path: str | None = None  # substring of the unversioned path
    method: str | None = None
    times: int = 1
    estimated_time_to_regain_access: int = 0  # minutes, 80001/80002/32
    is_transient: bool | None = None
    fired: int = field(default=0)

    def matches(self, method: str, path: str) -> bool:
        if self.times == 0:
            return False
        if self.method and self.method.upper() != method:
            return False
        return not (self.path and self.path not in path)

    def consume(self) -> GraphError:
        self.fired += 1
        if self.times > 0:
            self.times -= 1
        return GraphError(
            self.code,
            self.subcode,
            self.message,
            http_status=self.http_status,
            is_transient=self.is_transient,
        )

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Injection:
        allowed = {
            "code",
            "subcode",
            "message",
            "http_status",
            "path",
            "method",
            "times",
            "estimated_time_to_regain_access",
            "is_transient",
        }
        unknown = set(data) - allowed
        if unknown:
            raise ValueError(f"unknown injection keys: {sorted(unknown)}")
        return cls(**{k: v for k, v in data.items() if k in allowed})


_MALFORM_KEYS = frozenset({"path", "method", "times", "drop", "set", "body"})


@dataclass
class Malformation:
    """One answer sent in a shape the API does not document (§7.8): matches method/path
    like an `Injection`, but the call itself runs (a write still happens); then its 200
    answer loses the keys in `drop`, gets the keys in `set` (null included), or is
    replaced by `body` when `replace` is set. Fires `times` times (-1 = forever)."""

    path: str | None = None  # substring of the unversioned path
    method: str | None = None
    times: int = 1
    drop: tuple[str, ...] = ()
    set: dict[str, Any] = field(default_factory=dict)
    body: Any = None
    replace: bool = False
    fired: int = field(default=0)

    def matches(self, method: str, path: str) -> bool:
        if self.times == 0:
            return False
        if self.method and self.method.upper() != method:
            return False
        return not (self.path and self.path not in path)

    def apply(self, payload: Any) -> Any:
        self.fired += 1
        if self.times > 0:
            self.times -= 1
        if self.replace:
            return self.body
        if not isinstance(payload, dict):
            return payload
        out = {k: v for k, v in payload.items() if k not in self.drop}
        out.update(self.set)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Malformation:
        unknown = set(data) - _MALFORM_KEYS
        if unknown:
            raise ValueError(f"unknown malformation keys: {sorted(unknown)}")
        if not isinstance(data.get("set", {}), dict):
            raise ValueError("set must be an object")
        return cls(
            path=data.get("path"),
            method=data.get("method"),
            times=int(data.get("times", 1)),
            drop=tuple(str(k) for k in data.get("drop", ())),
            set=dict(data.get("set", {})),
            body=data.get("body"),
            replace="body" in data,
        )
