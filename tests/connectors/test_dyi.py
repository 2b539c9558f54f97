"""Download-your-information import: Norwegian text through Meta's mojibake (spec §6)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from ordstyrer.connectors.facebook.dyi import parse_dyi, repair_mojibake, synthetic_id

POST_TEXT = "Vannet er tilbake på Ørsta og i Ålgårdveien – takk for tålmodigheten! 💧"
COMMENT_TEXT = "Hei Bjørn! Vi har meldt fra til Statens vegvesen. Hilsen Åse"


def meta_json(value) -> bytes:
    """Encode like Meta: each UTF-8 byte escaped as \\u00XX."""

    def mangle(v):
        if isinstance(v, str):
            return v.encode("utf-8").decode("latin-1")
        if isinstance(v, list):
            return [mangle(x) for x in v]
        if isinstance(v, dict):
            return {k: mangle(x) for k, x in v.items()}
        return v

    return json.dumps(mangle(value), ensure_ascii=True).encode("ascii")


POSTS = [
    {
        "timestamp": 1700086400,
        "data": [{"post": POST_TEXT}, {"update_timestamp": 1700090000}],
        "attachments": [
            {
                "data": [
                    {
                        "media": {
                            "uri": "this_profile's_activity_across_facebook/posts/media/Album_777/p01.jpg",
                            "creation_timestamp": 1700000000,
                            "title": "Vannverket på Åsen",
                            "media_metadata": {
                                "photo_metadata": {"exif_data": [{"upload_ip": "10.0.0.1"}]}
                            },
                        }
                    },
                    {"external_context": {"url": "https://kommune.example/vann"}},
                ]
            }
        ],
        "title": "Eksempel kommune updated their status.",
    },
    {"timestamp": 1700172800, "data": [{"post": "Kulturskolen har åpen dag lørdag 🎻"}]},
    {
        "timestamp": 1700259200,
        "attachments": [
            {"data": [{"media": {"uri": "posts/media/v/film.mp4", "title": "17. mai"}}]}
        ],
    },
    {"timestamp": 1700300000, "data": [{"update_timestamp": 1}]},  # nothing to import
    {"no": "timestamp"},
]
COMMENTS = {
    "comments_v2": [
        {
            "timestamp": 1700087000,
            "data": [
                {
                    "comment": {
                        "timestamp": 1700087000,
                        "comment": COMMENT_TEXT,
                        "author": "Eksempel kommune",
                    }
                }
            ],
            "title": "Eksempel kommune replied to Bjørn Ærøy's comment.",
        },
        {
            "timestamp": 1700088000,
            "data": [
                {
                    "comment": {
                        "timestamp": 1700088000,
                        "comment": "Gratulerer med dagen, Nesbyen!",
                        "author": "Kåre Øvrebø",
                    }
                }
            ],
        },
        {"timestamp": 1700089000, "data": []},
    ]
}


def write_export(root: Path, prefix: str) -> Path:
    base = root / "facebook-eksempelkommune-2026-05-04-abc" / prefix
    (base / "posts").mkdir(parents=True)
    (base / "comments_and_reactions").mkdir(parents=True)
    (base / "posts" / "profile_posts_1.json").write_bytes(meta_json(POSTS))
    (base / "comments_and_reactions" / "comments.json").write_bytes(meta_json(COMMENTS))
    return root


@pytest.mark.parametrize(
    ("broken", "fixed"),
    [
        ("Ã¸", "ø"),
        ("Ã\x98rsta", "Ørsta"),
        ("fÃ¥r vi svar pÃ¥ Ã¦rend?", "får vi svar på ærend?"),
        ("ð\x9f\x92§", "💧"),
        ("ø", "ø"),  # already right: unchanged
        ("😀 ok", "😀 ok"),
    ],
)
def test_repair_mojibake(broken: str, fixed: str) -> None:
    assert repair_mojibake(broken) == fixed


@pytest.mark.parametrize(
    "prefix", ["this_profile's_activity_across_facebook", "your_facebook_activity"]
)
def test_parse_folder_export_both_layouts(tmp_path: Path, prefix: str) -> None:
    export = parse_dyi(write_export(tmp_path, prefix), page_id="111", page_name="Eksempel kommune")
    assert [p.text for p in export.posts] == [POST_TEXT, "Kulturskolen har åpen dag lørdag 🎻", ""]
    first = export.posts[0]
    assert first.created_at.timestamp() == 1700086400 and first.author.id == "111"
    assert first.link == "https://kommune.example/vann"
    assert first.media[0].title == "Vannverket på Åsen" and first.media[0].kind == "image"
    assert export.posts[2].media[0].kind == "video"
    assert first.id == synthetic_id(1700086400, POST_TEXT)
    assert [c.text for c in export.comments] == [COMMENT_TEXT, "Gratulerer med dagen, Nesbyen!"]
    assert export.comments[0].is_page_author and not export.comments[1].is_page_author
    assert export.comments[1].author.name == "Kåre Øvrebø" and export.comments[0].post_id is None
    assert "Bjørn Ærøy" in export.comments[0].raw["title"]
    assert export.skipped == 3 and len(export.files) == 2


def test_parse_zip_and_merge_overlapping_exports(tmp_path: Path) -> None:
    folder = write_export(tmp_path / "a", "your_facebook_activity")
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in folder.rglob("*.json"):
            z.write(path, path.relative_to(folder).as_posix())
    single = parse_dyi(archive)
    both = parse_dyi([archive, folder])
    assert [p.id for p in single.posts] == [p.id for p in both.posts]
    assert len(both.comments) == 2 and len(both.files) == 4


def test_missing_source(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="Fant ingen eksport"):
        parse_dyi(tmp_path / "finnes-ikke")
