"""The second, blind labelling that measures how far two annotators agree on the
categories (issue #16): the measure, the interval over posts, and the shipped file."""

from __future__ import annotations

import json
import math

import pytest

from ordstyrer.language.classify import CATEGORIES
from ordstyrer.language.train import agreement
from ordstyrer.language.train import comments as train_comments


def test_f1_per_category_and_macro_by_hand():
    gold = [["question"], ["question", "complaint"], ["praise"], ["complaint"]]
    other = [["question"], ["complaint"], ["question"], ["complaint"]]
    figures = agreement.per_category_f1(gold, other)
    # question: 1 shared, 2 gold, 2 other -> 0.5; complaint: 2, 2, 2 -> 1.0; praise: 0;
    # the categories neither side uses are left out of the mean.
    assert figures["question"] == pytest.approx(0.5)
    assert figures["complaint"] == pytest.approx(1.0)
    assert figures["praise"] == 0.0
    assert math.isnan(figures["spam"])
    assert figures["macro"] == pytest.approx(1.5 / 3)


def test_identical_labellings_agree_fully_and_the_interval_is_a_point():
    gold = [[cat] for cat in CATEGORIES] * 2
    figures = agreement.per_category_f1(gold, gold)
    assert figures["macro"] == pytest.approx(1.0)
    groups = [f"post:{i % 5}" for i in range(len(gold))]
    assert agreement.group_interval(gold, gold, groups, rounds=50) == (1.0, 1.0)


def test_the_interval_resamples_whole_posts():
    # One post agrees on everything, the other on nothing: resampled posts give
    # macro-F1 between the two, and the interval spans that range.
    gold = [[cat] for cat in CATEGORIES] * 2
    other = [[cat] for cat in CATEGORIES] + [
        ["spam"] if cat != "spam" else ["praise"] for cat in CATEGORIES
    ]
    groups = ["post:a"] * len(CATEGORIES) + ["post:b"] * len(CATEGORIES)
    low, high = agreement.group_interval(gold, other, groups, rounds=200)
    point = agreement.per_category_f1(gold, other)["macro"]
    assert 0.0 <= low < point < high <= 1.0


def test_load_second_refuses_unknown_or_missing_labels(tmp_path):
    path = tmp_path / "second.jsonl"
    path.write_text(json.dumps({"id": "c0001", "labels": ["klage"]}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="ugyldige kategorier"):
        agreement.load_second(path)
    path.write_text(json.dumps({"id": "c0001", "labels": []}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="ugyldige kategorier"):
        agreement.load_second(path)


def test_the_shipped_second_labelling_points_into_the_labelled_set_and_holds_no_text():
    labelled = {r["id"]: r for r in train_comments.load_jsonl(train_comments.LABELLED)}
    second = agreement.load_second()
    assert set(second) <= set(labelled)
    rows = [json.loads(line) for line in agreement.SECOND.read_text("utf-8").splitlines() if line]
    assert all(set(row) == {"id", "labels"} for row in rows), "ids and labels only"
    sides = {train_comments.held_out(labelled[i]) for i in second}
    assert sides == {True, False}, "both the training and the held-out posts are covered"


def test_the_command_prints_both_sides(capsys):
    assert agreement.main([]) == 0
    out = capsys.readouterr().out
    assert "training posts" in out and "held-out posts" in out
    assert "90 % interval over posts" in out


@pytest.mark.parametrize(
    "content",
    [
        "",
        "ikke json\n",
        '{"labels": ["spam"]}\n',
        '{"id": "c0001", "labels": "spam"}\n',
        "[1, 2]\n",
    ],
)
def test_the_command_answers_bad_input_with_one_line(tmp_path, capsys, content):
    path = tmp_path / "second.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SystemExit) as refused:
        agreement.main(["--second", str(path)])
    assert str(path) in str(refused.value.code)
    assert "\n" not in str(refused.value.code)
    with pytest.raises(SystemExit) as missing:
        agreement.main(["--second", str(tmp_path / "finnes-ikke.jsonl")])
    assert "kan ikke lese" in str(missing.value.code)
