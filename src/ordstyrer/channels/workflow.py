"""The channel life cycle as an explicit state machine (CH-1), and the approval chain.

Pure Python, no Django: the services guard every transition through `next_status`,
and the tests walk the whole table for every preset without a database.

    draft ──submit──▶ submitted ──approve──▶ in_review ──approve (last step)──▶ approved
      ▲                   │  └──approve (last step)──────────────────────────────▲
      └──withdraw─────────┤                                                      │
    rejected ◀──reject────┘ (also from in_review); rejected ──submit──▶ submitted
    approved ──activate──▶ active ⇄ paused (pause/resume), active ⇄ closed (close/reopen)
    approved | active | paused | closed ──retire──▶ retired
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ordstyrer import channelcodes
from ordstyrer.statemachine import StateMachine
from ordstyrer.statemachine import TransitionError as TransitionError

DRAFT = "draft"
SUBMITTED = "submitted"
IN_REVIEW = "in_review"
REJECTED = "rejected"
APPROVED = "approved"
ACTIVE = "active"
PAUSED = "paused"
CLOSED = "closed"
RETIRED = channelcodes.RETIRED  # `tenants` names it too (a retired channel needs no one)

STATUSES: tuple[str, ...] = (
    DRAFT,
    SUBMITTED,
    IN_REVIEW,
    REJECTED,
    APPROVED,
    ACTIVE,
    PAUSED,
    CLOSED,
    RETIRED,
)
# A proposal is waiting for an approver in these states.
AWAITING_DECISION = frozenset({SUBMITTED, IN_REVIEW})
# The plan may be edited in these states (a rejected proposal is edited and resubmitted).
EDITABLE = frozenset({DRAFT, REJECTED})
# Official accounts in use or about to be: the account list (CH-8) and the flags (CH-5).
OFFICIAL = frozenset({APPROVED, ACTIVE, PAUSED, CLOSED})
LIVE = frozenset({ACTIVE, PAUSED, CLOSED})

# action → (states it may start from, state it leads to). "approve" leads to in_review
# or approved depending on the chain; see `after_approval`.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({DRAFT, REJECTED}), SUBMITTED),
    "withdraw": (frozenset({SUBMITTED, IN_REVIEW}), DRAFT),
    "approve": (frozenset({SUBMITTED, IN_REVIEW}), IN_REVIEW),
    "reject": (frozenset({SUBMITTED, IN_REVIEW}), REJECTED),
    "activate": (frozenset({APPROVED}), ACTIVE),
    "pause": (frozenset({ACTIVE}), PAUSED),
    "resume": (frozenset({PAUSED}), ACTIVE),
    "close": (frozenset({ACTIVE}), CLOSED),
    "reopen": (frozenset({CLOSED}), ACTIVE),
    "retire": (frozenset({APPROVED, ACTIVE, PAUSED, CLOSED}), RETIRED),
}

# The approver roles a preset may name in CH-1 `approval_chain` (policy.tables.ROLES).
CHAIN_ROLES: tuple[str, ...] = (
    "unit_leader",
    "communications",
    "chief_administrator",
    "service_office",
    "web_editor",
)
# Chain role → the tenants role whose holders decide that step. The service office is
# the archive/service desk (arkiv/servicetorg); the web editor is the head of
# communications (CH-4, Midt-Telemark: "enhetsleder for Kommunikasjon og service er
# nettredaktør").
CHAIN_ROLE_HOLDERS: dict[str, str] = {
    "unit_leader": "unit_leader",
    "communications": "communications",
    "chief_administrator": "chief_administrator",
    "service_office": "archivist",
    "web_editor": "communications",
}


_MACHINE = StateMachine(TRANSITIONS)
next_status = _MACHINE.next_status
allowed_actions = _MACHINE.allowed_actions


def validate_chain(chain: Iterable[str]) -> list[str]:
    chain = list(chain)
    unknown = [role for role in chain if role not in CHAIN_ROLES]
    if unknown:
        raise ValueError(f"unknown approver role {unknown[0]!r}")
    return chain


@dataclass(frozen=True, slots=True)
class ApprovalProgress:
    """Where a proposal stands in its chain after a decision."""

    step: int  # index of the next step to decide; == len(chain) when complete
    status: str

    @property
    def complete(self) -> bool:
        return self.status == APPROVED


def after_submission(chain: Sequence[str], *, endorsed_steps: int = 0) -> ApprovalProgress:
    """State right after submission. `endorsed_steps` leading steps are already satisfied
    (the submitter is the unit leader of the unit: a `unit_leader` first step is their own
    assessment). An empty chain approves at once."""
    step = min(max(endorsed_steps, 0), len(chain))
    if step >= len(chain):
        return ApprovalProgress(step=len(chain), status=APPROVED)
    return ApprovalProgress(step=step, status=SUBMITTED if step == 0 else IN_REVIEW)


def after_approval(chain: Sequence[str], step: int) -> ApprovalProgress:
    """State after the approver of `step` approved."""
    if not 0 <= step < len(chain):
        raise ValueError(f"step {step} is outside the chain of {len(chain)}")
    nxt = step + 1
    if nxt >= len(chain):
        return ApprovalProgress(step=len(chain), status=APPROVED)
    return ApprovalProgress(step=nxt, status=IN_REVIEW)


def next_approver(chain: Sequence[str], step: int) -> str | None:
    """The chain role that decides after the approver of `step` approved (whose holders
    are told it waits for them), or None: that approval makes the channel approved."""
    progress = after_approval(chain, step)
    return None if progress.complete else chain[progress.step]


def missing_plan_fields(plan: dict[str, str], required: Iterable[str]) -> list[str]:
    """The required CH-2 plan fields that are empty (whitespace counts as empty). The
    service passes what a reader sees of each (`services.plan_values`), so a field of
    zero-width characters is empty too."""
    return [code for code in required if not str(plan.get(code) or "").strip()]
