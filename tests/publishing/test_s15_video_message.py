"""A video whose recording place was taken out (PU-1, EM-7) is confirmed as a video.

Before this, the media register's upload and the composer's both said «Bildet inneholdt
stedsinformasjon … før bildet ble lagret» after a phone's MP4 lost its `©xyz`, `loci`
and Apple location boxes: the image, for a film. The video is built box by box as in
`test_s15_media_location`.
"""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile

from ordstyrer.publishing.models import MediaAsset, MediaKind
from tests.publishing.conftest import png
from tests.publishing.test_qa_media_s14 import photo
from tests.publishing.test_s15_media_location import HOME, XYZ, url, video

pytestmark = pytest.mark.django_db

VIDEO_SAID = (
    "Videoen inneholdt stedsinformasjon (GPS-posisjon). Den er fjernet før videoen ble "
    "lagret, og sendes ikke til plattformene."
)
PHOTO_SAID = (
    "Bildet inneholdt stedsinformasjon (GPS-posisjon). Den er fjernet før bildet ble "
    "lagret, og sendes ikke til plattformene."
)


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def register_upload(world, client, name: str, content: bytes, mime: str):
    client.force_login(world.editor)
    response = client.post(
        url(world, "media"),
        {
            "file": SimpleUploadedFile(name, content, content_type=mime),
            "alt_text": "Kommunestyret i møte",
            "caption_mode": "no_speech",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def test_the_registers_upload_of_a_located_video_says_video(world, client):
    original = video()
    assert HOME in original and XYZ in original  # the phone's film says where it was made
    response = register_upload(world, client, "IMG_0042.MP4", original, "video/mp4")
    asset = MediaAsset.objects.get(municipality=world.municipality)
    assert asset.kind == MediaKind.VIDEO
    assert HOME not in bytes(asset.content) and XYZ not in bytes(asset.content)
    messages = said(response)
    assert VIDEO_SAID in messages
    assert PHOTO_SAID not in messages


def test_the_registers_upload_of_a_located_photo_still_says_photo(world, client):
    response = register_upload(world, client, "bilde.jpg", photo(), "image/jpeg")
    asset = MediaAsset.objects.get(municipality=world.municipality)
    assert asset.kind == MediaKind.IMAGE
    messages = said(response)
    assert PHOTO_SAID in messages and VIDEO_SAID not in messages


def test_a_video_without_a_place_says_nothing_about_location(world, client):
    response = register_upload(world, client, "uten-sted.mp4", video(located=False), "video/mp4")
    assert MediaAsset.objects.get(municipality=world.municipality).kind == MediaKind.VIDEO
    assert not any("stedsinformasjon" in m for m in said(response))


def test_the_composers_upload_of_a_located_video_says_video(world, client):
    client.force_login(world.editor)
    response = client.post(
        url(world, "compose"),
        {
            "channels": [world.page.pk],
            "text": "Kommunestyret i dag. Se https://indrefosen.kommune.no",
            "upload": SimpleUploadedFile("IMG_0042.MP4", video(), content_type="video/mp4"),
            "upload_alt": "Kommunestyret i møte",
            "upload_caption_mode": "no_speech",
        },
        follow=True,
    )
    page = response.content.decode()
    asset = MediaAsset.objects.get(municipality=world.municipality)
    assert asset.kind == MediaKind.VIDEO and HOME not in bytes(asset.content)
    assert VIDEO_SAID in page
    assert "Bildet inneholdt stedsinformasjon" not in page


def test_another_municipalitys_editor_uploads_nothing_here(world, client):
    client.force_login(world.p.outsider)
    response = client.post(
        url(world, "media"),
        {"file": SimpleUploadedFile("x.png", png(), content_type="image/png"), "alt_text": "x"},
    )
    assert response.status_code in (403, 404)
    assert not MediaAsset.objects.exists()
