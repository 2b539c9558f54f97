"""The comment categories (DI-3…DI-12, MO-1): one list for the classifier, the triage and
the simulated platform's corpus. Pure and light: no numpy, no model."""

from __future__ import annotations

# Categories that call for a reply or nothing (not moderation): the fallback label when no
# category reaches its threshold (`classify.decide_labels`).
ANSWERING: tuple[str, ...] = (
    "question",
    "praise",
    "neutral",
    "complaint",
    "factual_error",
    "case_processing",
    "political",
)
# In the order of the trained model's outputs (models/comments.npz).
CATEGORIES: tuple[str, ...] = (
    *ANSWERING,
    "spam",
    "hate_speech",
    "harassment",
    "third_party",
    "sensitive",
    "rumour",
)
