"""The work list's rows, rendered in Python.

The list renders 50 rows for every page an editor opens while working through the
inbox, so a row's cost counts: each row is built with plain string formatting, every
value escaped with `html.escape` (what Django's `escape` does, without its lazy-string
wrapper), and everything a row needs that is the same for the whole page — labels,
translations, the date format — is looked up once per page (`_Page`). The two times on
each row (received, deadline: relative and exact) are what `core.relative` says, made
without Django's general date formatter for the formats the console uses
(tests/inbox/test_list_render.py holds them equal). docs/inbox.md, "Measured", has the
figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS, MONTHS_3, MONTHS_AP
from django.utils.formats import get_format
from django.utils.html import avoid_wrapping
from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import TIME_CHUNKS, TIME_STRINGS, TIME_STRINGS_KEYS
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ordstyrer.core.relative import JUST_NOW, exact
from ordstyrer.core.textlang import lang_attribute
from ordstyrer.inbox.models import ItemStatus
from ordstyrer.inbox.selectors import ListItem
from ordstyrer.inbox.triage import category_labels
from ordstyrer.language.masking import mask_national_ids

SNIPPET = 160


@dataclass(frozen=True, slots=True)
class Row:
    pk: str
    url: str
    author: str
    pick_label: str
    reply_label: str
    item_label: str  # the row buttons' hidden rest: «Lukk henvendelsen fra Kari»
    snippet: str
    standard: str  # the comment's written standard, "nb", "nn" or "" (not known)
    channel: str
    category: str
    status: str
    due_iso: str
    due_text: str
    due_relative: str
    received_iso: str
    received_text: str
    received_relative: str
    overdue: bool
    assignee: str
    open: bool
    reported: bool
    escalated: bool


def _snippet(text: str) -> str:
    return text if len(text) <= SNIPPET else text[: SNIPPET - 1].rstrip() + "…"


# ---------------------------------------------------------------------------------------
# The two times of a row, as `core.relative.exact` / `relative` write them.

# `timesince`'s units, chunks and month lengths, so that the largest unit is found the
# way Django finds it (calendar months and years, then weeks, days, hours, minutes).
_UNITS = list(TIME_STRINGS_KEYS)
_NUMBERS = {
    "j": lambda t: str(t.day),
    "d": lambda t: f"{t.day:02d}",
    "n": lambda t: str(t.month),
    "m": lambda t: f"{t.month:02d}",
    "Y": lambda t: str(t.year),
    "y": lambda t: f"{t.year % 100:02d}",
    "G": lambda t: str(t.hour),
    "H": lambda t: f"{t.hour:02d}",
    "i": lambda t: f"{t.minute:02d}",
}
_NAMES = {"N": MONTHS_AP, "F": MONTHS}
_FORMATS: dict[str, list[tuple[str, Any]] | None] = {}


def _tokens(language: str) -> list[tuple[str, Any]] | None:
    """The short date-time format of `language` as literal and field tokens, or None
    when it uses a field this fast path does not write (Django's formatter then does)."""
    if language in _FORMATS:
        return _FORMATS[language]
    fmt = get_format("SHORT_DATETIME_FORMAT", language)
    tokens: list[tuple[str, Any]] = []
    escaped = False
    for char in fmt:
        if escaped:
            tokens.append(("text", char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in _NUMBERS:
            tokens.append(("number", _NUMBERS[char]))
        elif char in _NAMES:
            names = _NAMES[char]
            tokens.append(("name", {m: str(names[m]) for m in range(1, 13)}))
        elif char == "M":
            tokens.append(("name", {m: str(MONTHS_3[m]).title() for m in range(1, 13)}))
        elif char.isalpha():
            _FORMATS[language] = None
            return None
        else:
            tokens.append(("text", char))
    _FORMATS[language] = tokens
    return tokens


class _Page:
    """What every row of one page shares: the clock, the labels, the translations."""

    def __init__(self, *, slug: str, now: datetime) -> None:
        self.now = now
        self.base = reverse("inbox:list", args=[slug])
        self.zone = timezone.get_current_timezone()
        self.tokens = _tokens(get_language() or settings.LANGUAGE_CODE)
        self.statuses = {code: str(label) for code, label in ItemStatus.choices}
        self.categories = category_labels()
        self.unknown = _("ukjent")
        self.unknown_sender = _("Ukjent avsender")
        self.pick = _("Velg henvendelsen fra %(who)s")
        self.reply_to = _("til %(who)s")
        self.item_from = _("henvendelsen fra %(who)s")
        self.just_now = _("nå")
        self.ago = _("for %(delta)s siden")
        self.until = _("om %(delta)s")
        self.spans: dict[tuple[bool, str, int], str] = {}

    def exact(self, when: datetime) -> str:
        if self.tokens is None:
            return exact(when)
        local = when.astimezone(self.zone)
        return "".join(
            value if kind == "text" else value(local) if kind == "number" else value[local.month]
            for kind, value in self.tokens
        )

    def relative(self, when: datetime) -> str:
        now = self.now
        if when.tzinfo is not None and now.tzinfo is not when.tzinfo:
            now = now.astimezone(when.tzinfo)
        delta = when - now
        future = delta > timedelta(0)
        if (delta if future else -delta) < JUST_NOW:
            return self.just_now
        unit, count = _largest_unit(now, when) if future else _largest_unit(when, now)
        key = (future, unit, count)
        text = self.spans.get(key)
        if text is None:
            words = avoid_wrapping(TIME_STRINGS[unit] % {"num": count})
            text = (self.until if future else self.ago) % {"delta": words}
            self.spans[key] = text
        return text


def _largest_unit(d: datetime, now: datetime) -> tuple[str, int]:
    """`timesince(d, now, depth=1)`'s unit and count (`d` the earlier, same zone)."""
    delta = now - d
    if delta.days * 86400 + delta.seconds <= 0:
        return "minute", 0
    total_months = (now.year - d.year) * 12 + (now.month - d.month)
    if d.day > now.day or (d.day == now.day and d.time() > now.time()):
        total_months -= 1
    years, months = divmod(total_months, 12)
    if years:
        return "year", years
    if months:
        return "month", months
    remaining = (now - d).total_seconds()
    for unit, chunk in zip(_UNITS[2:], TIME_CHUNKS, strict=True):
        if remaining >= chunk:
            return unit, int(remaining // chunk)
    return "minute", 0


def list_rows(items: list[ListItem], *, slug: str, now: datetime) -> list[Row]:
    page = _Page(slug=slug, now=now)
    rows = []
    for item in items:
        who = item.author_name or page.unknown
        due = item.due_at
        assignee = item.assignee
        received = item.received_at
        rows.append(
            Row(
                pk=str(item.pk),
                url=f"{page.base}{item.pk}/",
                author=item.author_name or page.unknown_sender,
                pick_label=page.pick % {"who": who},
                reply_label=page.reply_to % {"who": who},
                item_label=page.item_from % {"who": who},
                snippet=_snippet(mask_national_ids(item.text)),  # PU-1, #18
                standard=item.written_standard or "",
                channel=item.channel_name,
                category=page.categories.get(item.category, item.category),
                status=page.statuses.get(item.status, item.status),
                due_iso=due.isoformat() if due else "",
                due_text=page.exact(due) if due else "",
                due_relative=page.relative(due) if due else "",
                received_iso=received.isoformat(),
                received_text=page.exact(received),
                received_relative=page.relative(received),
                overdue=bool(item.open and due and due < now),
                assignee=(assignee.get_full_name() or assignee.username) if assignee else "",
                open=item.open,
                reported=item.reported,
                escalated=item.escalated_at is not None,
            )
        )
    return rows


def _texts() -> dict[str, str]:
    return {
        "reported": _("Meldt"),
        "escalated": _("Eskalert"),
        "overdue": _("over fristen"),
        "received": _("Mottatt"),
        "admins": _("Administratorene"),
        "reply": _("Svar"),
        "assign_me": _("Tildel meg"),
        "close": _("Lukk"),
    }


def render_rows(rows: list[Row], *, works: bool = True) -> SafeString:
    """The `<tr>` of every row: checkbox, item, channel, category, status, deadline,
    assignee and the row's own actions (r, a, c for the keyboard; plain links and
    buttons without JavaScript). Without `works` (someone who reads but may not act,
    CH-4) no checkbox and no actions."""
    t = {key: escape(value) for key, value in _texts().items()}
    parts = {
        "reported": f' <span class="badge badge-warn">{t["reported"]}</span>',
        "escalated": f' <span class="badge badge-block">{t["escalated"]}</span>',
        "overdue": f' <strong class="overdue-text">{t["overdue"]}</strong>',
        "admins": f'<span class="muted">{t["admins"]}</span>',
        # WCAG 3.1.2: a comment in Bokmål or Nynorsk on a page in another language.
        "lang_nb": lang_attribute("nb"),
        "lang_nn": lang_attribute("nn"),
    }
    # Every value below is escaped here or is one of the constant fragments above.
    return mark_safe("\n".join(_row(row, t, parts, works) for row in rows))  # noqa: S308


def _row(row: Row, t: dict[str, str], parts: dict[str, str], works: bool) -> str:
    pk = escape(row.pk)
    url = escape(row.url)
    badges = (parts["reported"] if row.reported else "") + (
        parts["escalated"] if row.escalated else ""
    )
    due = "–"
    if row.due_iso:
        due_text = escape(row.due_text)
        due = (
            f'<time datetime="{escape(row.due_iso)}" title="{due_text}">'
            f"{escape(row.due_relative)}</time>"
            f'<span class="exact-time"> ({due_text})</span>'
            f"{parts['overdue'] if row.overdue else ''}"
        )
    assignee = escape(row.assignee) if row.assignee else parts["admins"]
    buttons = ""
    if row.open and works:
        # Named with the row's author, as «Svar til …» is: a screen reader's list of
        # buttons says whose item each «Lukk» closes (WCAG 2.4.6).
        whose = f'<span class="visually-hidden"> {escape(row.item_label)}</span>'
        buttons = (
            f'<button type="submit" name="row" value="assign_me:{pk}" data-key="a">'
            f"{t['assign_me']}{whose}</button>\n"
            f'<button type="submit" name="row" value="close:{pk}" data-key="c">'
            f"{t['close']}{whose}</button>"
        )
    received = (
        f'<p class="received">{t["received"]} <time datetime="{escape(row.received_iso)}" '
        f'title="{escape(row.received_text)}">{escape(row.received_relative)}</time></p>'
    )
    pick = actions = ""
    if works:
        pick = (
            f'<input type="checkbox" name="item" value="{pk}" id="pick-{pk}">'
            f'<label class="visually-hidden" for="pick-{pk}">{escape(row.pick_label)}</label>'
        )
        actions = (
            f'<a href="{url}#svar" data-key="r">{t["reply"]}'
            f'<span class="visually-hidden"> {escape(row.reply_label)}</span></a>\n{buttons}'
        )
    return (
        f'<tr class="inbox-row{" is-overdue" if row.overdue else ""}" data-item="{pk}">'
        f"<td>{pick}</td>"
        f'<td class="item-cell"><a class="item-link" href="{url}">{escape(row.author)}</a>'
        f"{badges}"
        f'<p class="snippet"{parts.get(f"lang_{row.standard}", "")}>{escape(row.snippet)}</p>'
        f"{received}</td>"
        f"<td>{escape(row.channel)}</td><td>{escape(row.category) if row.category else '–'}</td>"
        f"<td>{escape(row.status)}</td><td>{due}</td><td>{assignee}</td>"
        f'<td class="row-actions">{actions}</td></tr>'
    )
