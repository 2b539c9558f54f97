"""QA findings on the publishing pages: subtitle files not saved as UTF-8, a replayed
publish confirmation, a rejection reason made only of zero-width characters. Each ends
in a clear Norwegian message at the field (the rest of the input kept), never a 500."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ordstyrer.core.errors import ServiceError
from ordstyrer.publishing.forms import ReasonForm
from ordstyrer.publishing.media import media_upload, read_captions
from ordstyrer.publishing.models import MediaAsset, Post, PostStatus
from ordstyrer.publishing.services import post_create
from tests.publishing.conftest import MP4

pytestmark = pytest.mark.django_db

TEXT = "Biblioteket er åpent til klokka seks i dag. Se https://indrefosen.kommune.no"
SRT = "1\r\n00:00:00,000 --> 00:00:02,000\r\nBlåbær og æbleskiver på rådhuset.\r\n"
NOT_UTF8 = (
    "«film.srt» er ikke lagret som UTF-8. Lagre undertekstfilen med tegnkoding UTF-8 "
    "og last den opp på nytt."
)


def url(w, name, *args):
    return reverse(f"publishing:{name}", args=[w.municipality.slug, *args])


@pytest.mark.parametrize(
    "encoded",
    [
        SRT.encode("utf-8"),
        SRT.encode("utf-8-sig"),
        SRT.encode("utf-16"),  # with its byte order mark
        SRT.encode("utf-16-be").join([b"\xfe\xff", b""]),
        SRT.encode("utf-32"),
        SRT.encode("cp1252"),  # older Norwegian subtitle tools
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "utf-32-bom", "cp1252"],
)
def test_subtitles_in_the_usual_encodings_are_read(encoded):
    assert read_captions("film.srt", encoded) == SRT


@pytest.mark.parametrize(
    "encoded",
    [
        SRT.encode("utf-16-le"),  # no byte order mark: NUL bytes between the letters
        b"\x81\x8d" + SRT.encode("cp1252"),  # bytes cp1252 has no letter for
        SRT.encode("utf-8") + b"\x00",
    ],
    ids=["utf-16-no-bom", "not-cp1252", "nul"],
)
def test_subtitles_that_cannot_be_read_safely_ask_for_utf8(encoded):
    with pytest.raises(ServiceError) as refused:
        read_captions("film.srt", encoded)
    assert str(refused.value.message) == NOT_UTF8


def test_the_register_upload_reads_utf16_and_cp1252_subtitles(client, world):
    client.force_login(world.editor)
    for encoding in ("utf-16", "cp1252"):
        response = client.post(
            url(world, "media"),
            {
                "file": SimpleUploadedFile("film.mp4", MP4, content_type="video/mp4"),
                "alt_text": "Kommunestyret",
                "caption_mode": "file",
                "captions": SimpleUploadedFile("film.srt", SRT.encode(encoding)),
            },
        )
        assert response.status_code == 302
    texts = list(MediaAsset.objects.values_list("captions_text", flat=True))
    assert texts == [SRT, SRT]


def test_an_unreadable_subtitle_file_is_refused_at_its_field_in_the_register(client, world):
    client.force_login(world.editor)
    response = client.post(
        url(world, "media"),
        {
            "file": SimpleUploadedFile("film.mp4", MP4, content_type="video/mp4"),
            "alt_text": "Kommunestyret i møte",
            "caption_mode": "file",
            "captions": SimpleUploadedFile("film.srt", SRT.encode("utf-16-le")),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"captions": [NOT_UTF8]}
    page = response.content.decode()
    assert "er ikke lagret som UTF-8" in page
    assert 'value="Kommunestyret i møte"' in page  # the other input kept
    assert not MediaAsset.objects.exists()


def test_an_unreadable_subtitle_file_is_refused_at_its_field_in_the_composer(client, world):
    client.force_login(world.editor)
    response = client.post(
        url(world, "compose"),
        {
            "channels": [world.page.pk],
            "text": TEXT,
            "links": "",
            "upload": SimpleUploadedFile("film.mp4", MP4, content_type="video/mp4"),
            "upload_alt": "Kommunestyret",
            "upload_caption_mode": "file",
            "upload_captions": SimpleUploadedFile("film.srt", SRT.encode("utf-16-le")),
            "action": "save",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"upload_captions": [NOT_UTF8]}
    assert "Biblioteket er åpent til klokka seks" in response.content.decode()
    assert not Post.objects.exists() and not MediaAsset.objects.exists()


def test_the_service_refuses_the_same_file_without_the_form(world):
    with pytest.raises(ServiceError, match="UTF-8"):
        media_upload(
            actor=world.editor,
            municipality=world.municipality,
            filename="film.mp4",
            content=MP4,
            caption_mode="file",
            captions_name="film.srt",
            captions=SRT.encode("utf-16-le"),
        )
    assert not MediaAsset.objects.exists()


def test_a_replayed_publish_confirmation_says_it_was_sent_already(
    client, world, django_capture_on_commit_callbacks
):
    post = post_create(
        actor=world.editor,
        municipality=world.municipality,
        channel_ids=[world.page.pk],
        text=TEXT,
    )
    client.force_login(world.editor)
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(url(world, "confirm", post.pk), {"confirm": "on"})
    assert sent.status_code == 302
    client.get(sent["Location"])  # shows the first message
    status = Post.objects.get(pk=post.pk).status
    assert status == PostStatus.PUBLISHED
    replay = client.post(url(world, "confirm", post.pk), {"confirm": "on"})
    assert replay.status_code == 302 and replay["Location"] == url(world, "detail", post.pk)
    said = [(m.level_tag, str(m)) for m in get_messages(replay.wsgi_request)]
    assert said == [("info", "Innlegget er allerede sendt: Publisert.")]
    assert Post.objects.get(pk=post.pk).status == status
    client.get(replay["Location"])  # shows it
    # Opening the page (no POST) still just goes to the post, saying nothing.
    opened = client.get(url(world, "confirm", post.pk))
    assert opened.status_code == 302
    assert not list(get_messages(opened.wsgi_request))


def test_a_reason_of_zero_width_characters_is_missing():
    assert ReasonForm({"reason": "\u200b\u200d\ufeff"}).errors == {
        "reason": ["Skriv en begrunnelse."]
    }
    assert ReasonForm({"reason": "\u200bVent en uke."}).is_valid()
