"""Parse a Page's "Download your information" JSON export (spec §6) into records.

The export holds the Page's own posts and the comments the Page itself wrote (other
people's comments are most likely missing [U]); records carry no Graph ids, so each
gets a stable synthetic id `dyi:<hash of timestamp and text>` and can be matched to API
data by (time ± a few seconds, normalised text). Every string is repaired from Meta's
mojibake (UTF-8 bytes escaped one by one as `\\u00XX`, so `ø` arrives as `Ã¸`).

Both folder layouts are read (`this_profile's_activity_across_facebook/` and the newer
`your_facebook_activity/`), from an unpacked folder or straight from the zip. Several
exports (date ranges) can be given at once; duplicates are merged on (time, text).
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ordstyrer.connectors.base import Author, Comment, Media, Post

_POSTS = re.compile(r"(^|/)posts/(profile|your)_posts(_\d+)?\.json$")
_COMMENTS = re.compile(r"(^|/)comments_and_reactions/comments(_\d+)?\.json$")
_VIDEO_EXT = (".mp4", ".mov", ".m4v", ".avi", ".webm")
# What reading a damaged zip raises: a bad CRC or header, an encrypted member, a
# compression method Python lacks (Deflate64), a truncated or corrupt stream.
ZIP_DAMAGE: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    RuntimeError,
    NotImplementedError,
    OSError,
    EOFError,
    zlib.error,
)


class DamagedExport(Exception):
    """The export's zip could not be read (one of `ZIP_DAMAGE`); nothing was parsed."""


def repair_mojibake(text: str) -> str:
    """Undo Meta's per-byte escaping; strings that were fine are returned unchanged."""
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def _repair(value: Any) -> Any:
    if isinstance(value, str):
        return repair_mojibake(value)
    if isinstance(value, list):
        return [_repair(v) for v in value]
    if isinstance(value, dict):
        return {repair_mojibake(k): _repair(v) for k, v in value.items()}
    return value


class _M(BaseModel):
    model_config = ConfigDict(extra="allow")


class DMedia(_M):
    uri: str | None = None
    creation_timestamp: int | None = None
    title: str | None = None
    description: str | None = None


class DExternal(_M):
    url: str | None = None


class DAttachmentData(_M):
    media: DMedia | None = None
    external_context: DExternal | None = None


class DAttachment(_M):
    data: list[DAttachmentData] = Field(default_factory=list)


class DPostData(_M):
    post: str | None = None
    update_timestamp: int | None = None


class DPost(_M):
    timestamp: int
    data: list[DPostData] = Field(default_factory=list)
    attachments: list[DAttachment] = Field(default_factory=list)
    title: str | None = None


class DCommentInner(_M):
    timestamp: int | None = None
    comment: str | None = None
    author: str | None = None


class DCommentData(_M):
    comment: DCommentInner | None = None


class DComment(_M):
    timestamp: int
    data: list[DCommentData] = Field(default_factory=list)
    title: str | None = None


class DComments(_M):
    comments_v2: list[DComment] = Field(default_factory=list)


@dataclass(frozen=True, slots=True)
class DyiExport:
    posts: tuple[Post, ...]
    comments: tuple[Comment, ...]
    files: tuple[str, ...]
    skipped: int  # records that did not have the expected shape


def normalise_text(text: str) -> str:
    return " ".join(text.split()).casefold()


def synthetic_id(timestamp: int, text: str) -> str:
    digest = hashlib.sha256(f"{timestamp}|{normalise_text(text)}".encode()).hexdigest()
    return f"dyi:{digest[:20]}"


def _files(source: Path) -> Iterator[tuple[str, bytes]]:
    if source.is_file() and zipfile.is_zipfile(source):
        try:
            archive = zipfile.ZipFile(source)
        except ZIP_DAMAGE as exc:
            raise DamagedExport(str(source)) from exc
        with archive:
            for name in archive.namelist():
                if _POSTS.search(name) or _COMMENTS.search(name):
                    try:
                        content = archive.read(name)
                    except ZIP_DAMAGE as exc:
                        raise DamagedExport(name) from exc
                    yield name, content
        return
    if source.is_dir():
        for path in sorted(source.rglob("*.json")):
            rel = PurePosixPath(path.relative_to(source)).as_posix()
            if _POSTS.search(rel) or _COMMENTS.search(rel):
                yield rel, path.read_bytes()
        return
    raise FileNotFoundError(f"Fant ingen eksport i {source} (ventet en mappe eller en zip-fil).")


def _time(ts: int | None) -> datetime | None:
    """The record's time; None when it has none or one out of range (e.g. 10**12), as
    `connectors.graph.webhooks` reads a platform's time."""
    if not ts:
        return None
    try:
        return datetime.fromtimestamp(ts, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _post(record: DPost, raw: dict[str, Any], author: Author) -> Post | None:
    text = next((d.post for d in record.data if d.post), "") or ""
    media: list[Media] = []
    link = None
    for att in record.attachments:
        for item in att.data:
            if item.media and item.media.uri:
                kind = "video" if item.media.uri.lower().endswith(_VIDEO_EXT) else "image"
                media.append(Media(kind=kind, url=item.media.uri, title=item.media.title))  # type: ignore[arg-type]
            if item.external_context and item.external_context.url:
                link = item.external_context.url
    if not text and not media and not link:
        return None
    created_at = _time(record.timestamp)
    if record.timestamp and created_at is None:
        return None  # a time that cannot be read: skipped and counted (issue #18)
    return Post(
        id=synthetic_id(record.timestamp, text or (media[0].url if media else link) or ""),
        text=text,
        created_at=created_at,
        author=author,
        media=tuple(media),
        link=link,
        raw=raw,
    )


def _comment(record: DComment, raw: dict[str, Any], page_name: str | None) -> Comment | None:
    inner = next((d.comment for d in record.data if d.comment and d.comment.comment), None)
    if inner is None or inner.comment is None:
        return None
    name = inner.author or ""
    ts = inner.timestamp or record.timestamp
    created_at = _time(ts)
    if ts and created_at is None:
        return None  # a time that cannot be read: skipped and counted (issue #18)
    return Comment(
        id=synthetic_id(ts, inner.comment),
        post_id=None,
        author=Author(id=f"dyi:{name}", name=name) if name else None,
        text=inner.comment,
        created_at=created_at,
        is_page_author=bool(page_name) and name == page_name,
        raw=raw,
    )


def parse_dyi(
    sources: Path | str | Iterable[Path | str],
    *,
    page_id: str | None = None,
    page_name: str | None = None,
) -> DyiExport:
    """Read one or more exports (folders or zips) into posts and the Page's comments."""
    paths = [Path(sources)] if isinstance(sources, str | Path) else [Path(s) for s in sources]
    author = Author(id=page_id or "dyi:page", name=page_name or "")
    posts: dict[str, Post] = {}
    comments: dict[str, Comment] = {}
    files: list[str] = []
    skipped = 0
    for source in paths:
        for name, content in _files(source):
            files.append(name)
            try:
                decoded = _repair(json.loads(content))
            except ValueError:
                skipped += 1
                continue
            if _POSTS.search(name):
                for raw in decoded if isinstance(decoded, list) else []:
                    try:
                        post = _post(DPost.model_validate(raw), raw, author)
                    except ValidationError:
                        post = None
                    if post is None:
                        skipped += 1
                        continue
                    posts.setdefault(post.id, post)
            else:
                try:
                    block = DComments.model_validate(decoded)
                except ValidationError:
                    skipped += 1
                    continue
                for record, raw in zip(
                    block.comments_v2, decoded.get("comments_v2", []), strict=False
                ):
                    comment = _comment(record, raw, page_name)
                    if comment is None:
                        skipped += 1
                        continue
                    comments.setdefault(comment.id, comment)
    ordered_posts = sorted(
        posts.values(), key=lambda p: p.created_at or datetime.min.replace(tzinfo=UTC)
    )
    ordered_comments = sorted(
        comments.values(), key=lambda c: c.created_at or datetime.min.replace(tzinfo=UTC)
    )
    return DyiExport(tuple(ordered_posts), tuple(ordered_comments), tuple(files), skipped)
