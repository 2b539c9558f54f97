"""The work list's rows, rendered in Python.

The list renders 50 rows for every page an editor opens while working through the
inbox; the template engine's per-variable lookups cost about half a millisecond a row,
so each row is built here with `format_html` (escaped like a template) and the list
template prints it. docs/inbox.md, "Measured", has the figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from ordstyrer.inbox.models import InboxItem, ItemStatus
from ordstyrer.inbox.triage import category_label
from ordstyrer.language.masking import mask_national_ids
from ordstyrer.web.relative import exact, relative

SNIPPET = 160


@dataclass(frozen=True, slots=True)
class Row:
    pk: str
    url: str
    author: str
    pick_label: str
    reply_label: str
    snippet: str
    nynorsk: bool
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


def list_rows(items: list[InboxItem], *, slug: str, now: datetime) -> list[Row]:
    base = reverse("inbox:list", args=[slug])
    statuses = dict(ItemStatus.choices)
    unknown = _("ukjent")
    rows = []
    for item in items:
        who = item.author_name or unknown
        due = item.due_at
        assignee = item.assignee
        rows.append(
            Row(
                pk=str(item.pk),
                url=f"{base}{item.pk}/",
                author=item.author_name or _("Ukjent avsender"),
                pick_label=_("Velg henvendelsen fra %(who)s") % {"who": who},
                reply_label=_("til %(who)s") % {"who": who},
                snippet=_snippet(mask_national_ids(item.text)),  # PU-1, #18
                nynorsk=item.written_standard == "nn",
                channel=item.channel.name,
                category=category_label(item.category) if item.category else "",
                status=str(statuses.get(item.status, item.status)),
                due_iso=due.isoformat() if due else "",
                due_text=exact(due) if due else "",
                due_relative=relative(due, now) if due else "",
                received_iso=item.received_at.isoformat(),
                received_text=exact(item.received_at),
                received_relative=relative(item.received_at, now),
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


def render_rows(rows: list[Row]) -> SafeString:
    """The `<tr>` of every row: checkbox, item, channel, category, status, deadline,
    assignee and the row's own actions (r, a, c for the keyboard; plain links and
    buttons without JavaScript)."""
    t = _texts()
    return format_html_join("\n", "{}", ((_row(row, t),) for row in rows))


def _row(row: Row, t: dict[str, str]) -> SafeString:
    badges = format_html(
        "{}{}",
        format_html(' <span class="badge badge-warn">{}</span>', t["reported"])
        if row.reported
        else "",
        format_html(' <span class="badge badge-block">{}</span>', t["escalated"])
        if row.escalated
        else "",
    )
    due = "–"
    if row.due_iso:
        due = format_html(
            '<time datetime="{}" title="{}">{}</time><span class="exact-time"> ({})</span>{}',
            row.due_iso,
            row.due_text,
            row.due_relative,
            row.due_text,
            format_html(' <strong class="overdue-text">{}</strong>', t["overdue"])
            if row.overdue
            else "",
        )
    assignee = row.assignee or format_html('<span class="muted">{}</span>', t["admins"])
    buttons = ""
    if row.open:
        buttons = format_html(
            '<button type="submit" name="row" value="assign_me:{}" data-key="a">{}</button>\n'
            '<button type="submit" name="row" value="close:{}" data-key="c">{}</button>',
            row.pk,
            t["assign_me"],
            row.pk,
            t["close"],
        )
    return format_html(
        '<tr class="inbox-row{}" data-item="{}">'
        '<td><input type="checkbox" name="item" value="{}" id="pick-{}">'
        '<label class="visually-hidden" for="pick-{}">{}</label></td>'
        '<td class="item-cell"><a class="item-link" href="{}">{}</a>{}'
        '<p class="snippet"{}>{}</p>{}</td>'
        "<td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        '<td class="row-actions"><a href="{}#svar" data-key="r">{}'
        '<span class="visually-hidden"> {}</span></a>\n{}</td></tr>',
        " is-overdue" if row.overdue else "",
        row.pk,
        row.pk,
        row.pk,
        row.pk,
        row.pick_label,
        row.url,
        row.author,
        badges,
        mark_safe(' lang="nn"') if row.nynorsk else "",  # noqa: S308 — a constant
        row.snippet,
        format_html(
            '<p class="received">{} <time datetime="{}" title="{}">{}</time></p>',
            t["received"],
            row.received_iso,
            row.received_text,
            row.received_relative,
        ),
        row.channel,
        row.category or "–",
        row.status,
        due,
        assignee,
        row.url,
        t["reply"],
        row.reply_label,
        buttons,
    )
