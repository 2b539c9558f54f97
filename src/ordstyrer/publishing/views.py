"""Console views of publishing: thin, they call selectors and services.

Server-rendered with progressive enhancement: the composer's live check is a small
static script (`publishing/composer.js`) that posts the form to `check` and swaps the
findings fragment; without JavaScript the "Sjekk" button does the same with a reload.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ordstyrer.channels.forms import text_language
from ordstyrer.core import console
from ordstyrer.core.console import MunicipalityRequest, municipality_view, submit_form
from ordstyrer.core.errors import NotPermitted, ServiceError, lazy_interpolate
from ordstyrer.core.ids import parse_id
from ordstyrer.core.intents import Replayed, new_intent_key
from ordstyrer.core.reports import FIRST_DAY, LAST_DAY
from ordstyrer.crisis.forms import PausedDecisionForm
from ordstyrer.crisis.forms import ReasonForm as DecisionReasonForm
from ordstyrer.inbox.triage import PII_LABELS
from ordstyrer.moderation import with_post
from ordstyrer.publishing import access, media, selectors, services
from ordstyrer.publishing.forms import (
    AltTextForm,
    ChannelSettingsForm,
    ConfirmForm,
    ConsentForm,
    IdentityForm,
    MediaUploadForm,
    PostForm,
    PrivateCheckForm,
    PublishConfirmForm,
    ReasonForm,
    RegisterForm,
    WithdrawalNoteForm,
    tri,
    tri_initial,
)
from ordstyrer.publishing.models import DeliveryStatus, MediaAsset, MediaKind, PostStatus
from ordstyrer.publishing.private import Advice, friend_request_reply
from ordstyrer.publishing.private import private_check as run_private_check
from ordstyrer.tenants.models import IDENTITY_FIELDS, Municipality
from ordstyrer.tenants.selectors import identity_defaults, policy_for
from ordstyrer.tenants.services import municipality_identity_update

MAX_FORM_FILE = 50 * 1024 * 1024
# Said when an upload's location data was taken out (`media.without_location`).
LOCATION_REMOVED = gettext_lazy(
    "Bildet inneholdt stedsinformasjon (GPS-posisjon). Den er fjernet før bildet ble lagret, "
    "og sendes ikke til plattformene."
)
# The same for a video (`media.without_location` frees its location boxes, PU-1, EM-7).
VIDEO_LOCATION_REMOVED = gettext_lazy(
    "Videoen inneholdt stedsinformasjon (GPS-posisjon). Den er fjernet før videoen ble "
    "lagret, og sendes ikke til plattformene."
)


def _say_location_removed(request: HttpRequest, asset: MediaAsset) -> None:
    """Tell the uploader that the stored file lost its location, naming what it is."""
    if media.location_removed(asset):
        video = asset.kind == MediaKind.VIDEO
        messages.info(request, VIDEO_LOCATION_REMOVED if video else LOCATION_REMOVED)


def _when(at: Any) -> str:
    """A time in a sentence, in Oslo time and the console's language and date format."""
    return date_format(timezone.localtime(at), "SHORT_DATETIME_FORMAT")


def _post(request: HttpRequest) -> Any:
    """The POSTed data, bound even when empty (an empty form is an invalid form)."""
    return request.POST if request.method == "POST" else None


def _files(request: HttpRequest) -> Any:
    return request.FILES if request.method == "POST" else None


def _require_publisher(request: MunicipalityRequest, municipality: Municipality) -> None:
    if not access.may_publish_here(request.actor, municipality):
        raise PermissionDenied(
            _("Bare de som publiserer for kommunen har tilgang til dette (CH-3).")
        )


def _post_form(request: MunicipalityRequest, municipality: Municipality, **kw: Any) -> PostForm:
    channels = access.publishable_channels(request.actor, municipality)
    from ordstyrer.channels.models import Channel

    # The choice fields look every posted value up in one `IN (…)` query, which a 24-digit
    # id overflows (a 500): a value that is no id never reaches it, and is the field's
    # own "not a valid value" error instead.
    data, bad = _post(request), dict[str, list[str]]()
    if data is not None:
        data = data.copy()
        for name in ("channels", "media"):
            values = data.getlist(name)
            bad[name] = [v for v in values if parse_id(v) is None]
            data.setlist(name, [v for v in values if parse_id(v) is not None])
    form = PostForm(
        data,
        _files(request),
        channels=Channel.objects.filter(pk__in=[c.pk for c in channels]).order_by("name"),
        assets=MediaAsset.objects.filter(municipality=municipality).defer("content"),
        policy=policy_for(municipality=municipality),
        **kw,
    )
    for name, values in bad.items():
        for value in values:
            form.add_error(
                name,
                ValidationError(
                    form.fields[name].error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": value},
                ),
            )
    return form


def _upload_from(
    request: MunicipalityRequest, municipality: Municipality, form: PostForm
) -> MediaAsset | None:
    """A file uploaded with the composer, stored in the register: inside the post's own
    transaction (`compose`), so that a refused post leaves no file behind (PU-6)."""
    upload = form.cleaned_data.get("upload")
    if not upload:
        return None
    if upload.size > MAX_FORM_FILE:
        raise ServiceError(gettext_lazy("Filen er for stor."), code="invalid")
    captions = form.cleaned_data.get("upload_captions")
    asset = media.media_upload(
        actor=request.actor,
        municipality=municipality,
        filename=upload.name,
        content=upload.read(),
        alt_text=form.cleaned_data.get("upload_alt") or "",
        caption_mode=form.cleaned_data.get("upload_caption_mode") or "",
        captions_name=captions.name if captions else "",
        captions=captions.read() if captions else None,
    )
    people = form.cleaned_data.get("upload_people") or ""
    children = tri(form.cleaned_data.get("upload_children"))
    permission = tri(form.cleaned_data.get("upload_photographer_permission"))
    if people or children is not None or permission is not None:
        media.media_update(
            actor=request.actor,
            asset_id=asset.pk,
            people=people or None,
            children=children,
            photographer_permission=permission,
        )
    return asset


def _alt_changes(request: HttpRequest, form: PostForm) -> dict[int, tuple[str, str]]:
    """The alt texts (PU-4) the person changed on the composer, by file: `alt_<pk>` and
    what the page showed (`shown_alt_<pk>`; a page without it counts as showing the
    register as it is), where the two differ (`_write_alt_texts` writes them). A text
    the form refuses (too long, a NUL character) is the form's error."""
    changes: dict[int, tuple[str, str]] = {}
    for asset in form.cleaned_data.get("media") or ():
        if f"alt_{asset.pk}" not in request.POST:
            continue
        alt = AltTextForm(
            {
                "alt": request.POST[f"alt_{asset.pk}"],
                "shown": request.POST.get(f"shown_alt_{asset.pk}", asset.alt_text),
            }
        )
        if not alt.is_valid():
            for error in alt.errors.get("alt", []) + alt.errors.get("shown", []):
                form.add_error(
                    None,
                    _("Alternativ tekst for %(name)s: %(error)s")
                    % {"name": asset.filename, "error": error},
                )
        elif alt.cleaned_data["alt"] != alt.cleaned_data["shown"]:
            changes[asset.pk] = (alt.cleaned_data["alt"], alt.cleaned_data["shown"])
    return changes


def _write_alt_texts(actor: Any, changes: dict[int, tuple[str, str]]) -> None:
    """Inside the composer's transaction, each file locked: the alt texts the person
    changed. The register is shared (every post using the file): one changed there too
    since the page was shown is refused with the register's text now; the page shows
    it, and sent again (now seen) the person's text is written."""
    for asset_id, (typed, shown) in changes.items():
        asset = MediaAsset.objects.select_for_update().defer("content").get(pk=asset_id)
        if typed == asset.alt_text:
            continue
        if shown != asset.alt_text:
            raise ServiceError(
                lazy_interpolate(
                    gettext_lazy(
                        "Den alternative teksten for %(name)s er endret i registeret etter at du "
                        "åpnet siden. Nå står det: «%(alt)s». Ingenting er lagret. Se over "
                        "teksten, og lagre på nytt."
                    ),
                    {"name": asset.filename, "alt": asset.alt_text},
                ),
                code="changed",
            )
        media.media_update(actor=actor, asset_id=asset_id, alt_text=typed)


def _alt_rows(request: HttpRequest, attached: list[MediaAsset]) -> list[dict[str, Any]]:
    """The attached files' alt text fields: the register's text, or on a refused form
    the one the person typed, if they changed it. Each shows (`shown`) the register's
    text now: a refused form's message named it where both changed."""
    rows = []
    for asset in attached:
        value = asset.alt_text
        typed = request.POST.get(f"alt_{asset.pk}") if request.method == "POST" else None
        if typed is not None:
            shown = request.POST.get(f"shown_alt_{asset.pk}", asset.alt_text)
            if typed.strip() != shown.strip():
                value = typed
        rows.append({"asset": asset, "value": value, "shown": asset.alt_text})
    return rows


def _findings_response(request: HttpRequest, findings: list[dict[str, Any]]) -> HttpResponse:
    return render(request, "web/_findings.html", {"findings": findings})


@municipality_view()
def index(request: MunicipalityRequest, municipality: Municipality) -> HttpResponse:
    _require_publisher(request, municipality)
    status = request.GET.get("status") or None
    if status not in (None, *PostStatus.values):
        status = None
    posts = selectors.posts_list(municipality=municipality, user=request.actor, status=status)
    waiting = selectors.posts_awaiting_approval(municipality=municipality, user=request.actor)
    return render(
        request,
        "publishing/index.html",
        {
            "posts": posts,
            "waiting_count": len(waiting),
            "statuses": PostStatus.choices,
            "status": status,
        },
    )


@municipality_view()
@require_http_methods(["GET", "POST"])
def compose(
    request: MunicipalityRequest, municipality: Municipality, pk: int | None = None
) -> HttpResponse:
    """New post, or change a draft. "Sjekk" re-renders with findings; "Lagre" saves."""
    _require_publisher(request, municipality)
    post = None
    initial: dict[str, Any] = {}
    if pk is not None:
        post = access.access_post(user=request.actor, id=pk, slug=municipality.slug, need="edit")
        if post.status not in services.EDITABLE:
            messages.error(request, _("Innlegget kan ikke endres nå."))
            return redirect("publishing:detail", slug=municipality.slug, pk=post.pk)
        initial = {
            "channels": [d.channel_id for d in post.deliveries.all()],
            "text": post.text,
            "links": "\n".join(post.links),
            "publish_at": timezone.localtime(post.publish_at) if post.publish_at else None,
            "documentation_value": post.documentation_value,
            "media": [pm.asset_id for pm in post.attachments.all()],
        }
    else:
        # A new post's page: its own intent, so the same form sent twice creates one draft.
        initial = {"intent_key": new_intent_key()}
    form = _post_form(request, municipality, initial=initial)
    attached = services.post_assets(post) if post else []
    findings = post.findings if post else None
    if request.method == "POST" and form.is_valid():
        alt_changes = _alt_changes(request, form)
        saved = (
            None if form.errors else _save_composed(request, municipality, form, post, alt_changes)
        )
        if saved is not None:
            post, replayed, uploaded = saved
            if uploaded is not None:
                _say_location_removed(request, uploaded)
            if replayed:
                messages.info(request, _("Skjemaet er allerede lagret. Her er utkastet."))
            elif request.POST.get("action") != "publish":
                messages.success(request, _("Utkastet er lagret og sjekket."))
            if request.POST.get("action") == "publish":
                return redirect("publishing:confirm", slug=municipality.slug, pk=post.pk)
            return redirect("publishing:edit", slug=municipality.slug, pk=post.pk)
    return render(
        request,
        "publishing/compose.html",
        {
            "form": form,
            "post": post,
            "attached": _alt_rows(request, attached),
            "findings": findings,
        },
    )


def _save_composed(
    request: MunicipalityRequest,
    municipality: Municipality,
    form: PostForm,
    post: Any,
    alt_changes: dict[int, tuple[str, str]],
) -> tuple[Any, bool, MediaAsset | None] | None:
    """Store the composer's post with its upload and the alt texts the person changed,
    in one transaction: refused (the form's error), nothing is stored, not the file
    either (PU-6). The post, whether it was a replay of a form already saved
    (`core.intents`), and the file uploaded; None when refused."""
    data = form.cleaned_data
    now = timezone.now()
    try:
        with transaction.atomic():
            uploaded = _upload_from(request, municipality, form)
            media_ids = [a.pk for a in data["media"]] + ([uploaded.pk] if uploaded else [])
            _write_alt_texts(request.actor, alt_changes)
            values = {
                "text": data["text"],
                "links": data["links"],
                "media_ids": media_ids,
                "publish_at": data["publish_at"],
                "documentation_value": data["documentation_value"],
            }
            channel_ids = [c.pk for c in data["channels"]]
            if post is None:
                post = services.post_create(
                    actor=request.actor,
                    municipality=municipality,
                    channel_ids=channel_ids,
                    intent_key=data["intent_key"],
                    now=now,
                    **values,
                )
                if post.created_at != now:  # the first draft of this form: undo the rest
                    raise Replayed(post)
            else:
                post = services.post_update(
                    actor=request.actor, post_id=post.pk, channel_ids=channel_ids, **values
                )
    except Replayed as replay:
        return replay.first, True, None
    except ServiceError as exc:
        form.add_error(None, exc.message)
        if data.get("upload"):
            form.add_error(
                "upload",
                _("Filen er ikke lagret, fordi innlegget ikke ble lagret. Velg filen på nytt."),
            )
        return None
    return post, False, uploaded


@municipality_view()
@require_POST
def check(request: MunicipalityRequest, municipality: Municipality) -> HttpResponse:
    """The live check: the composer's fields → the findings fragment. Nothing is stored."""
    _require_publisher(request, municipality)
    form = _post_form(request, municipality)
    form.is_valid()  # partial input is fine: check what there is
    data = getattr(form, "cleaned_data", {})
    # A value that is no id is an unknown id: an unknown file is refused as the service
    # refuses one of another municipality, an unknown channel is left out as it is.
    posted_media = request.POST.getlist("media")
    media_ids = [i for i in map(parse_id, posted_media) if i is not None]
    if len(media_ids) != len(posted_media):
        return render(
            request, "publishing/_check_error.html", {"message": _("Ukjent bilde eller video.")}
        )
    channel_ids = [i for i in map(parse_id, request.POST.getlist("channels")) if i is not None]
    alt_texts = {
        pk: request.POST[f"alt_{pk}"].strip() for pk in media_ids if f"alt_{pk}" in request.POST
    }
    try:
        findings = services.check_draft(
            actor=request.actor,
            municipality=municipality,
            channel_ids=channel_ids,
            text=request.POST.get("text", ""),
            links=data.get("links") or [],
            media_ids=media_ids,
            alt_texts=alt_texts,
            publish_at=data.get("publish_at"),
        )
    except ServiceError as exc:
        return render(request, "publishing/_check_error.html", {"message": exc.message})
    return _findings_response(request, findings)


def _consequence(
    post: Any, channels: list[Any], sent: services.Submission, approvable: bool = True
) -> str:
    """What sending does, as `post_publish` decides it (`services.submission`): to the
    crisis leader, to an approver, or out (now or at its time), also when the sender
    approves it by sending it (CH-4, no four eyes). A post with a time that waits for an
    approval is published at that time if approved by then, else as soon as it is
    approved (`services._release_approved`): the page says so."""
    names = ", ".join(c.name for c in channels)
    approval_needed = sent.waits_for_approval
    if sent.crisis is not None:
        said = _(
            "Innlegget sendes til kriseleder for godkjenning (PU-12) før det publiseres på %(names)s."
        ) % {"names": names}
    elif approval_needed and not approvable:
        # `access.approvers` found nobody (four eyes, CH-4): say so before it is sent.
        said = _(
            "Innlegget sendes til godkjenning før det publiseres på %(names)s, men ingen kan "
            "godkjenne det ennå: den som har skrevet, endret eller sendt innlegget, kan ikke "
            "godkjenne det selv (fire øyne), og ingen andre har rett til å godkjenne det. "
            "Det venter til noen får den rollen."
        ) % {"names": names}
    elif approval_needed:
        said = _("Innlegget sendes til godkjenning før det publiseres på %(names)s.") % {
            "names": names
        }
    elif post.publish_at:
        return _("Innlegget publiseres %(when)s på %(names)s.") % {
            "when": _when(post.publish_at),
            "names": names,
        }
    else:
        return _("Publiser nå på %(names)s.") % {"names": names}
    if post.publish_at:
        said += " " + _(
            "Det publiseres %(when)s hvis det er godkjent innen da, ellers straks det blir "
            "godkjent."
        ) % {"when": _when(post.publish_at)}
    return said


@municipality_view()
@require_http_methods(["GET", "POST"])
def confirm(request: MunicipalityRequest, municipality: Municipality, pk: int) -> HttpResponse:
    """The confirmation before publishing: the consequence, the findings, nothing ticked.

    The form carries what the page showed (`services.confirmation_digest`: the text,
    links, files, channels, time and where it goes). A post changed since, or one whose
    route changed (a crisis declared or ended, PU-12; the channels' approval, CH-4), is
    not sent: the page comes again with what happens now, and says that it changed."""
    post = access.access_post(user=request.actor, id=pk, slug=municipality.slug, need="edit")
    if post.status not in services.EDITABLE:
        if request.method == "POST":  # a replayed or double-clicked confirmation
            messages.info(
                request,
                _("Innlegget er allerede sendt: %(status)s.")
                % {"status": PostStatus(post.status).label},
            )
        return redirect("publishing:detail", slug=municipality.slug, pk=post.pk)
    form = PublishConfirmForm(_post(request))
    findings = None
    changed = ""
    if request.method == "POST" and form.is_valid():
        try:
            post = services.post_publish(
                actor=request.actor,
                post_id=post.pk,
                override_reason=form.cleaned_data["override_reason"],
                # As `decide`'s round: a form without it (rendered before the field
                # existed) is taken as shown now.
                shown=form.cleaned_data["shown"] or None,
            )
        except services.PostChanged as exc:
            # Nothing sent: the page again, as the post is now, nothing ticked.
            changed = exc.message
            form = PublishConfirmForm(
                initial={"override_reason": form.cleaned_data["override_reason"]}
            )
            post = access.access_post(
                user=request.actor, id=pk, slug=municipality.slug, need="edit"
            )
        except services.PostRefused as exc:
            findings = exc.findings
            form.add_error(None, exc.message)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Innlegget er sendt: %(status)s.") % {"status": PostStatus(post.status).label},
            )
            return redirect("publishing:detail", slug=municipality.slug, pk=post.pk)
    channels = access.post_channels(post)
    if findings is None:
        findings = services.post_check(actor=request.actor, post_id=post.pk)
    sent = services.submission(request.actor, post, channels)
    # Out on some channel already (failed on another): sent again, it goes only where it
    # is not, and the copy out stays as it is (`services._release`, AR-1).
    out = services.copies_out(post, now=timezone.now())
    out_ids = {d.channel_id for d in out}
    to_go = [c for c in channels if c.pk not in out_ids] or channels
    return render(
        request,
        "publishing/confirm.html",
        {
            "post": post,
            "form": form,
            "changed": changed,
            "attached": services.post_assets(post),
            # What this page shows, for `post_publish(shown=…)` to compare.
            "shown": services.confirmation_digest(post, channels, sent),
            "findings": findings,
            "blocked": any(f["severity"] == "block" for f in findings),
            "warned": any(f["severity"] == "warn" for f in findings),
            "consequence": _consequence(
                post,
                to_go,
                sent,
                approvable=not sent.waits_for_approval
                or bool(
                    access.approvers(
                        post, channels, approval=sent.approval, submitter=request.actor
                    )
                ),
            ),
            "left_as_is": _(
                "Innlegget står allerede publisert på %(names)s slik det ble sendt, og "
                "sendes ikke dit igjen."
            )
            % {"names": ", ".join(d.channel.name for d in out)}
            if out
            else "",
        },
    )


@municipality_view()
def detail(request: MunicipalityRequest, municipality: Municipality, pk: int) -> HttpResponse:
    post = access.access_post(user=request.actor, id=pk, slug=municipality.slug)
    user = request.actor
    crisis_approver = crisis_may_approve = False
    if post.status == PostStatus.AWAITING_CRISIS_APPROVAL:
        from ordstyrer.crisis.selectors import may_approve_in_crisis
        from ordstyrer.crisis.services import crisis_own_text_check

        crisis_approver = may_approve_in_crisis(user=user, municipality=municipality)
        if crisis_approver:
            # PU-12: a deputy does not approve a post they wrote, changed or sent in; the
            # approval would be refused, so it is not offered (the rejection still is).
            try:
                crisis_own_text_check(
                    municipality=municipality, hands=access.hands_on(post), actor=user
                )
            except NotPermitted:
                pass
            else:
                crisis_may_approve = True
    deliveries = list(post.deliveries.select_related("channel"))
    may_edit = access.may_edit(user, post)
    # PU-6: taken down already, offered again where the deletion failed.
    take_down_again = (
        may_edit
        and post.taken_down_at is not None
        and media.deliveries_to_take_down_again(post, now=timezone.now()).exists()
    )
    return render(
        request,
        "publishing/detail.html",
        {
            "post": post,
            "deliveries": deliveries,
            "attached": services.post_assets(post),
            "events": selectors.post_events(post=post),
            "may_edit": may_edit,
            # Out on some platform, whatever the post's status (PU-6: a post published on
            # one channel and failed on another is `failed`, its photo online all the same).
            "may_take_down": take_down_again
            or (
                may_edit
                and post.taken_down_at is None
                and any(d.status == DeliveryStatus.PUBLISHED for d in deliveries)
            ),
            "take_down_again": take_down_again,
            "may_approve": post.status == PostStatus.AWAITING_APPROVAL
            and access.may_approve(user, post),
            "crisis_approver": crisis_approver,
            "crisis_may_approve": crisis_may_approve,
            "may_decide_paused": post.status == PostStatus.PAUSED
            and access.may_decide_paused(user, post),
            "paused_form": PausedDecisionForm(prefix=f"p{post.pk}", post=post),
            "findings": post.findings,
            "editable": post.status in services.EDITABLE,
            "withdrawable": post.status in services.WAITING | {PostStatus.PAUSED},
        },
    )


# The person acts as the request's `Actor` (its roles already looked up). Deliberate
# acts are not here: approve and reject take their confirmation (`decide`), and crisis
# decisions (PU-12: approve/reject in a crisis, resume/discard after it) the crisis
# pages' (`crisis:decide`, `crisis:paused_decide`). Withdrawing stays one click: it
# puts nothing out (the post goes back to its author's draft, a platform-scheduled
# copy is cancelled) and the author publishes again only through the confirmation.
ACTIONS = {
    "withdraw": lambda r, p, now: services.post_withdraw(actor=r.actor, post_id=p, now=now),
}


def _decided(action: str, now: Any) -> console.Done:
    """What a decision says: done, or for a post the service returned as it was (a
    replayed or double-clicked form, or one of an earlier round: decided at another
    time), that it was decided already."""

    def said(post: Any) -> str:
        stamp = post.approved_at if action == "approve" else post.rejected_at
        if stamp != now:
            return console.Already(_("Dette er allerede avgjort."))
        if action == "approve":
            return _("Utført.")
        return _("Avvist. Forfatteren har fått begrunnelsen.")

    return said


def _approve_consequence(post: Any, channels: list[Any], now: Any) -> str:
    """What approving does: released on the post's channels, at its time or now (a
    time that has passed goes out now, `services._release_approved`)."""
    names = ", ".join(c.name for c in channels)
    if post.publish_at and post.publish_at > now + services.NOW_SLACK:
        return _("Innlegget publiseres %(when)s på %(names)s.") % {
            "when": _when(post.publish_at),
            "names": names,
        }
    return _("Innlegget publiseres nå på %(names)s.") % {"names": names}


@municipality_view()
@require_http_methods(["GET", "POST"])
def decide(request: MunicipalityRequest, municipality: Municipality, pk: int) -> HttpResponse:
    """Approve or reject a post waiting in its approval chain, after a confirmation that
    shows the consequence (the channels, now or when, the text, the findings and the
    author's reason). The form carries the approval round it was shown for, so a
    replayed or double-clicked form, or one of an earlier round, decides nothing twice."""
    post = access.access_post(user=request.actor, id=pk, slug=municipality.slug)
    detail = reverse("publishing:detail", kwargs={"slug": municipality.slug, "pk": post.pk})
    action = (request.POST.get("action") or request.GET.get("action") or "").strip()
    if action not in ("approve", "reject"):
        raise Http404
    form = DecisionReasonForm(_post(request))
    posted_round = request.POST.get("round", "")
    approval_round = parse_id(posted_round) if posted_round else post.approval_round
    if approval_round is None:
        # Not a round this page ever wrote (a hostile or mangled form): decide nothing.
        messages.error(
            request, _("Skjemaet kunne ikke leses. Last inn siden på nytt og prøv igjen.")
        )
        page = reverse("publishing:decide", kwargs={"slug": municipality.slug, "pk": post.pk})
        return redirect(f"{page}?action={action}")
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        now = timezone.now()
        if action == "approve":
            return console.act(
                request,
                lambda: services.post_approve(
                    actor=request.actor, post_id=post.pk, now=now, approval_round=approval_round
                ),
                to=detail,
                done=_decided(action, now),
            )
        decided = submit_form(
            request,
            form,
            lambda data: services.post_reject(
                actor=request.actor,
                post_id=post.pk,
                reason=data["reason"],
                now=now,
                approval_round=approval_round,
            ),
            to=detail,
            done=_decided(action, now),
            field="reason",
        )
        if decided is not None:
            return decided
        # Refused on the form (no reason), with what was typed: the page again.
    elif post.status != PostStatus.AWAITING_APPROVAL:
        messages.info(request, _("Dette er allerede avgjort."))
        return redirect(detail)
    if not access.may_approve(request.actor, post):
        raise PermissionDenied(_("Du har ikke rollen som trengs for dette innlegget."))
    return render(
        request,
        "publishing/confirm_decide.html",
        {
            "post": post,
            "action": action,
            "form": form,
            "round": approval_round,
            "channels": ", ".join(c.name for c in access.post_channels(post)),
            "consequence": _approve_consequence(post, access.post_channels(post), timezone.now()),
            # As the checks read it now: what the approval lets through (PU-10's count
            # and the register may have changed while the post waited).
            "findings": services.post_findings_now(post),
            "attached": services.post_assets(post),
            "back": detail,
        },
    )


@municipality_view()
@require_POST
def act(request: MunicipalityRequest, municipality: Municipality, pk: int) -> HttpResponse:
    """Withdraw (the author's one click; see `ACTIONS`)."""
    post = access.access_post(user=request.actor, id=pk, slug=municipality.slug)
    detail = reverse("publishing:detail", kwargs={"slug": municipality.slug, "pk": post.pk})
    name = request.POST.get("action", "")
    action = ACTIONS.get(name)
    if action is None:
        messages.error(request, _("Ukjent handling."))
        return redirect(detail)
    now = timezone.now()

    def said(result: Any) -> str:
        if result.updated_at != now:  # withdrawn before: a replayed or double-clicked form
            return console.Already(_("Innlegget er allerede trukket tilbake."))
        return _("Utført.")

    return console.act(request, lambda: action(request, post.pk, now), to=detail, done=said)


@municipality_view()
@require_http_methods(["GET", "POST"])
def take_down(request: MunicipalityRequest, municipality: Municipality, pk: int) -> HttpResponse:
    """Confirm, then delete a published post on the platforms (consent withdrawn); once
    taken down, try again where the deletion failed (PU-6), or, where the platform's API
    cannot delete (Instagram), confirm deleting it by hand in the app."""
    post = access.access_post(user=request.actor, id=pk, slug=municipality.slug, need="edit")
    form = ReasonForm(_post(request), initial={"reason": post.flagged_reason})
    confirm_form = ConfirmForm(_post(request))
    now = timezone.now()
    already = _("Innlegget er allerede tatt ned, eller tas ned nå.")
    back = reverse("publishing:detail", kwargs={"slug": municipality.slug, "pk": post.pk})
    if request.method == "POST" and "by_hand" in request.POST:

        def registered(result: Any) -> str:
            if result.updated_at != now:  # a second click: nothing left there
                return console.Already(already)
            return _("Registrert som slettet. Kommentarene under innlegget vises nå som slettet.")

        if confirm_form.is_valid():
            return console.act(
                request,
                lambda: media.post_taken_down_by_hand(
                    actor=request.actor,
                    post_id=post.pk,
                    channel_id=request.POST["by_hand"],
                    now=now,
                ),
                to=back,
                done=registered,
            )
        messages.error(request, _("Kryss av for å bekrefte."))
        form = ReasonForm(initial={"reason": post.flagged_reason})
        confirm_form = ConfirmForm()
    elif request.method == "POST" and confirm_form.is_valid():

        def said(result: Any) -> str:
            if result.updated_at != now:  # nothing left to try: a second click, a replay
                return console.Already(already)
            return _("Innlegget tas ned fra plattformene.")

        taken = submit_form(
            request,
            form,
            lambda data: media.post_take_down(
                actor=request.actor, post_id=post.pk, reason=data["reason"], now=now
            ),
            to=back,
            done=said,
        )
        if taken is not None:
            return taken
    # Only where it is out (a channel where it failed has nothing to delete); taken down
    # already, only where the deletion failed, each with the platform's answer.
    again = post.taken_down_at is not None
    rows = (
        media.deliveries_to_take_down_again(post, now=now)
        if again
        else media.published_deliveries(post)
    )
    deliveries = list(rows.select_related("channel"))
    if again and not deliveries:
        messages.info(request, already)
        return redirect(back)
    # Taken down already: where the API cannot delete (Instagram), a person deletes it in
    # the app and confirms it here; the comments under it show as removed only then.
    by_hand = [d for d in deliveries if again and not media.deletes_by_api(d.channel)]
    going = media.comments_going_with_per_channel(deliveries)
    return render(
        request,
        "publishing/take_down.html",
        {
            "post": post,
            "form": form,
            "confirm_form": confirm_form,
            "again": again,
            "deliveries": deliveries,
            "by_hand": by_hand,
            "retry": [d for d in deliveries if d not in by_hand],
            # The citizens' comments the platform deletes with the post, channel by
            # channel, archived first (MO-2); how many of their authors are told and
            # how, and why the others are not (MO-4).
            "going": going,
            "comments": sum(count for _channel, count in going),
            "authors": with_post.plan(
                media.comments_going_with(deliveries) if going else [],
                municipality=municipality,
                now=now,
            ),
        },
    )


@municipality_view()
def approvals(request: MunicipalityRequest, municipality: Municipality) -> HttpResponse:
    """The approval queue: what this person may approve (findings and consent shown)."""
    posts = selectors.posts_awaiting_approval(municipality=municipality, user=request.actor)
    crisis_posts: list[Any] = []
    from ordstyrer.crisis.selectors import may_approve_in_crisis

    if may_approve_in_crisis(user=request.actor, municipality=municipality):
        crisis_posts = selectors.posts_awaiting_crisis_approval(municipality=municipality)
    return render(
        request,
        "publishing/approvals.html",
        {"posts": posts, "crisis_posts": crisis_posts},
    )


def _week_day(value: str | None) -> date:
    """`?uke=YYYY-MM-DD`: this week when missing, unreadable or outside `FIRST_DAY` …
    `LAST_DAY` (as a report's period, `core.reports`: year 1 or 9999 overflows)."""
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        day = None
    return day if day is not None and FIRST_DAY <= day <= LAST_DAY else timezone.localdate()


@municipality_view()
@require_GET
def calendar(request: MunicipalityRequest, municipality: Municipality) -> HttpResponse:
    _require_publisher(request, municipality)
    day = _week_day(request.GET.get("uke"))
    week = selectors.calendar_week(municipality=municipality, user=request.actor, day=day)
    return render(
        request,
        "publishing/calendar.html",
        {
            "week": week,
            "previous": (week.start - timedelta(days=7)).isoformat(),
            "next": (week.start + timedelta(days=7)).isoformat(),
            "end": week.start + timedelta(days=6),
        },
    )


@municipality_view()
@require_http_methods(["GET", "POST"])
def media_list(request: MunicipalityRequest, municipality: Municipality) -> HttpResponse:
    _require_publisher(request, municipality)
    form = MediaUploadForm(
        _post(request), _files(request), policy=policy_for(municipality=municipality)
    )
    if request.method == "POST":

        def upload(data: dict[str, Any]) -> Any:
            file, captions = data["file"], data.get("captions")
            if file.size > MAX_FORM_FILE:
                raise ServiceError(gettext_lazy("Filen er for stor."), code="invalid")
            asset = media.media_upload(
                actor=request.actor,
                municipality=municipality,
                filename=file.name,
                content=file.read(),
                alt_text=data["alt_text"],
                caption_mode=data.get("caption_mode") or "",
                captions_name=captions.name if captions else "",
                captions=captions.read() if captions else None,
            )
            _say_location_removed(request, asset)
            return asset

        uploaded = submit_form(
            request,
            form,
            upload,
            to=lambda asset: reverse(
                "publishing:media_detail", kwargs={"slug": municipality.slug, "pk": asset.pk}
            ),
            done=_("Filen er lastet opp. Fyll ut registeret."),
        )
        if uploaded is not None:
            return uploaded
    return render(
        request,
        "publishing/media_list.html",
        {"assets": selectors.media_list(municipality=municipality), "form": form},
    )


def _register_facts(asset: MediaAsset) -> dict[str, str]:
    """The register's facts about a file as `RegisterForm` shows them."""
    return {
        "alt_text": asset.alt_text,
        "people": asset.people,
        "children": tri_initial(asset.children),
        "photographer": asset.photographer,
        "photographer_permission": tri_initial(asset.photographer_permission),
        "music_cleared": tri_initial(asset.music_cleared),
    }


def _register_conflicts(request: HttpRequest, asset: MediaAsset, form: RegisterForm) -> Any:
    """What the person changed on the register's page (against the `shown_*` the page
    showed; a page without them counts as showing the register as it is), and of those
    the facts another person changed too since the page was shown (PU-4, PU-6)."""
    now, data = _register_facts(asset), form.cleaned_data
    changed, conflicts = {}, []
    for name in RegisterForm.FACTS:
        typed = data[name]
        shown = data[f"shown_{name}"] if f"shown_{name}" in request.POST else now[name]
        if typed in (shown, now[name]):
            continue
        if shown != now[name]:
            conflicts.append(name)
        else:
            changed[name] = typed
    return changed, conflicts


def _register_save(
    request: MunicipalityRequest, asset: MediaAsset, form: RegisterForm
) -> HttpResponse | None:
    """Write what the person changed, nothing else, the file locked: a fact left as
    shown never undoes what another person recorded since (a consent makes the people
    recognisable, PU-6; an alt text is written for every post using the file, PU-4). A
    fact both changed is refused, nothing is written (None: the page again,
    `_register_again`)."""
    back = redirect("publishing:media_detail", slug=asset.municipality.slug, pk=asset.pk)
    with transaction.atomic():
        locked = MediaAsset.objects.select_for_update().defer("content").get(pk=asset.pk)
        changed, conflicts = _register_conflicts(request, locked, form)
        if conflicts:
            return None
        if not changed:
            messages.info(request, _("Ingen endringer."))
            return back

        def tri_fact(name: str) -> bool | None:
            return tri(changed[name]) if name in changed else None  # None: left as it is

        media.media_update(
            actor=request.actor,
            asset_id=asset.pk,
            alt_text=changed.get("alt_text"),
            people=changed.get("people"),
            children=tri_fact("children"),
            photographer=changed.get("photographer"),
            photographer_permission=tri_fact("photographer_permission"),
            music_cleared=tri_fact("music_cleared"),
        )
    messages.success(request, _("Registeret er oppdatert."))
    return back


def _register_again(request: HttpRequest, asset: MediaAsset, form: RegisterForm) -> RegisterForm:
    """The register's form after a refused save: what the person changed, kept, the rest
    as the register holds it now, and at each fact both changed, the register's value
    now. Every `shown_*` is the register now: sent again, the person's values win."""
    changed, conflicts = _register_conflicts(request, asset, form)
    now = _register_facts(asset)
    data = request.POST.copy()
    for name in RegisterForm.FACTS:
        data[f"shown_{name}"] = now[name]
        if name not in changed and name not in conflicts:
            data[name] = now[name]
    again = RegisterForm(data, initial=now, policy=policy_for(municipality=asset.municipality))
    again.is_valid()
    for name in conflicts:
        if now[name] == "" and name in ("alt_text", "photographer"):
            said = _("Endret i registeret etter at du åpnet siden: nå er feltet tomt.")
        else:
            choices = dict(getattr(again.fields[name], "choices", ()))
            value = choices.get(now[name], now[name])
            said = _("Endret i registeret etter at du åpnet siden. Nå står det: «%(value)s».") % {
                "value": value
            }
        again.add_error(name, said)
    messages.error(
        request,
        _(
            "Noen har endret registeret for filen mens du hadde siden åpen. Ingenting er "
            "lagret. Se over feltene som er merket, og lagre på nytt."
        ),
    )
    return again


@municipality_view()
@require_http_methods(["GET", "POST"])
def media_detail(request: MunicipalityRequest, municipality: Municipality, pk: int) -> HttpResponse:
    """The register for one file: facts (PU-4/6/7), consents; a withdrawal takes its
    confirmation (`consent_withdraw`)."""
    _require_publisher(request, municipality)
    asset = selectors.media_detail(municipality=municipality, asset_id=pk)
    register = RegisterForm(
        request.POST if request.POST.get("form") == "register" else None,
        initial=_register_facts(asset),
        policy=policy_for(municipality=municipality),
    )
    consent = ConsentForm(
        request.POST if request.POST.get("form") == "consent" else None,
        request.FILES if request.POST.get("form") == "consent" else None,
    )
    try:
        if (
            request.method == "POST"
            and request.POST.get("form") == "register"
            and register.is_valid()
        ):
            saved = _register_save(request, asset, register)
            if saved is not None:
                return saved
            asset.refresh_from_db(fields=RegisterForm.FACTS)
            register = _register_again(request, asset, register)
        if (
            request.method == "POST"
            and request.POST.get("form") == "consent"
            and consent.is_valid()
        ):
            d = consent.cleaned_data
            upload = d.get("form_file")
            media.consent_record(
                actor=request.actor,
                asset_id=asset.pk,
                person_name=d["person_name"],
                given_by=d["given_by"],
                given_at=d["given_at"],
                is_child=d["is_child"],
                form_name=upload.name if upload else "",
                form_content=upload.read() if upload else None,
            )
            messages.success(request, _("Samtykket er registrert."))
            return redirect("publishing:media_detail", slug=municipality.slug, pk=asset.pk)
    except ServiceError as exc:
        console.fail_message(request, exc)
    consents = list(asset.consents.all())
    # A consent withdrawn (on `consent_withdraw`'s confirmation): the posts with the file
    # still out somewhere are offered for take-down until they are taken down (PU-6).
    affected = media.posts_to_take_down(asset) if any(c.withdrawn_at for c in consents) else None
    return render(
        request,
        "publishing/media_detail.html",
        {
            "asset": asset,
            "register": register,
            "consent_form": consent,
            "consents": consents,
            "posts": media.posts_using(asset),
            "affected": affected,
            "public_url": None,
        },
    )


@municipality_view()
@require_http_methods(["GET", "POST"])
def consent_withdraw(
    request: MunicipalityRequest, municipality: Municipality, pk: int, consent_pk: int
) -> HttpResponse:
    """Confirm, then withdraw a consent (PU-6): permanent, and it stops the posts with
    the file on their way, tells their authors and flags the rest. The page lists every
    post using the file and what happens to it; nothing is ticked. A replayed or
    double-clicked form finds the consent withdrawn and does nothing again."""
    _require_publisher(request, municipality)
    asset = selectors.media_detail(municipality=municipality, asset_id=pk)
    consent = asset.consents.filter(pk=consent_pk).first()
    if consent is None:
        raise Http404
    back = reverse("publishing:media_detail", kwargs={"slug": municipality.slug, "pk": asset.pk})
    if consent.withdrawn_at is not None:
        if request.method == "POST":  # a replayed or double-clicked confirmation
            messages.info(request, _("Samtykket er allerede trukket tilbake."))
        return redirect(back)
    form = WithdrawalNoteForm(_post(request))
    confirm_form = ConfirmForm(_post(request))
    if request.method == "POST" and confirm_form.is_valid():
        now = timezone.now()

        def said(_offered: Any) -> str:
            # Withdrawn at another time: a form sent twice at once, the other one first.
            consent.refresh_from_db(fields=["withdrawn_at"])
            if consent.withdrawn_at != now:
                return console.Already(_("Samtykket er allerede trukket tilbake."))
            return _(
                "Samtykket er trukket tilbake. Innlegg med filen som ventet eller var "
                "planlagt, er stoppet og er utkast igjen; forfatterne har fått beskjed. "
                "Publiserte innlegg med filen er merket."
            )

        withdrawn = submit_form(
            request,
            form,
            lambda data: media.consent_withdraw(
                actor=request.actor, consent_id=consent.pk, note=data["note"], now=now
            ),
            to=back,
            done=said,
        )
        if withdrawn is not None:
            return withdrawn
    return render(
        request,
        "publishing/consent_withdraw.html",
        {
            "asset": asset,
            "consent": consent,
            "form": form,
            "confirm_form": confirm_form,
            "effects": media.consent_withdraw_preview(asset),
            "back": back,
        },
    )


# What the private check found (`publishing.private.FINDINGS`), said to the employee.
# Only what the text contains: why it matters is the guideline's to say, and the page
# shows that below the message (`Advice.guidance`, the employee guide's own statements).
PRIVATE_MESSAGES = {
    "personal_data": gettext_lazy(
        "Teksten ser ut til å inneholde personopplysninger (%(kinds)s). Fjern dem."
    ),
    "service_users": gettext_lazy("Du nevner «%(word)s»."),
    "official_voice": gettext_lazy("«%(words)s» kan leses som kommunens offisielle syn."),
    "work": gettext_lazy("Du skriver om arbeidet («%(word)s»)."),
    "place": gettext_lazy("Du forteller hvor du er («%(word)s»)."),
    "closed_group": gettext_lazy("Du skriver om en lukket gruppe («%(word)s»)."),
    "forbidden_app": gettext_lazy("Du nevner %(app)s."),
    "nothing_found": gettext_lazy("Vi fant ikke noe å advare om."),
    "contact": gettext_lazy("Lurer du på noe? Spør %(title)s %(name)s."),
    "contact_with_phone": gettext_lazy(
        "Lurer du på noe? Spør %(title)s %(name)s, telefon %(phone)s."
    ),
}


def private_message(advice: Advice) -> str:
    """The advice in the reader's language; the personal data by the names the inbox
    gives them."""
    params = dict(advice.params)
    if advice.personal_data:
        params["kinds"] = ", ".join(
            str(PII_LABELS.get(kind, kind)) for kind in advice.personal_data
        )
    return str(PRIVATE_MESSAGES[advice.finding]) % params


@municipality_view()
@require_http_methods(["GET", "POST"])
def private_check(request: MunicipalityRequest, municipality: Municipality) -> HttpResponse:
    """EM-1 … EM-9 for any member: advice on a private post. The text is never stored."""
    form = PrivateCheckForm(_post(request))
    policy = policy_for(municipality=municipality)
    advice = None
    if request.method == "POST" and form.is_valid():
        found = run_private_check(
            form.cleaned_data["text"], policy, workplace=municipality.name, lang=text_language()
        )
        advice = [(a, private_message(a)) for a in found]
    # EM-3's reply to a friend request, for the employee to send themself (never an
    # inbox template: the municipality does not speak as a private employee, CH-3).
    friend = friend_request_reply(policy)
    response = render(
        request,
        "publishing/private.html",
        {"form": form, "advice": advice, "friend_reply": friend},
    )
    response["Cache-Control"] = "no-store"
    return response


@municipality_view()
@require_http_methods(["GET", "POST"])
def settings_view(request: MunicipalityRequest, municipality: Municipality) -> HttpResponse:
    """The municipality's own website (PU-9), contact person (EM-9, DI-10 where the
    policy applies them; PU-1's own number and address everywhere) and address for
    formal inquiries (DI-7); each channel's approval, four eyes and main-page flag, set
    by communications and the chief administrator and shown read-only to a channel's
    main administrator (`access.may_set_publishing`, CH-4, PU-10)."""
    may_policy = access.may_set_publishing(request.actor, municipality)
    channels = access.settings_channels(request.actor, municipality)
    if not may_policy and not channels:
        raise PermissionDenied(_("Du har ikke rollen som trengs for dette."))
    # Its own values only; the preset's own municipality sees the preset's as placeholders.
    defaults = identity_defaults(municipality=municipality) if may_policy else {}
    # The contact person's rules where the policy applies them (EM-9, DI-10); under a
    # guideline with neither, the contact only marks the municipality's own number and
    # address (PU-1), and the form says so without citing them.
    policy = policy_for(municipality=municipality)
    contact_rules = [r for r in ("EM-9", "DI-10") if policy.applies(r)]
    site = IdentityForm(
        request.POST if request.POST.get("form") == "site" else None,
        initial={name: getattr(municipality, name) for name in IDENTITY_FIELDS},
        defaults=defaults,
        policy=policy,
    )
    if may_policy and request.POST.get("form") == "site":
        done = submit_form(
            request,
            site,
            lambda data: municipality_identity_update(
                actor=request.actor, municipality=municipality, **data
            ),
            to=reverse("publishing:settings", args=[municipality.slug]),
            done=lambda changed: (
                _("Lagret.") if changed else console.Already(_("Ingen endringer."))
            ),
        )
        if done is not None:
            return done
    rows = []
    for channel in channels:
        current = access.channel_settings(channel)
        prefix = f"c{channel.pk}"
        bound = request.POST if request.POST.get("form") == prefix else None
        rows.append(
            (
                channel,
                prefix,
                ChannelSettingsForm(
                    bound,
                    prefix=prefix,
                    policy=policy,
                    locked=not may_policy,
                    initial={
                        "approval": current.approval,
                        "four_eyes": current.four_eyes,
                        "is_main_page": current.is_main_page,
                    },
                ),
            )
        )
    if request.method == "POST":
        try:
            for channel, prefix, form in rows:
                if request.POST.get("form") == prefix and form.is_valid():
                    services.channel_publishing_update(
                        actor=request.actor, channel=channel, **form.cleaned_data
                    )
                    messages.success(request, _("Lagret."))
                    return redirect("publishing:settings", slug=municipality.slug)
        except ServiceError as exc:
            console.fail_message(request, exc)
    return render(
        request,
        "publishing/settings.html",
        {
            "site": site,
            "defaults": defaults,
            "may_policy": may_policy,
            "contact_rules": contact_rules,
            "rows": rows,
            # A channel's main administrator sees its settings, and why they cannot change them.
            "locked": None if may_policy else access.SETTINGS_LOCKED,
        },
    )


@require_GET
def public_media(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """The file behind an unguessable token, without login: Instagram fetches post media
    from a public URL (Graph §4.5). Served only while a platform needs it for a post on
    its way, never once its consent is withdrawn or the post taken down (PU-6,
    `access.public_media_asset`). Nothing else is served this way."""
    if len(token) < 32:
        raise Http404
    asset = access.public_media_asset(slug=slug, token=token)
    if asset is None:
        raise Http404
    response = HttpResponse(bytes(asset.content), content_type=asset.mime)
    # Nobody keeps a copy: served only while needed, it may be gone the next minute.
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
